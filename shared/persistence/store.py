"""Units of work: a write transaction that can publish events (to the outbox) and claim the inbox.

Everything a command or handler changes, and every event it produces, commits in ONE transaction;
the relay publishes afterwards. A consumer's inbox claim commits with its effects, so a redelivered
message finds its claim and does nothing.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import logs
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
        event = make_event(event_type, payload, project_code=project_code,
                           regulation_version=regulation_version, articles=articles,
                           correlation_id=logs.current().get("correlation_id"))
        self.session.execute(insert(self._tables.outbox).values(
            message_id=event.message_id,
            exchange=events_exchange(event.source).name,
            routing_key=event.event_type,
            body=json.dumps(event.to_wire(), ensure_ascii=False),
            project_code=event.project_code,
            correlation_id=event.correlation_id,
            created_at=datetime.now(UTC),
        ))
        self.published.append(event)
        return event

    def claim(self, consumer: str, event: Event) -> None:
        """Insert the inbox row for this message. A duplicate raises IntegrityError (the primary
        key), which aborts the whole transaction: no effect of a processed message twice."""
        self.session.execute(insert(self._tables.processed_messages).values(
            consumer=consumer, message_id=event.message_id, event_type=event.event_type,
            processed_at=datetime.now(UTC)))


class Store:
    """What a service's workers get: transactions on the service's own database."""

    def __init__(self, engine: Engine, tables: PlatformTables,
                 on_published: Callable[[], None] = lambda: None, consumer: str = "") -> None:
        self.engine = engine
        self.tables = tables
        self._on_published = on_published
        self.consumer = consumer  # "service.method" of the worker, the inbox's key

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction: commits on success, rolls back on any exception."""
        with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                tx = Transaction(session, self.tables)
                yield tx
        if tx.published:
            self._on_published()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
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
