"""The outbox relay: publishes committed outbox rows in order, confirmed and mandatory.

A row is marked published only after the broker confirmed it AND routed it to a queue
(``mandatory``); a crash between confirm and mark re-sends it, and the consumers' inbox absorbs
the duplicate. Messages carry ``message_id`` (= envelope id) and ``user_id`` (the broker checks it
against the connection's user, so consumers can trust the publisher's identity).
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone

from kombu import Connection
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared import faults
from shared.events import event_type
from shared.messaging.topology import events_exchange, queues_for_event
from shared.persistence.engine import is_sqlite, write_lock
from shared.persistence.platform_tables import PlatformTables

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: Engine, tables: PlatformTables, amqp_uri: str,
                 batch_size: int = 100) -> None:
        self.engine = engine
        self.table = tables.outbox
        self.amqp_uri = amqp_uri
        self.batch_size = batch_size
        self.user_id = Connection(amqp_uri).userid
        self.publisher = Publisher(amqp_uri, use_confirms=True, mandatory=True,
                                   serializer="json", retry=False)

    def pending(self) -> int:
        return backlog(self.engine, self.table)[0]

    def publish_pending(self) -> int:
        """Publish unpublished rows in order; stop at the first failure so order holds. → count."""
        if is_sqlite(self.engine):
            return self._publish_sqlite()
        return self._publish_locked()

    def _select(self):
        return (select(self.table).where(self.table.c.published_at.is_(None))
                .order_by(self.table.c.seq).limit(self.batch_size))

    def _publish_sqlite(self) -> int:
        # No network I/O while holding the write lock: read, publish, then mark in a short write.
        with Session(self.engine) as session:
            rows = session.execute(self._select()).all()
        sent = 0
        for row in rows:
            if not self._send(row):
                break
            with write_lock(self.engine), Session(self.engine) as session, session.begin():
                self._mark(session, row.seq)
            sent += 1
        return sent

    def _publish_locked(self) -> int:
        # Several replicas may run a relay: SKIP LOCKED gives each row to one of them at a time.
        sent = 0
        with Session(self.engine) as session, session.begin():
            rows = session.execute(self._select().with_for_update(skip_locked=True)).all()
            for row in rows:
                if not self._send(row):
                    break
                self._mark(session, row.seq)
                sent += 1
        return sent

    def _send(self, row) -> bool:
        try:
            self.publisher.publish(
                json.loads(row.body),
                exchange=events_exchange(event_type(row.routing_key).source),
                routing_key=row.routing_key,
                message_id=row.message_id,
                user_id=self.user_id,
                declare=queues_for_event(row.routing_key),
            )
        except Exception as exc:  # broker down, unroutable, ...: keep the row, retry later
            reason = "unroutable (no queue bound)" if isinstance(exc, UndeliverableMessage) \
                else f"{type(exc).__name__}: {exc}"
            log.warning("outbox publish failed: %s", reason,
                        extra={"message_id": row.message_id, "project_code": row.project_code})
            with write_lock(self.engine), Session(self.engine) as session, session.begin():
                session.execute(update(self.table).where(self.table.c.seq == row.seq).values(
                    attempts=self.table.c.attempts + 1, last_error=reason[:2000]))
            return False
        faults.failpoint("relay_after_confirm")
        return True

    def _mark(self, session: Session, seq: int) -> None:
        session.execute(update(self.table).where(self.table.c.seq == seq).values(
            published_at=datetime.now(timezone.utc), attempts=self.table.c.attempts + 1))


def backlog(engine: Engine, table) -> tuple[int, datetime | None]:
    """(unpublished rows, when the oldest was written) — what health reports."""
    with Session(engine) as session:
        row = session.execute(select(func.count(), func.min(table.c.created_at))
                              .where(table.c.published_at.is_(None))).one()
    return row[0] or 0, row[1]


class RelayLoop:
    """Runs the relay in a greenthread: woken after each commit that emitted, polling otherwise."""

    def __init__(self, relay: OutboxRelay, poll_interval: float = 1.0,
                 max_backoff: float = 30.0) -> None:
        self.relay = relay
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self._wake = threading.Event()
        self._stopping = False
        self.last_error: str | None = None

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def run(self) -> None:
        backoff = self.poll_interval
        while not self._stopping:
            try:
                while self.relay.publish_pending() == self.relay.batch_size:
                    pass
                backoff = self.poll_interval if not self.relay.pending() else min(
                    backoff * 2, self.max_backoff)
                self.last_error = None
            except Exception as exc:  # database briefly unavailable: log, back off, go on
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("outbox relay error")
                backoff = min(backoff * 2, self.max_backoff)
            self._wake.wait(backoff)
            self._wake.clear()
