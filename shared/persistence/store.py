"""Units of work: a write transaction that can publish events (to the outbox) and claim the inbox.

Everything a command or handler changes, and every event it produces, commits in ONE transaction;
the relay publishes afterwards. A consumer's inbox claim commits with its effects, so a redelivered
message finds its claim and does nothing.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import logs
from shared.errors import GovprojError
from shared.events import Event, make_event
from shared.messaging.topology import events_exchange
from shared.persistence.engine import is_sqlite, write_lock
from shared.persistence.platform_tables import PlatformTables

T = TypeVar("T")


class Transaction:
    def __init__(self, session: Session, tables: PlatformTables) -> None:
        self.session = session
        self._tables = tables
        self.published: list[Event] = []

    def emit(self, event_type: str, payload: dict[str, Any], *, project_code: str | None,
             regulation_version: str | None, articles: list[int]) -> Event:
        """Record an event to be published once this transaction commits."""
        context = logs.current()
        event = make_event(event_type, payload, project_code=project_code,
                           regulation_version=regulation_version, articles=articles,
                           correlation_id=context.get("correlation_id"),
                           actor=context.get("actor"))
        # one prepared statement with parameters: compiled once, cached by SQLAlchemy
        self.session.execute(insert(self._tables.outbox), {
            "message_id": event.message_id,
            "exchange": events_exchange(event.source).name,
            "routing_key": event.event_type,
            "body": event.to_json(),
            "project_code": event.project_code,
            "correlation_id": event.correlation_id,
            "created_at": datetime.now(UTC),
        })
        self.published.append(event)
        return event

    def claim(self, consumer: str, event: Event) -> None:
        """Insert the inbox row for this message. A duplicate raises IntegrityError (the primary
        key), which aborts the whole transaction: no effect of a processed message twice."""
        self.session.execute(insert(self._tables.processed_messages), {
            "consumer": consumer, "message_id": event.message_id,
            "event_type": event.event_type, "processed_at": datetime.now(UTC)})


@dataclass(frozen=True)
class Idempotency:
    """A command's Idempotency-Key, scoped to the caller, with a fingerprint of the request."""

    principal: str
    key: str
    fingerprint: str


class IdempotentReplay(Exception):
    """The command was already done under this key: here is its first response."""

    def __init__(self, response: Any) -> None:
        super().__init__("replay")
        self.response = response


class IdempotencyKeyReused(GovprojError):
    code = "idempotency_key_reused"


class RequestInProgress(GovprojError):
    code = "request_in_progress"


class Store:
    """What a service's workers get: transactions on the service's own database."""

    def __init__(self, engine: Engine, tables: PlatformTables,
                 on_published: Callable[[], None] = lambda: None, consumer: str = "",
                 idempotency: Idempotency | None = None) -> None:
        self.engine = engine
        self.tables = tables
        self._on_published = on_published
        self.consumer = consumer  # "service.method" of the worker, the inbox's key
        self.idempotency = idempotency
        self._claimed = False

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction: commits on success, rolls back on any exception."""
        with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                tx = Transaction(session, self.tables)
                claiming = self.idempotency is not None and not self._claimed
                if claiming:
                    self._claim_idempotency(session)
                yield tx
        if claiming:
            self._claimed = True
        if tx.published:
            self._on_published()

    def _claim_idempotency(self, session: Session) -> None:
        table, idem = self.tables.idempotency_keys, self.idempotency
        row = session.execute(select(table).where(
            table.c.principal == idem.principal, table.c.key == idem.key)).first()
        if row is not None:
            if row.fingerprint != idem.fingerprint:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used for a different request",
                    "该 Idempotency-Key 已用于另一请求", details={"idempotency_key": idem.key})
            if row.response is None:
                raise RequestInProgress("the first request with this Idempotency-Key is still "
                                        "being processed", "使用该 Idempotency-Key 的首个请求仍在处理中",
                                        details={"idempotency_key": idem.key})
            raise IdempotentReplay(json.loads(row.response))
        try:
            with session.begin_nested():
                session.execute(insert(table).values(
                    principal=idem.principal, key=idem.key, fingerprint=idem.fingerprint,
                    created_at=datetime.now(UTC)))
        except IntegrityError:
            raise RequestInProgress("a request with this Idempotency-Key is being processed",
                                    "使用该 Idempotency-Key 的请求正在处理中",
                                    details={"idempotency_key": idem.key}) from None

    def record_response(self, response: Any) -> None:
        """Keep the first response of an idempotent command, for its replays."""
        if not self._claimed:
            return
        table, idem = self.tables.idempotency_keys, self.idempotency
        with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
            with Session(self.engine) as session, session.begin():
                session.execute(update(table).where(
                    table.c.principal == idem.principal, table.c.key == idem.key).values(
                    response=json.dumps(response, ensure_ascii=False, default=str)))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read whose statements all see one moment: REPEATABLE READ on PostgreSQL (read
        committed would let a commit land between two SELECTs); SQLite's explicit BEGIN in WAL
        mode is a snapshot already."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            if not is_sqlite(self.engine):
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def handle_once(self, event: Event, effect: Callable[[Transaction, Event], T]) -> T | None:
        """Apply ``effect`` exactly once per (consumer, message id): inbox and effect in one commit.

        Returns None for a duplicate: its claim collides with the committed one on the inbox
        primary key, the transaction rolls back, and we confirm the claim exists. (Two concurrent
        deliveries race the same way; the loser finds the winner's claim.)
        """
        consumer = self.consumer
        try:
            with self.transaction() as tx:
                tx.claim(consumer, event)
                return effect(tx, event)
        except IntegrityError:
            with self.read() as session:
                table = self.tables.processed_messages
                if session.execute(select(table.c.message_id).where(
                        table.c.consumer == consumer,
                        table.c.message_id == event.message_id)).first():
                    return None
            raise


@contextmanager
def _nothing():
    yield
