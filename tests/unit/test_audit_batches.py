"""The audit trail appended in batches (issue 19), on a Store over a temporary SQLite file: one
transaction claims the inbox for a batch and chains its events after one read of the head; a
message twice, or already chained, is chained once; a failing batch changes nothing, and its
events handled one at a time each get their own outcome — what the batching handler does when a
batch fails (shared.messaging.reliable.BatchingEventHandler)."""

from __future__ import annotations

import inspect
import sqlite3
from datetime import date

import pytest
from sqlalchemy import func, select

from services.supervision import audit_trail
from services.supervision.audit_chain import GENESIS, Record, verify
from services.supervision.models import AuditChainHeadRow, platform
from shared.errors import PermanentError
from shared.events import Event, make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store, Transaction

CONSUMER = "supervision.on_any_event"


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    return url


@pytest.fixture
def store(url):
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer=CONSUMER)
    engine.dispose()


def clock_set(day: int) -> Event:
    return make_event(
        "clock_set",
        {"today": date(2027, 1, day), "set_by": "op"},
        project_code=None,
        regulation_version=None,
        articles=[],
    )


def chain(store: Store) -> tuple[list[Record], tuple[int, str] | None]:
    with store.read() as session:
        return list(audit_trail.records(session)), audit_trail.recorded_head(session)


def claims(store: Store) -> int:
    with store.read() as session:
        table = platform.processed_messages
        return session.scalar(select(func.count()).select_from(table).where(table.c.consumer == CONSUMER))


def test_a_batch_is_chained_in_order_after_one_read_of_the_head(store):
    store.handle_once(clock_set(1), audit_trail.append)  # one record already there
    batch = [clock_set(day) for day in range(2, 12)]
    assert store.handle_batch_once(batch, audit_trail.append_batch) == batch
    records, head = chain(store)
    assert [r.seq for r in records] == list(range(1, 12))
    assert [r.message_id for r in records[1:]] == [e.message_id for e in batch]
    assert records[0].prev_hash == GENESIS and records[1].prev_hash == records[0].hash
    assert verify(records, head) == {"ok": True, "length": 11, "head": records[-1].hash, "problems": []}
    assert head == (11, records[-1].hash) and claims(store) == 11


def test_a_message_twice_in_a_batch_or_already_chained_is_chained_once(store):
    first, second, third = clock_set(1), clock_set(2), clock_set(3)
    store.handle_batch_once([first], audit_trail.append_batch)
    applied = store.handle_batch_once([first, second, second, third], audit_trail.append_batch)
    assert [e.message_id for e in applied] == [second.message_id, third.message_id]
    records, head = chain(store)
    assert [r.message_id for r in records] == [first.message_id, second.message_id, third.message_id]
    assert verify(records, head)["ok"] and claims(store) == 3
    # a redelivered batch: nothing new, nothing twice
    assert store.handle_batch_once([third, first], audit_trail.append_batch) == []
    assert chain(store)[0] == records


def test_a_failing_batch_changes_nothing_and_each_event_alone_gets_its_own_outcome(store):
    bad = clock_set(5)

    def append_unless_bad(tx: Transaction, events: list[Event]) -> None:
        if any(e.message_id == bad.message_id for e in events):
            raise PermanentError("refused for the test", "测试拒绝")
        audit_trail.append_batch(tx, events)

    batch = [clock_set(1), clock_set(2), bad, clock_set(3)]
    with pytest.raises(PermanentError):
        store.handle_batch_once(batch, append_unless_bad)
    assert chain(store) == ([], None) and claims(store) == 0  # the whole batch rolled back
    outcomes = {}
    for event in batch:  # the fallback: one transaction each
        try:
            store.handle_batch_once([event], append_unless_bad)
            outcomes[event.message_id] = "chained"
        except PermanentError:
            outcomes[event.message_id] = "dead-lettered"
    assert list(outcomes.values()) == ["chained", "chained", "dead-lettered", "chained"]
    records, head = chain(store)
    assert [r.message_id for r in records] == [e.message_id for e in batch if e is not bad]
    assert verify(records, head)["ok"] and claims(store) == 3


def test_a_write_transaction_on_sqlite_takes_the_write_lock_when_it_begins(store, url):
    """Two processes on one SQLite file (supervision and its audit trail): a write transaction
    holds the file's write lock from its BEGIN, so another process waits for it instead of
    failing when it upgrades a read to a write after this one committed."""
    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.05, isolation_level=None)
    try:
        with store.transaction() as tx:
            tx.session.execute(select(AuditChainHeadRow.seq))  # a read only, so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free once it committed
        other.execute("ROLLBACK")
        with store.read() as session:  # a read transaction takes no write lock
            session.execute(select(AuditChainHeadRow.seq))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def entrypoints(cls) -> list:
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    return [
        ext
        for _, method in inspect.getmembers(cls)
        for ext in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ())
    ]


def test_the_audit_trail_is_consumed_by_its_own_process_only():
    """Supervision's main process no longer consumes the audit-trail queue; its audit-trail
    process consumes that queue alone, in batches, and answers no RPC (the main one does)."""
    from nameko.rpc import Rpc
    from nameko.web.handlers import HttpRequestHandler

    from services.supervision.audit_process import SupervisionAuditTrail
    from services.supervision.service import SupervisionService
    from shared.config import process_class, processes_of, service_of
    from shared.messaging.reliable import AuditTrailHandler, BatchingEventHandler

    assert not any(isinstance(e, AuditTrailHandler) for e in entrypoints(SupervisionService))
    audit = entrypoints(SupervisionAuditTrail)
    [handler] = [e for e in audit if not isinstance(e, HttpRequestHandler)]  # and the probes
    assert isinstance(handler, AuditTrailHandler) and isinstance(handler, BatchingEventHandler)
    assert not any(isinstance(e, Rpc) for e in audit)
    assert SupervisionAuditTrail.name == SupervisionService.name == "supervision"
    assert processes_of("supervision") == ["supervision", "supervision-audit"]
    assert service_of("supervision-audit") == "supervision"
    assert process_class("supervision-audit").endswith("audit_process:SupervisionAuditTrail")
