"""The outbox relay: publishes committed outbox rows in order, confirmed and mandatory.

A row is marked published only after the broker confirmed it AND routed it to a queue
(``mandatory``); a crash between confirm and mark re-sends it, and the consumers' inbox absorbs
the duplicate. Messages carry ``message_id`` (= envelope id) and ``user_id`` (the broker checks it
against the connection's user, so consumers can trust the publisher's identity). Before a batch
the relay checks passively that its exchange and every subscriber's queue exist — it may not
declare other services' queues; a missing one keeps the rows, with an error naming it. Every
envelope leaves signed with the service's own Ed25519 key (``shared.events.signing``): consumers
on other brokers trust the signature, not the broker's ``user_id``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from shared import faults
from shared.events import event_type
from shared.events.signing import sign_json
from shared.keys import SigningKey
from shared.messaging.confirms import ConfirmingPublisher, Outgoing
from shared.messaging.topology import TopologyMissing, events_exchange, queues_for_event
from shared.persistence.engine import is_sqlite, write_lock, writer
from shared.persistence.platform_tables import PlatformTables

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: Engine,
        tables: PlatformTables,
        amqp_uri: str,
        batch_size: int = 200,
        signing_key: SigningKey | None = None,
        local_consumers: Collection[str] | None = None,
    ) -> None:
        self.engine = engine
        # the services on this broker (None: all): only their queues must exist here; another
        # agency's broker gets its copy by federation (shared.messaging.federation)
        self.local_consumers = local_consumers
        self.signing_key = signing_key
        self.table = tables.outbox
        self.batch_size = batch_size
        self.publisher = ConfirmingPublisher(amqp_uri)
        self.last_failed = 0
        self._needs: dict[str, list[Any]] = {}
        table = self.table
        self._pending = (
            select(table).where(table.c.published_at.is_(None)).order_by(table.c.seq).limit(batch_size)
        )
        self._pending_locked = self._pending.with_for_update(skip_locked=True)
        self._mark_published = (
            update(table)
            .where(table.c.seq.in_(bindparam("seqs", expanding=True)))
            .values(published_at=bindparam("at"), attempts=table.c.attempts + 1)
        )
        self._mark_failed = (
            update(table)
            .where(table.c.seq == bindparam("seq_"))
            .values(attempts=table.c.attempts + 1, last_error=bindparam("error"))
        )

    def pending(self) -> int:
        return backlog(self.engine, self.table)[0]

    def close(self) -> None:
        self.publisher.close()

    def stuck(self) -> bool:
        """Are there rows that failed and still wait (→ back off instead of hammering)?"""
        with Session(self.engine) as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(self.table)
                .where(self.table.c.published_at.is_(None), self.table.c.last_error.is_not(None))
            )
            return (waiting or 0) > 0

    def publish_pending(self) -> int:
        """Publish one batch of unpublished rows in seq order; → how many were delivered
        (``self.last_failed`` says how many of the batch failed).

        Rows that failed stay unpublished with the error and are sent again later, so a failure
        can reorder them behind later rows: consumers must not depend on strict order.
        Core statements built once (issue 19): the relay runs a batch per commit it is woken
        by, so its per-batch cost is paid per handful of events.
        """
        if is_sqlite(self.engine):
            # No network I/O while holding SQLite's write lock: read, publish, mark briefly.
            with self.engine.connect() as conn:
                rows = conn.execute(self._pending).all()
            delivered, failed = self._send(rows)
            if delivered or failed:
                with write_lock(self.engine), writer(self.engine).begin() as conn:
                    self._record(conn, delivered, failed)
        else:
            # Several replicas may relay: SKIP LOCKED hands each row to one of them at a time.
            with self.engine.begin() as conn:
                rows = conn.execute(self._pending_locked).all()
                delivered, failed = self._send(rows)
                self._record(conn, delivered, failed)
        self.last_failed = len(failed)
        return len(delivered)

    def _required(self, key: str) -> list[Any]:
        """What ``key``'s messages need on this broker (the registry does not change while
        the process runs: computed once per routing key)."""
        needed = self._needs.get(key)
        if needed is None:
            source = event_type(key).source
            needed = self._needs[key] = [
                events_exchange(source),
                *queues_for_event(key, self.local_consumers),
            ]
        return needed

    def _send(self, rows: Sequence[Row[Any]]) -> tuple[list[int], dict[int, str]]:
        if not rows:
            return [], {}
        if self.signing_key is None:  # an unsigned event would be refused by every consumer
            return [], {
                row.seq: "no signing key: run `govproj keys` or mount the service's key" for row in rows
            }
        try:  # every subscriber's queue must exist, or the event would be lost for it
            for key in {row.routing_key for row in rows}:
                if not self.publisher.knows(key):
                    self.publisher.require(key, self._required(key))
        except TopologyMissing as exc:
            self.publisher.close()
            return [], {row.seq: f"topology missing: {exc}" for row in rows}
        except Exception as exc:
            self.publisher.close()
            return [], {row.seq: f"checking topology: {type(exc).__name__}: {exc}" for row in rows}
        delivered, failed = self.publisher.publish_batch(
            [
                Outgoing(
                    key=row.seq,
                    exchange=row.exchange,
                    routing_key=row.routing_key,
                    body=sign_json(row.body, self.signing_key).encode("utf-8"),
                    message_id=row.message_id,
                )
                for row in rows
            ]
        )
        faults.failpoint("relay_after_confirm")
        for seq, reason in failed.items():
            log.warning("outbox publish failed: %s", reason, extra={"outbox_seq": seq})
        return delivered, failed

    def _record(self, conn: Connection, delivered: list[int], failed: dict[int, str]) -> None:
        # A crash before this commit re-sends the batch; consumers' inboxes absorb the repeats.
        if delivered:
            conn.execute(self._mark_published, {"seqs": delivered, "at": datetime.now(UTC)})
        if failed:
            conn.execute(
                self._mark_failed, [{"seq_": seq, "error": reason[:2000]} for seq, reason in failed.items()]
            )


def backlog(engine: Engine, table: Table) -> tuple[int, datetime | None]:
    """(unpublished rows, when the oldest was written) — what health reports."""
    with Session(engine) as session:
        row = session.execute(
            select(func.count(), func.min(table.c.created_at)).where(table.c.published_at.is_(None))
        ).one()
    return row[0] or 0, row[1]


class RelayLoop:
    """Runs the relay in a greenthread: woken after each commit that emitted, polling otherwise."""

    def __init__(
        self, relay: OutboxRelay, poll_interval: float = 1.0, max_backoff: float = 30.0, linger: float = 0.002
    ) -> None:
        self.relay = relay
        self.poll_interval = poll_interval
        self.linger = linger  # after a wake-up, let concurrent commits join the batch
        self.max_backoff = max_backoff
        self._wake = threading.Event()
        self._stopping = False
        self.stopped = False
        self.last_error: str | None = None
        self.last_run: float | None = None  # monotonic time the loop last went round

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def flush(self, seconds: float) -> int:
        """On a graceful stop (issue 17), after the last worker committed: publish what is
        pending, for at most ``seconds``; → rows left unpublished (they stay in the outbox and
        go out after the restart — the consumers' inboxes absorb any repeat)."""
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                published = self.relay.publish_pending()
                if self.relay.last_failed or published < self.relay.batch_size:
                    break
            left = self.relay.pending()
        except Exception as exc:
            log.warning("outbox flush on stop failed: %s: %s", type(exc).__name__, exc)
            return -1
        if left:
            log.warning("stopping with %s outbox rows unpublished; they go out after the restart", left)
        return left

    def run(self) -> None:
        backoff = self.poll_interval
        while not self._stopping:
            try:
                if self.linger and self._wake.is_set():
                    time.sleep(self.linger)
                self._wake.clear()
                while self.relay.publish_pending() == self.relay.batch_size:
                    pass
                stuck = self.relay.last_failed > 0
                self.last_run = time.monotonic()
                backoff = min(backoff * 2, self.max_backoff) if stuck else self.poll_interval
                self.last_error = None
            except Exception as exc:  # database briefly unavailable: log, back off, go on
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("outbox relay error")
                backoff = min(backoff * 2, self.max_backoff)
            self._wake.wait(backoff)
        self.relay.close()
        self.stopped = True
