"""A service subscription declared ``batched=True`` (issue 19, shared.platform.subscribe): one
transaction claims the inbox for a batch of deliveries and applies each event's effect; a
failing event rolls the batch back and every event is then handled alone, so the others'
effects commit exactly once, a refused event is dead-lettered and a transiently failing one is
retried, as without batching; a batch delivered again (the relay re-sending what it had
published) changes nothing. Real broker, real finance container, real outbox relay."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from nameko.containers import ServiceContainer
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, update

from services.finance.service import FinanceService
from services.supervision.models import platform as supervision_tables
from shared.errors import PermanentError
from shared.events import Event
from shared.keys import load_signing_key
from shared.messaging.outbox import OutboxRelay
from shared.messaging.reliable import BatchingEventHandler, batched_handler
from shared.persistence import create_engine_for
from shared.persistence.store import Store, Transaction
from shared.platform import subscribe
from shared.testing import TEST_KEYS_DIR, as_principal, get_dead_letters, service_config, wait_for

pytestmark = pytest.mark.integration

APPLIED: list[str] = []  # message ids whose effect committed (after_commit of its transaction)
FAILURES: Counter[str] = Counter()  # transient failures so far, per message id
BATCHES: list[list[str]] = []  # message ids handed to the service method, per call
RETURNED: list[str] = []  # message ids of calls that returned (their transaction committed)
YEAR = 2100  # each event inserts the calendar year YEAR + its index: a double would collide


def counted_effect(tx: Transaction, event: Event) -> None:
    """The test's projection: one row per event (a plain insert, no upsert), refused for the
    poison event, failing twice for the flaky one (a transient fault)."""
    data = event.data()
    if data["set_by"] == "poison":
        raise PermanentError("this event is refused", "该事件被拒绝", articles=[34])
    if data["set_by"] == "flaky" and FAILURES[event.message_id] < 2:
        FAILURES[event.message_id] += 1
        raise ConnectionError("database briefly unreachable")
    tx.session.execute(
        insert(FinanceService.db.tables.calendar_years),
        {
            "year": YEAR + int(data["today"].day),
            "holidays": "[]",
            "workdays": "[]",
            "loaded_by": data["set_by"],
            "loaded_at": event.occurred_at,
        },
    )
    sa_event.listen(tx.session, "after_commit", lambda session: APPLIED.append(event.message_id))


class BatchedFinance(FinanceService):
    on_clock_set = subscribe("clock_set", counted_effect, batched=True)


class ObservedFinance(BatchedFinance):
    """The declared subscription, watched: what each call was given, which calls returned."""

    @batched_handler("clock_set")
    def on_clock_set(self, events):
        BATCHES.append([event.message_id for event in events])
        BatchedFinance.on_clock_set(self, events)
        RETURNED.extend(event.message_id for event in events)


@pytest.fixture(autouse=True)
def reset():
    for seen in (APPLIED, BATCHES, RETURNED):
        seen.clear()
    FAILURES.clear()


def test_the_subscription_is_declared_batched():
    handlers = list(BatchedFinance.__dict__["on_clock_set"].nameko_entrypoints)
    assert [type(h) for h in handlers] == [BatchingEventHandler]
    platform_handlers = list(FinanceService.on_clock_set.nameko_entrypoints)
    assert all(isinstance(h, BatchingEventHandler) for h in platform_handlers)


def test_a_failing_event_costs_the_others_nothing_and_a_batch_again_changes_nothing(amqp_uri, sqlite_urls):
    finance = ServiceContainer(
        ObservedFinance,
        service_config(
            "finance",
            amqp_uri,
            sqlite_urls["finance"],
            EVENT_BATCH_LINGER_MS=2000,  # the six events surely meet in one batch
            EVENT_MAX_ATTEMPTS=5,
        ),
    )
    finance.start()
    engine = create_engine_for(sqlite_urls["supervision"])
    relay = OutboxRelay(
        engine,
        supervision_tables,
        as_principal(amqp_uri, "supervision"),
        signing_key=load_signing_key(TEST_KEYS_DIR, "supervision"),
    )
    finance_engine = create_engine_for(sqlite_urls["finance"])
    try:
        kinds = ["good", "good", "poison", "good", "flaky", "good"]
        with Store(engine, supervision_tables).transaction() as tx:  # one commit: one relay batch
            events = [
                tx.emit(
                    "clock_set",
                    {"today": date(2031, 1, 1 + i), "set_by": kind},
                    project_code=None,
                    regulation_version=None,
                    articles=[],
                )
                for i, kind in enumerate(kinds)
            ]
        ids = [event.message_id for event in events]
        good = [mid for mid, kind in zip(ids, kinds, strict=True) if kind != "poison"]
        assert relay.publish_pending() == 6

        wait_for(lambda: set(good) <= set(RETURNED), timeout=30, message="every good event applied")
        [dead] = get_dead_letters(amqp_uri, "finance", timeout=15)
        assert dead.properties["message_id"] == ids[2]
        assert dead.headers["x-govproj-dead-outcome"] == "rejected"
        assert BATCHES[0] == ids  # one batch of six, failed by the poison: then each alone
        assert BATCHES[1:7] == [[mid] for mid in ids]
        assert FAILURES[ids[4]] == 2  # retried through the delay queue, then applied
        assert Counter(APPLIED) == Counter(good)  # each good effect committed exactly once
        assert rows(finance_engine) == (5, 5)  # five rows, five claims: effects = answers

        # the relay sends the whole batch again (as after a crash before it recorded it)
        RETURNED.clear()
        with engine.begin() as conn:
            conn.execute(update(supervision_tables.outbox).values(published_at=None))
        assert relay.publish_pending() == 6
        wait_for(lambda: set(good) <= set(RETURNED), timeout=30, message="the duplicates answered")
        [dead_again] = get_dead_letters(amqp_uri, "finance", timeout=15)
        assert dead_again.properties["message_id"] == ids[2]  # refused again, still not applied
        assert Counter(APPLIED) == Counter(good)  # no double
        assert rows(finance_engine) == (5, 5)
    finally:
        relay.close()
        finance.stop()
        engine.dispose()
        finance_engine.dispose()


def rows(engine) -> tuple[int, int]:
    """(calendar years the effect inserted, inbox claims of the subscription)."""
    tables = FinanceService.db.tables
    inbox = tables.processed_messages
    with engine.connect() as conn:
        years = conn.scalar(
            select(func.count()).select_from(tables.calendar_years).where(tables.calendar_years.c.year > YEAR)
        )
        claims = conn.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.consumer == "finance.on_clock_set")
        )
    return years, claims
