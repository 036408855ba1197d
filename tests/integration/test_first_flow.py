"""The first real flow on a real broker and database, in-process service containers.

planning ──application_submitted──▶ approval (review case) ──review_case_opened──▶ planning
"""

import json
from datetime import date

import pytest

from services.planning.models import platform as planning_tables
from shared.events import make_event
from shared.messaging import topology
from shared.testing import (
    PLAN_ITEM,
    as_principal,
    broker_user_of,
    complete_application,
    get_dead_letters,
    outbox_rows,
    plan_in_force,
    publish_raw,
    rpc_proxy,
    sign_as,
    unit_identity,
    wait_for,
)

pytestmark = pytest.mark.integration

UNIT = "U-370100-001"
PROJECT = {
    "name": "全省政务云平台扩容",
    "kind": "construction",
    "level": "province",
    "budget": {"total": "1250000.00"},
    "plan_item": PLAN_ITEM,
}


def register_and_submit(amqp_uri):
    plan_in_force(amqp_uri)
    with rpc_proxy(amqp_uri, identity=unit_identity(UNIT)) as cluster:
        code = cluster.planning.register_project(PROJECT)["code"]
        complete_application(cluster.planning, code)
        cluster.planning.submit_application(code)
    return code


def review_cases(amqp_uri, code=None):
    with rpc_proxy(amqp_uri) as cluster:
        return cluster.approval.list_review_cases(code)


def project_status(amqp_uri, code):
    with rpc_proxy(amqp_uri) as cluster:
        return cluster.planning.get_project(code)["status"]


def outbox(url):
    return outbox_rows(url, planning_tables, "application_submitted")


def test_application_opens_one_review_case(amqp_uri, database_urls, start_service):
    """(a) on SQLite and on PostgreSQL."""
    start_service("planning", database_urls["planning"])
    start_service("approval", database_urls["approval"])
    code = register_and_submit(amqp_uri)

    cases = wait_for(lambda: review_cases(amqp_uri, code), message="review case")
    assert [c["id"] for c in cases] == [f"RC-{code}-1"]
    assert cases[0]["budget_total"] == "1250000.00"
    assert cases[0]["regulation_version"] == "shandong/v1"
    wait_for(lambda: project_status(amqp_uri, code) == "under_review", message="under_review")
    [row] = outbox(database_urls["planning"])
    assert row.published_at is not None and json.loads(row.body)["project_code"] == code


def test_same_message_delivered_twice_opens_one_case(amqp_uri, database_urls, start_service):
    """(b) the inbox absorbs a redelivery of the very same message."""
    start_service("planning", database_urls["planning"])
    approval = start_service("approval", database_urls["approval"])
    code = register_and_submit(amqp_uri)
    wait_for(lambda: review_cases(amqp_uri, code), message="first case")

    [row] = outbox(database_urls["planning"])
    for _ in range(3):  # the publisher sends it again (as after a crash between confirm and mark)
        publish_raw(
            as_principal(amqp_uri, "planning"),
            row.exchange,
            row.routing_key,
            sign_as(json.loads(row.body), "planning"),
            message_id=row.message_id,
            user_id=broker_user_of(amqp_uri, "planning"),
            serializer="json",
        )
    queue = topology.consumer_queue_name("approval", "application_submitted")
    wait_for(lambda: _queue_drained(amqp_uri, queue), message="replays consumed")
    assert len(review_cases(amqp_uri, code)) == 1
    assert approval  # still running


def _queue_drained(amqp_uri, queue_name):
    from kombu import Connection

    with Connection(amqp_uri) as conn:
        _, messages, _ = conn.default_channel.queue_declare(queue_name, passive=True)
    return messages == 0


def test_event_committed_but_not_published_goes_out_once_when_relay_runs(
    amqp_uri, sqlite_urls, start_service
):
    """(c) planning committed, then stopped before its relay published: nothing is lost."""
    planning = start_service("planning", sqlite_urls["planning"], OUTBOX_RELAY=False)
    start_service("approval", sqlite_urls["approval"])
    code = register_and_submit(amqp_uri)
    [row] = outbox(sqlite_urls["planning"])
    assert row.published_at is None
    planning.stop()
    assert review_cases(amqp_uri, code) == []

    start_service("planning", sqlite_urls["planning"])
    wait_for(lambda: review_cases(amqp_uri, code), message="case after relay ran")
    wait_for(lambda: outbox(sqlite_urls["planning"])[0].published_at, message="marked")
    assert len(review_cases(amqp_uri, code)) == 1


@pytest.mark.parametrize(
    "body, properties, outcome, reason",
    [
        (b"{not json", {"content_type": "application/json"}, "invalid", "undecodable"),
        ({"event_type": "nonsense"}, {"serializer": "json"}, "invalid", "invalid envelope"),
        ("valid-but-unsigned", {"serializer": "json"}, "invalid", "no user_id"),
        ("unknown-type", {"serializer": "json"}, "invalid", "unknown event type"),
    ],
)
def test_malformed_or_unknown_messages_are_dead_lettered_while_valid_ones_flow(
    amqp_uri, sqlite_urls, start_service, body, properties, outcome, reason
):
    """(d) the dead-letter queue gets the message with its reason; the consumer keeps going."""
    start_service("planning", sqlite_urls["planning"])
    start_service("approval", sqlite_urls["approval"])
    exchange = topology.events_exchange("planning").name
    if body == "valid-but-unsigned":  # a well-formed event whose publisher did not identify
        code = register_and_submit(amqp_uri)
        wait_for(lambda: review_cases(amqp_uri, code), message="case")
        [row] = outbox(sqlite_urls["planning"])
        body = sign_as({**json.loads(row.body), "message_id": "f" * 32}, "planning")
        properties = {**properties, "message_id": body["message_id"]}
    elif body == "unknown-type":  # a well-formed envelope of a type nobody defined
        body = make_event(
            "clock_set",
            {"today": date(2026, 1, 5), "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        ).to_wire()
        body["event_type"] = "application_teleported"
        properties = {**properties, "user_id": "guest", "message_id": body["message_id"]}
    publish_raw(amqp_uri, exchange, "application_submitted", body, **properties)

    [dead] = get_dead_letters(amqp_uri, "approval")
    assert dead.headers["x-govproj-dead-outcome"] == outcome
    assert reason in dead.headers["x-govproj-dead-reason"]
    assert dead.headers["x-govproj-original-queue"] == "approval.planning.application_submitted"

    code = register_and_submit(amqp_uri)  # the valid flow is unaffected
    wait_for(lambda: review_cases(amqp_uri, code), message="valid case after poison")


def test_consumer_stopped_while_producer_publishes_loses_nothing(amqp_uri, database_urls, start_service):
    """(e) approval is down; planning publishes; approval starts and catches up."""
    start_service("planning", database_urls["planning"])
    approval = start_service("approval", database_urls["approval"])
    approval.stop()
    codes = [register_and_submit(amqp_uri) for _ in range(5)]
    wait_for(
        lambda: all(r.published_at for r in outbox(database_urls["planning"])),
        message="all published while approval is down",
    )

    start_service("approval", database_urls["approval"])
    wait_for(lambda: len(review_cases(amqp_uri)) == 5, message="five cases")
    assert sorted(c["project_code"] for c in review_cases(amqp_uri)) == sorted(codes)
