import json
from datetime import date
from decimal import Decimal

import pytest

from shared.events import (
    EVENT_TYPES,
    SUBSCRIPTIONS,
    InvalidEvent,
    event_type,
    load_event,
    make_event,
    subscribers_of,
)
from shared.events.titles import TITLES
from shared.messaging.topology import audit_trail_queue, queues_for_event

APPLICATION = dict(
    name="政务云",
    unit="U1",
    kind="construction",
    level="province",
    plan_item=None,
    budget_total=Decimal("1250000"),
    fixed_asset_investment=True,
    classified=False,
    submission=1,
    submitted_on=date(2026, 3, 2),
)


def wire(**changes):
    event = make_event(
        "application_submitted",
        APPLICATION,
        project_code="SD-2026-000001",
        regulation_version="shandong/v1",
        articles=[6, 7],
    )
    return json.loads(json.dumps({**event.to_wire(), **changes}))


def test_round_trip_through_json_keeps_envelope_and_money_as_string():
    body = wire()
    assert body["payload"]["budget_total"] == "1250000.00"
    event = load_event(body)
    assert event.source == "planning" and event.schema_version == 1
    assert event.articles == [6, 7] and event.correlation_id == event.message_id
    assert event.data()["budget_total"] == Decimal("1250000.00")
    assert event.data()["submitted_on"] == date(2026, 3, 2)


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"event_type": "application_sent"}, "unknown event type"),
        ({"schema_version": 9}, "unknown schema version"),
        ({"source": "finance"}, "comes from planning"),
        ({"payload": {"name": "x"}}, "invalid application_submitted payload"),
        ({"occurred_at": "yesterday"}, "invalid envelope"),
        ({"project_code": "lower-case"}, "invalid envelope"),
        ({"surprise": 1}, "invalid envelope"),
    ],
)
def test_invalid_events_are_refused_with_the_reason(changes, reason):
    with pytest.raises(InvalidEvent, match=reason):
        load_event(wire(**changes))


def test_non_object_body_is_invalid():
    with pytest.raises(InvalidEvent):
        load_event(["not", "an", "object"])


def test_producer_cannot_emit_an_invalid_payload():
    with pytest.raises(InvalidEvent):
        make_event(
            "application_submitted",
            {**APPLICATION, "kind": "palace"},
            project_code="SD-2026-000001",
            regulation_version="shandong/v1",
            articles=[7],
        )
    with pytest.raises(InvalidEvent):
        make_event(
            "application_submitted",
            {**APPLICATION, "submitted_on": "2026-03-02"},
            project_code="SD-2026-000001",
            regulation_version="shandong/v1",
            articles=[7],
        )


def test_every_event_is_routable_at_least_to_the_audit_trail():
    """Mandatory publishing: the ledger's queue takes every event, so none is unroutable;
    the facts that only make the timeline (e.g. catalog_set) have no other subscriber."""
    for kind in EVENT_TYPES:
        names = [q.name for q in queues_for_event(kind.name)]
        assert audit_trail_queue().name in names
        assert len(names) == 2 + 2 * len(subscribers_of(kind.name))


def test_every_event_reads_in_english_and_chinese_on_the_timeline():
    assert {kind.name for kind in EVENT_TYPES} == set(TITLES)
    for en, zh in TITLES.values():
        assert en and zh and en != zh


def test_every_subscription_names_a_known_event():
    for names in SUBSCRIPTIONS.values():
        for name in names:
            event_type(name)


def test_the_actor_travels_in_the_envelope_and_is_optional_on_the_wire():
    event = make_event(
        "clock_set",
        {"today": date(2026, 1, 5), "set_by": "ops"},
        project_code=None,
        regulation_version=None,
        articles=[],
        actor="ops@sd",
    )
    assert load_event(json.loads(json.dumps(event.to_wire()))).actor == "ops@sd"
    body = event.to_wire()
    del body["actor"]
    assert load_event(body).actor is None


def test_every_service_handles_exactly_its_subscriptions_under_the_handlers_names():
    """The services declare their handlers (``shared.platform.subscribe``); the queues, bindings
    and broker rights come from the registry: the two must agree, one handler per type. The
    attribute stays ``on_<type>``: it names the inbox's consumer, so a rename would re-apply
    every event already handled."""
    import importlib
    import inspect

    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    from shared.config import process_class
    from shared.messaging.reliable import AuditTrailHandler, ReliableEventHandler

    for service in SUBSCRIPTIONS:
        module, name = process_class(service).split(":")
        cls = getattr(importlib.import_module(module), name)
        handled = [
            (attr, ext.event_type)
            for attr, method in inspect.getmembers(cls)
            for ext in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())
            # batched subscriptions too (issue 19); the audit trail's catch-all is no subscription
            if isinstance(ext, ReliableEventHandler) and not isinstance(ext, AuditTrailHandler)
        ]
        assert sorted(kind for _, kind in handled) == sorted(SUBSCRIPTIONS[service]), service
        assert all(attr == f"on_{kind}" for attr, kind in handled), service
