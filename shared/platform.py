"""What every nameko service is built from: its database, clock, calendar, log context, health.

A service class inherits ``PlatformService`` and declares ``db = Database(tables)``; it then has a
``health`` RPC, the outbox relay running, and the platform event handlers (simulated clock,
operator-loaded calendar years).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import eventlet
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler, http
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from shared import authz, callers, health, keys, logs
from shared.authz import Identity
from shared.context import AppContext
from shared.events import Event
from shared.health import Probes
from shared.messaging import topology
from shared.messaging.federation import broker_services
from shared.messaging.outbox import OutboxRelay, RelayLoop, backlog
from shared.messaging.reliable import batched_handler, reliable_handler
from shared.messaging.rpc import rpc
from shared.observability import Metrics, Tracing
from shared.persistence.engine import create_engine_for
from shared.persistence.platform_tables import PlatformTables
from shared.persistence.store import (
    MAX_REQUEST_ID,
    Idempotency,
    IdempotentReplay,
    Store,
    Transaction,
    real_today,
)
from shared.persistence.upsert import upsert
from shared.policy import all_policies
from shared.timekit import (
    Clock,
    RealClock,
    SimulatedClock,
    WorkingCalendar,
    YearSchedule,
    official_calendar,
)

if TYPE_CHECKING:
    from nameko.containers import ServiceContainer, WorkerContext

log = logging.getLogger(__name__)

# what an RPC method is, to the decorators below (nameko calls it with the service instance)
Method = Callable[..., Any]


class Database(DependencyProvider):
    """The service's own database and its outbox relay. Config: ``DB_URI``."""

    def __init__(self, tables: PlatformTables) -> None:
        self.tables = tables

    def setup(self) -> None:
        config = self.container.config
        self.engine = create_engine_for(config["DB_URI"])
        self.relay = OutboxRelay(
            self.engine,
            self.tables,
            config["AMQP_URI"],
            signing_key=keys.load_signing_key(keys.keys_dir(config), self.container.service_name),
            local_consumers=broker_services(config.get("BROKER_SERVICES")),
        )
        self.loop = RelayLoop(self.relay, float(config.get("OUTBOX_POLL_SECONDS", 1.0)))
        self.relay_enabled = bool(config.get("OUTBOX_RELAY", True))
        self.relay_thread = None

    def start(self) -> None:
        if self.relay_enabled:
            self.relay_thread = self.container.spawn_managed_thread(self.loop.run, identifier="outbox-relay")

    def stop(self) -> None:
        """A graceful stop (the workers have finished): the relay loop ends its round, then
        publishes what they committed (``RelayLoop.flush``, bounded), then the engine closes."""
        self.loop.stop()
        if self.relay_thread is not None:
            with eventlet.Timeout(10, False):
                self.relay_thread.wait()
            if self.loop.stopped:  # else it is stuck in the broker; the container kills it
                self.loop.flush(float(self.container.config.get("OUTBOX_FLUSH_SECONDS", 5)))
                self.loop.relay.close()
        self.engine.dispose()

    def kill(self) -> None:
        self.loop.stop()
        self.engine.dispose()

    def store(self, consumer: str = "") -> Store:
        clock = _clock_provider(self.container)
        return Store(
            self.engine,
            self.tables,
            on_published=self.loop.wake,
            consumer=consumer,
            today=clock.today_in if clock else real_today,
        )

    def get_dependency(self, worker_ctx: WorkerContext) -> Store:
        name = f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}"
        store = self.store(name)
        identity = caller_of(worker_ctx)
        key = worker_ctx.data.get("idempotency_key")
        if identity is not None and isinstance(key, str) and 0 < len(key) <= MAX_REQUEST_ID:
            store.idempotency = Idempotency(
                principal=identity.sub,
                key=key,
                command=name,
                fingerprint=str(worker_ctx.data.get("request_fingerprint", ""))[:64],
            )
        return store


def _database(container: ServiceContainer) -> Database:
    for dependency in container.dependencies:
        if isinstance(dependency, Database):
            return dependency
    raise RuntimeError("the service declares no Database")


def _clock_provider(container: ServiceContainer) -> ClockProvider | None:
    for dependency in container.dependencies:
        if isinstance(dependency, ClockProvider):
            return dependency
    return None


class ClockProvider(DependencyProvider):
    """``self.clock.today()``. Config ``CLOCK``: ``real`` (default) or ``simulated``."""

    def setup(self) -> None:
        self.mode = self.container.config.get("CLOCK") or "real"
        if self.mode not in ("real", "simulated"):
            raise ValueError(f"CLOCK must be real or simulated, not {self.mode!r}")

    def clock(self) -> Clock:
        if self.mode == "real":
            return RealClock()
        db = _database(self.container)
        table = db.tables.simulated_clock
        statement = select(table.c.today).where(table.c.id == 1)

        def simulated_today() -> date | None:  # asked by every command: a bare connection
            with db.engine.connect() as conn:
                return conn.scalar(statement)

        return SimulatedClock(simulated_today)

    def today_in(self, session: Session) -> date:
        """Today on this clock, read through ``session`` (a transaction's business date)."""
        if self.mode == "simulated":
            table = _database(self.container).tables.simulated_clock
            day = session.scalar(select(table.c.today).where(table.c.id == 1))
            if day is not None:
                return day
        return RealClock().today()

    def get_dependency(self, worker_ctx: WorkerContext) -> Clock:
        return self.clock()


class CalendarProvider(DependencyProvider):
    """``self.calendar``: the official working-day calendar plus operator-loaded years."""

    def setup(self) -> None:
        self._cached: tuple[float, WorkingCalendar] | None = None

    def calendar(self) -> WorkingCalendar:
        if self._cached and time.monotonic() - self._cached[0] < 5:
            return self._cached[1]
        db = _database(self.container)
        table = db.tables.calendar_years
        with Session(db.engine) as session:
            rows = session.execute(select(table)).all()
        calendar = official_calendar(
            YearSchedule(
                year=row.year,
                holidays=frozenset(date.fromisoformat(d) for d in json.loads(row.holidays)),
                workdays=frozenset(date.fromisoformat(d) for d in json.loads(row.workdays)),
            )
            for row in rows
        )
        self._cached = (time.monotonic(), calendar)
        return calendar

    def invalidate(self) -> None:
        self._cached = None

    def get_dependency(self, worker_ctx: WorkerContext) -> WorkingCalendar | None:
        if isinstance(worker_ctx.entrypoint, HttpRequestHandler):
            # the probes and the scrape read no calendar, and must answer (503 naming the
            # database) when the database does not — loading it here would fail the worker
            return None
        return self.calendar()


def caller_of(worker_ctx: WorkerContext) -> Identity | None:
    """The caller the gateway vouches for in a signed assertion (``shared.callers``), verified
    once per worker: signature under a gateway key, issuer, this service as audience, expiry.
    No identity is None (the matrix refuses it where one is needed); an identity that does not
    verify is refused and logged — never trusted, never half-trusted."""
    if hasattr(worker_ctx, "_govproj_caller"):
        return worker_ctx._govproj_caller
    assertion, identity = worker_ctx.data.get("identity"), None
    if assertion is not None:
        container = worker_ctx.container
        try:
            identity = callers.verify(
                assertion, keys.key_ring(keys.keys_dir(container.config)), container.service_name
            )
        except callers.UnverifiedCaller as exc:
            log.warning(
                "refused the caller's identity: %s",
                exc.reason,
                extra={
                    "entrypoint": f"{container.service_name}.{worker_ctx.entrypoint.method_name}",
                    "call_id": worker_ctx.call_id,
                },
            )
    worker_ctx._govproj_caller = identity
    return identity


class Caller(DependencyProvider):
    """``self.caller``: the Identity the gateway authenticated and signed for (None when the
    request carries none, or one that does not verify)."""

    def get_dependency(self, worker_ctx: WorkerContext) -> Identity | None:
        return caller_of(worker_ctx)


class TrustedKeys(DependencyProvider):
    """``self.trusted_keys``: the publishers' public keys this deployment trusts (``KEYS_DIR``)."""

    def get_dependency(self, worker_ctx: WorkerContext) -> keys.KeyRing:
        return keys.key_ring(keys.keys_dir(self.container.config))


# PostgreSQL's "deadlock detected" and "could not serialize access": the transaction was rolled
# back whole — the request id's claim with it —, so the command may simply run again
RACE_LOST = frozenset({"40P01", "40001"})
COMMAND_ATTEMPTS = 2


def lost_a_race(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "pgcode", None) in RACE_LOST


def command(permission: str) -> Callable[[Method], Method]:
    """An RPC command: re-checks the role matrix, and runs exactly once in effect per request id
    (the Idempotency-Key, or the id the gateway gave the request): the id's claim, the effects,
    the events and the response commit in one transaction (``Store.command``); a replay — a
    client's retry or the broker's redelivery — returns the first response. A command that lost
    a race on PostgreSQL (a deadlock, a serialization failure) runs once more: the safety net
    under the locks each use case takes in one order (a 500 otherwise)."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            authz.require(self.caller, permission)
            for attempt in range(1, COMMAND_ATTEMPTS + 1):
                try:
                    with self.db.command() as scope:
                        return scope.succeeded(method(self, *args, **kwargs))
                except IdempotentReplay as replay:
                    return replay.response
                except DBAPIError as exc:
                    if attempt == COMMAND_ATTEMPTS or not lost_a_race(exc):
                        raise
                    log.info(
                        "command %s lost a race on the database (%s); running it again",
                        method.__name__,
                        exc.orig.pgcode,  # type: ignore[union-attr]
                    )
            raise AssertionError("unreachable")  # the last attempt returned or raised

        return wrapper

    return decorate


def query(permission: str) -> Callable[[Method], Method]:
    """An RPC read: re-checks the role matrix."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            authz.require(self.caller, permission)
            return method(self, *args, **kwargs)

        return wrapper

    return decorate


# what an event's effect is to the inbox (``Store.handle_once``): applied in the claim's transaction
Effect = Callable[[Transaction, Event], Any]


def subscribe(
    name: str,
    effect: Effect | None = None,
    *,
    effect_for: Callable[[Any], Effect] | None = None,
    batched: bool = False,
) -> Method:
    """A service's subscription to the event type ``name``, in one line (a class attribute):
    the reliable handler (``shared.messaging.reliable``) that applies ``effect`` exactly once per
    message through the inbox (``Store.handle_once``: the claim and the effects in one commit).

    ``effect_for(service)`` instead, for an effect that needs the worker's clock or calendar,
    built per delivery. nameko finds the handler under the attribute's name, which names its
    entrypoint in the logs and the inbox's consumer; the queue it consumes is the registry's
    (``SUBSCRIPTIONS``)::

        on_change_decided = subscribe("change_decided", application.change_decided)

    ``batched=True`` (issue 19) takes the deliveries in batches (``BatchingEventHandler``): one
    transaction claims the inbox for every event of a batch and applies ``effect`` to each in
    arrival order (``Store.handle_batch_once``), each with its own business date and log
    context. Only for effects that are independent per event — a projection an event writes
    whatever the others of the batch do, never raising to wait for another event: a failing
    event rolls back its whole batch, whose events are then handled one by one (each acked,
    retried or dead-lettered alone, as without batching), so a batch that often fails costs
    twice. The handler method then receives a list of events.
    """
    if (effect is None) == (effect_for is None):
        raise TypeError(f"subscribe({name!r}): give either an effect or effect_for, not both or neither")

    def effect_of(service: Any) -> Effect:
        if effect_for is not None:
            return effect_for(service)
        assert effect is not None  # one of the two, checked above
        return effect

    def handler(self: Any, event: Event) -> None:
        self.db.handle_once(event, effect_of(self))

    def batch_handler(self: Any, events: list[Event]) -> None:
        self.db.handle_batch_once(events, functools.partial(_each_event, effect_of(self)))

    chosen = batch_handler if batched else handler
    chosen.__name__ = chosen.__qualname__ = f"on_{name}"
    chosen.__doc__ = f"The {name} event, applied once (shared.platform.subscribe)."
    if batched:
        return batched_handler(name)(chosen)
    return reliable_handler(name)(chosen)


def _each_event(effect: Effect, tx: Transaction, events: list[Event]) -> None:
    """``effect`` on each event of a batch in one transaction, as it would run alone: the
    business date the event carries (what it records and emits is dated by it), and its
    correlation id and project code in the logs and in any event it emits."""
    worker = logs.current()
    try:
        for event in events:
            tx.business_date = event.day
            logs.clear()
            logs.bind(
                **{**worker, "correlation_id": event.correlation_id, "project_code": event.project_code}
            )
            effect(tx, event)
    finally:
        logs.clear()
        logs.bind(**worker)


class LogContext(DependencyProvider):
    """Binds correlation id and project code into every log line of a worker."""

    def worker_setup(self, worker_ctx: WorkerContext) -> None:
        data = worker_ctx.data
        logs.clear()
        identity = caller_of(worker_ctx)
        logs.bind(
            correlation_id=data.get("correlation_id") or worker_ctx.call_id,
            actor=identity.sub if identity else None,
            project_code=data.get("project_code"),
            entrypoint=f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}",
        )

    def worker_teardown(self, worker_ctx: WorkerContext) -> None:
        logs.clear()


def _apply_clock_set(tables: PlatformTables) -> Callable[[Transaction, Event], None]:
    def effect(tx: Transaction, event: Event) -> None:
        data = event.data()
        upsert(
            tx.session,
            tables.simulated_clock,
            {"id": 1, "today": data["today"], "set_by": data["set_by"], "set_at": event.occurred_at},
            keys=["id"],
            newer_than="set_at",
        )

    return effect


def _apply_calendar_year(tables: PlatformTables) -> Callable[[Transaction, Event], None]:
    def effect(tx: Transaction, event: Event) -> None:
        data = event.data()
        YearSchedule(data["year"], frozenset(data["holidays"]), frozenset(data["workdays"]))
        upsert(
            tx.session,
            tables.calendar_years,
            {
                "year": data["year"],
                "holidays": json.dumps(event.payload["holidays"]),
                "workdays": json.dumps(event.payload["workdays"]),
                "loaded_by": data["loaded_by"],
                "loaded_at": event.occurred_at,
            },
            keys=["year"],
            newer_than="loaded_at",
        )

    return effect


class OperableProcess:
    """What every govproj process serves for its operators (issue 17): probes and metrics over
    HTTP, worker timings, trace context, log context. Subclasses set ``name`` and ``db``."""

    name: str
    db: Database
    log_context = LogContext()
    probes = Probes()
    worker_metrics = Metrics()
    worker_tracing = Tracing()
    metrics_hooks: tuple = ()  # f(service) setting scrape-time gauges (supervision: deadlines)

    @http("GET", "/health/live")
    def health_live(self, request: Request) -> Response:
        """200 while the event loop runs: answering is the proof."""
        return health.json_response(200, {"service": self.name, "status": "alive"})

    @http("GET", "/health/ready")
    def health_ready(self, request: Request) -> Response:
        """200 when consumers are attached, the database answers and the outbox drains;
        else 503 naming each failing check (``shared.health``)."""
        return health.json_response(*self.probes.ready())

    @http("GET", "/metrics")
    def prometheus_metrics(self, request: Request) -> Response:
        body, content_type = self.probes.metrics(self.metrics_hooks, self)
        return Response(body, content_type=content_type)


UseCases = TypeVar("UseCases")


class PlatformService(OperableProcess, Generic[UseCases]):
    """Base of every govproj service (subclasses set ``name``, ``db`` and ``use_cases``): its RPC
    health and request outcomes, clock, calendar, caller, its use cases, and the platform's own
    event handlers."""

    clock = ClockProvider()
    calendar = CalendarProvider()
    caller = Caller()
    trusted_keys = TrustedKeys()
    use_cases: Callable[[AppContext], UseCases]  # the service's use-case class (application.py)

    @property
    def cases(self) -> UseCases:
        """The use cases against this worker's store and clock (shared.context)."""
        return self.use_cases(AppContext(self.db, self.clock))

    @rpc
    def health(self) -> dict:
        """Liveness over the bus: the database answers and the outbox is draining."""
        with self.db.read() as session:
            session.execute(text("SELECT 1"))
            loaded = sorted(session.scalars(select(self.db.tables.calendar_years.c.year)))
        pending, oldest = backlog(self.db.engine, self.db.tables.outbox)
        return {
            "service": self.name,
            "status": "ok",
            "database": self.db.engine.dialect.name,
            "outbox_pending": pending,
            "outbox_oldest_pending": oldest.isoformat() if oldest else None,
            "today": self.clock.today().isoformat(),
            "regulations": [p.id for p in all_policies()],
            "calendar_years_loaded": loaded,  # by the operator, beyond the built-in schedules
            "dead_letter_queue": topology.dead_letter_queue_name(self.name),
        }

    @rpc
    def request_outcome(self, request_id: str) -> dict | None:
        """What became of the caller's write ``request_id`` here: succeeded (with its response)
        or refused (with its error); None when this service never decided it."""
        if self.caller is None:
            return None
        return self.db.outcome(self.caller.sub, str(request_id)[:MAX_REQUEST_ID])

    # both upsert one row, newest by its time (order-free), never waiting for another event: batched
    on_clock_set = subscribe(
        "clock_set", effect_for=lambda service: _apply_clock_set(service.db.tables), batched=True
    )
    on_calendar_year_loaded = subscribe(
        "calendar_year_loaded",
        effect_for=lambda service: _apply_calendar_year(service.db.tables),
        batched=True,
    )
