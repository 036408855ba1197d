"""Units of work: a write transaction that can publish events (to the outbox) and claim the inbox.

Everything a command or handler changes, and every event it produces, commits in ONE transaction;
the relay publishes afterwards. A consumer's inbox claim commits with its effects, so a redelivered
message finds its claim and does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, Insert, Row, Table, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import logs, tracing
from shared.errors import GovprojError
from shared.events import Event, make_event
from shared.events.envelope import beijing_date
from shared.messaging.topology import events_exchange_name
from shared.persistence.engine import is_sqlite, write_lock, writer
from shared.persistence.platform_tables import PlatformTables

T = TypeVar("T")


class ProjectFile(Protocol):
    """What a service keeps of one project (a row or a domain object): which project, under
    which regulation version."""

    @property
    def project_code(self) -> str: ...

    @property
    def regulation_version(self) -> str | None: ...


# the transaction the running worker acts in: what ``business_day()`` reads
_ACTING: ContextVar[Transaction | None] = ContextVar("govproj_acting_tx", default=None)


def real_today(session: Session | None = None) -> date:
    """Today in China on the real clock (``session``: unused; a service's clock reads its
    simulated day through the transaction's own session)."""
    return beijing_date(datetime.now(UTC))


def business_day() -> date | None:
    """The business date of the act being recorded now (the running transaction's), or None
    outside one. Records written in a transaction put it beside their recorded time."""
    tx = _ACTING.get()
    return tx.business_date if tx is not None else None


_INSERTS: dict[Table, Insert] = {}


def _insert_into(table: Table) -> Insert:
    """``insert(table)``, built once: emit and claim run in every command and every event."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


class Transaction:
    """``business_date``: the day the act happened on — in a command or a timer the service's
    clock's today (the simulated day under a simulated clock), in an event handler the day
    the triggering event carries (its publisher's today), so every consumer records the same
    day; the events it emits carry it on."""

    def __init__(
        self, session: Session, tables: PlatformTables, today: Callable[[Session], date] = real_today
    ) -> None:
        self.session = session
        self._tables = tables
        self._today = today
        self._business_date: date | None = None
        self.published: list[Event] = []

    @property
    def business_date(self) -> date:
        if self._business_date is None:
            self._business_date = self._today(self.session)
        return self._business_date

    @business_date.setter
    def business_date(self, day: date) -> None:
        self._business_date = day

    def emit(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        project_code: str | None,
        regulation_version: str | None,
        articles: list[int],
    ) -> Event:
        """Record an event to be published once this transaction commits."""
        context = logs.current()
        event = make_event(
            event_type,
            payload,
            project_code=project_code,
            regulation_version=regulation_version,
            articles=articles,
            correlation_id=context.get("correlation_id"),
            actor=context.get("actor"),
            business_date=self.business_date,
            traceparent=tracing.current_traceparent(),
        )
        # one statement built once per table (SQLAlchemy's compiled cache then skips even
        # the cache-key walk), its parameters per event
        self.session.execute(
            _insert_into(self._tables.outbox),
            {
                "message_id": event.message_id,
                "exchange": events_exchange_name(event.source),
                "routing_key": event.event_type,
                "body": event.to_json(),
                "project_code": event.project_code,
                "correlation_id": event.correlation_id,
                "created_at": datetime.now(UTC),
            },
        )
        self.published.append(event)
        return event

    def emit_about(
        self, subject: ProjectFile, event_type: str, payload: dict[str, Any], articles: list[int]
    ) -> Event:
        """``emit`` an event about the project a service's file (``subject``) is of: its project
        code and the regulation version it is under are the file's."""
        return self.emit(
            event_type,
            payload,
            project_code=subject.project_code,
            regulation_version=subject.regulation_version,
            articles=articles,
        )

    def claim(self, consumer: str, event: Event) -> None:
        """Insert the inbox row for this message. A duplicate raises IntegrityError (the primary
        key), which aborts the whole transaction: no effect of a processed message twice."""
        self.session.execute(
            _insert_into(self._tables.processed_messages),
            {
                "consumer": consumer,
                "message_id": event.message_id,
                "event_type": event.event_type,
                "processed_at": datetime.now(UTC),
            },
        )


MAX_REQUEST_ID = 200  # characters of a request id (Idempotency-Key); the gateway refuses more


@dataclass(frozen=True)
class Idempotency:
    """A command's request id (the client's Idempotency-Key, or one the gateway made), scoped to
    the caller, with a fingerprint of the request and the command it names."""

    principal: str
    key: str
    fingerprint: str
    command: str = ""


class IdempotentReplay(Exception):
    """The command was already done under this key: here is its first response."""

    def __init__(self, response: Any) -> None:
        super().__init__("replay")
        self.response = response


class IdempotencyKeyReused(GovprojError):
    code = "idempotency_key_reused"


class RequestInProgress(GovprojError):
    code = "request_in_progress"


SUCCEEDED, REFUSED = "succeeded", "refused"


class CommandScope:
    """What a command's wrapper holds while the command runs: ``succeeded(result)`` keeps the
    response in the command's own transaction, so effects and response commit together."""

    def __init__(self, store: Store, tx: Transaction | None) -> None:
        self._store, self._tx = store, tx

    def succeeded(self, response: T) -> T:
        if self._tx is not None:
            self._store._keep_outcome(self._tx.session, SUCCEEDED, response=response)
        return response


class Store:
    """What a service's workers get: transactions on the service's own database."""

    def __init__(
        self,
        engine: Engine,
        tables: PlatformTables,
        on_published: Callable[[], None] = lambda: None,
        consumer: str = "",
        idempotency: Idempotency | None = None,
        today: Callable[[Session], date] = real_today,
    ) -> None:
        self.engine = engine
        self.today = today  # the service clock's today: a command's business date
        self.tables = tables
        self._on_published = on_published
        self.consumer = consumer  # "service.method" of the worker, the inbox's key
        self.idempotency = idempotency
        self._joined: Transaction | None = None  # the running command's one transaction

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction: commits on success, rolls back on any exception. Inside a
        command (``command()``) it is the command's own transaction, committed at its end."""
        if self._joined is not None:
            yield self._joined
            return
        with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
            with Session(writer(self.engine), expire_on_commit=False) as session, session.begin():
                tx = Transaction(session, self.tables, self.today)
                with _acting(tx):
                    yield tx
        if tx.published:
            self._on_published()

    @contextmanager
    def command(self) -> Iterator[CommandScope]:
        """Run a command exactly once in effect per request id: the claim of the id, every
        effect, every event and the response commit in ONE transaction, so a redelivered or
        retried request finds the claim and gets the first response (``IdempotentReplay``), and
        a crash anywhere leaves either all of it or none. A refusal is kept as the request's
        outcome (for ``GET /requests/{id}``) and does not hold the id: a retry may act."""
        if self.idempotency is None:  # an internal caller (tests, tools): no request id
            yield CommandScope(self, None)
            return
        try:
            with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
                with Session(writer(self.engine), expire_on_commit=False) as session, session.begin():
                    self._claim(session)
                    tx = self._joined = Transaction(session, self.tables, self.today)
                    try:
                        with _acting(tx):
                            yield CommandScope(self, tx)
                    finally:
                        self._joined = None
        except GovprojError as refusal:
            if not isinstance(refusal, (IdempotencyKeyReused, RequestInProgress)):
                self._keep_refusal(refusal)
            raise
        if tx.published:
            self._on_published()

    @property
    def _request(self) -> Idempotency:
        """The running command's request id: only a command that has one (``command()``)
        claims, keeps or refuses under it."""
        assert self.idempotency is not None
        return self.idempotency

    def _claim(self, session: Session) -> None:
        table, idem = self.tables.idempotency_keys, self._request
        row = self._row(session)
        if row is None:
            try:
                with session.begin_nested():
                    session.execute(
                        insert(table).values(
                            principal=idem.principal,
                            key=idem.key,
                            fingerprint=idem.fingerprint,
                            command=idem.command,
                            created_at=datetime.now(UTC),
                        )
                    )
                return
            except IntegrityError:  # a concurrent request with this id committed first
                row = self._row(session)
                if row is None:
                    raise RequestInProgress(
                        "a request with this Idempotency-Key is being processed",
                        "使用该 Idempotency-Key 的请求正在处理中",
                        details={"idempotency_key": idem.key},
                    ) from None
        if row.fingerprint != idem.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request",
                "该 Idempotency-Key 已用于另一请求",
                details={"idempotency_key": idem.key},
            )
        if row.outcome == REFUSED:  # the refused attempt changed nothing: this one may act
            # an UPDATE's result is a CursorResult (SQLAlchemy types Session.execute as any Result)
            taken = cast(
                "CursorResult[Any]",
                session.execute(
                    update(table)
                    .where(
                        table.c.principal == idem.principal,
                        table.c.key == idem.key,
                        table.c.outcome == REFUSED,
                    )
                    .values(outcome=None, error=None)
                ),
            ).rowcount
            if taken == 1:
                return
            row = self._row(session)
        if row is not None and row.response is not None:
            raise IdempotentReplay(json.loads(row.response))
        raise RequestInProgress(
            "the first request with this Idempotency-Key is still being processed",
            "使用该 Idempotency-Key 的首个请求仍在处理中",
            details={"idempotency_key": idem.key},
        )

    def _row(self, session: Session) -> Row[Any] | None:
        table, idem = self.tables.idempotency_keys, self._request
        return session.execute(
            select(table).where(table.c.principal == idem.principal, table.c.key == idem.key)
        ).first()

    def _keep_outcome(
        self, session: Session, outcome: str, *, response: Any = None, error: dict | None = None
    ) -> None:
        table, idem = self.tables.idempotency_keys, self._request
        session.execute(
            update(table)
            .where(table.c.principal == idem.principal, table.c.key == idem.key)
            .values(
                outcome=outcome,
                response=None
                if response is None and outcome == REFUSED
                else json.dumps(response, ensure_ascii=False, default=str),
                error=json.dumps(error, ensure_ascii=False, default=str) if error else None,
                decided_at=datetime.now(UTC),
            )
        )

    def _keep_refusal(self, refusal: GovprojError) -> None:
        """The request was refused and rolled back: keep the refusal as its outcome, unless
        another attempt under the same id has succeeded meanwhile."""
        table, idem = self.tables.idempotency_keys, self._request
        with write_lock(self.engine) if is_sqlite(self.engine) else _nothing():
            with Session(writer(self.engine)) as session, session.begin():
                row = self._row(session)
                if row is None:
                    try:
                        with session.begin_nested():
                            session.execute(
                                insert(table).values(
                                    principal=idem.principal,
                                    key=idem.key,
                                    fingerprint=idem.fingerprint,
                                    command=idem.command,
                                    created_at=datetime.now(UTC),
                                )
                            )
                    except IntegrityError:
                        return
                elif row.outcome == SUCCEEDED or row.fingerprint != idem.fingerprint:
                    return
                self._keep_outcome(session, REFUSED, error=refusal.as_dict())

    def outcome(self, principal: str, key: str) -> dict | None:
        """What became of the caller's request ``key``: None when this service never decided it."""
        table = self.tables.idempotency_keys
        with self.read() as session:
            row = session.execute(
                select(table).where(table.c.principal == principal, table.c.key == key)
            ).first()
        if row is None or (row.outcome is None and row.response is None):
            return None
        return {
            "state": row.outcome or SUCCEEDED,
            "command": row.command or None,
            "response": json.loads(row.response) if row.response is not None else None,
            "error": json.loads(row.error) if row.error else None,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        }

    @contextmanager
    def read(self) -> Iterator[Session]:
        if self._joined is not None:  # a command reads what it has written so far
            yield self._joined.session
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read whose statements all see one moment: REPEATABLE READ on PostgreSQL (read
        committed would let a commit land between two SELECTs); SQLite's explicit BEGIN in WAL
        mode is a snapshot already."""
        if self._joined is not None:
            yield self._joined.session
            return
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
                tx.business_date = event.day  # the publisher's day, not this service's
                return effect(tx, event)
        except IntegrityError:
            with self.read() as session:
                table = self.tables.processed_messages
                if session.execute(
                    select(table.c.message_id).where(
                        table.c.consumer == consumer, table.c.message_id == event.message_id
                    )
                ).first():
                    return None
            raise

    def handle_batch_once(
        self, events: Sequence[Event], effect: Callable[[Transaction, list[Event]], object]
    ) -> list[Event]:
        """``handle_once`` for a batch (issue 19): ONE transaction claims the inbox for every
        event not yet processed by this consumer — one SELECT of those already claimed, one
        multi-row insert of the new claims — and applies ``effect`` to them, in order; a message
        id twice in the batch counts once. Returns the events applied (the duplicates left out).

        Any failure rolls back the whole batch, claims included; the caller then handles the
        events one at a time (a batch of one), so each has its own outcome. A concurrent
        consumer that claimed them first makes the insert collide: when every claim is then
        found, nothing is applied (as ``handle_once``); else the same fallback sorts them out.
        The business date of a batch of one is its event's; in a larger batch the effect sets
        each record's itself (``tx.business_date = event.day``) when it writes dated rows."""
        consumer, table = self.consumer, self.tables.processed_messages
        unique = list({event.message_id: event for event in events}.values())  # in arrival order
        ids = [event.message_id for event in unique]
        try:
            with self.transaction() as tx:
                claimed = set(
                    tx.session.scalars(
                        select(table.c.message_id).where(
                            table.c.consumer == consumer, table.c.message_id.in_(ids)
                        )
                    )
                )
                fresh = [event for event in unique if event.message_id not in claimed]
                if fresh:
                    now = datetime.now(UTC)
                    tx.session.execute(
                        insert(table),
                        [
                            {
                                "consumer": consumer,
                                "message_id": event.message_id,
                                "event_type": event.event_type,
                                "processed_at": now,
                            }
                            for event in fresh
                        ],
                    )
                    if len(fresh) == 1:
                        tx.business_date = fresh[0].day  # one event: its publisher's day
                    effect(tx, fresh)
        except IntegrityError:  # a concurrent consumer claimed some first: were they all?
            with self.read() as session:
                found = session.scalars(
                    select(table.c.message_id).where(
                        table.c.consumer == consumer, table.c.message_id.in_(ids)
                    )
                ).all()
            if len(set(found)) == len(ids):
                return []
            raise
        return fresh


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _acting(tx: Transaction) -> Iterator[None]:
    token = _ACTING.set(tx)
    try:
        yield
    finally:
        _ACTING.reset(token)
