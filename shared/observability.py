"""What an operator sees of a running service (issue 17): Prometheus metrics, W3C trace context.

**Metrics** (``prometheus-client``; one registry per process, every series labelled by
``service``): events handled / retried / dead-lettered by type, handler latency, RPC latency by
method, the outbox backlog and the age of its oldest pending row, and what a service adds at
scrape time (supervision: its deadlines open, suspended and missed). Not ``nameko-prometheus``:
it registers its metrics again on every container ``setup`` — the second service container in one
process (every in-process test) fails with "Duplicated timeseries" — names them per service
prefix (``finance_rpc_requests_total``: one dashboard query per agency), sees a worker's end but
not what the reliable handler decided (retried, dead-lettered), and is alpha for Python ≤ 3.10.
A small ``DependencyProvider`` (``Metrics``) over prometheus-client does what we need.

**Traces** (OpenTelemetry): the gateway starts a span per request (or continues the caller's
``traceparent``) and sends W3C ``traceparent`` with each RPC (nameko context header
``nameko.traceparent``); a service's worker continues it (``Tracing``), and every event it emits
carries the ``traceparent`` of that worker in its envelope, so the consumers' workers — in other
agencies — continue the same trace. JSON log lines carry ``trace_id`` and ``span_id``
(``shared.logs``). Spans are exported (OTLP over HTTP) only when ``OTEL_EXPORTER_OTLP_ENDPOINT``
is set; otherwise ids are still made and carried, and nothing leaves the process.
"""

from __future__ import annotations

import logging
import time
from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from opentelemetry import context as otel_context
from opentelemetry import trace
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from shared.tracing import TRACEPARENT, configure_tracing, extract, tracer

if TYPE_CHECKING:
    from nameko.containers import WorkerContext

log = logging.getLogger(__name__)

# what nameko hands ``worker_result`` for a failed worker (``sys.exc_info()``)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType]

# -- metrics -----------------------------------------------------------------------------------

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

EVENTS_HANDLED = Counter(
    "govproj_events_handled_total", "Events a service handled successfully (acked)", ["service", "event_type"]
)
EVENTS_RETRIED = Counter(
    "govproj_events_retried_total",
    "Event deliveries that failed and were scheduled again",
    ["service", "event_type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "govproj_events_dead_lettered_total",
    "Events moved to the service's dead-letter queue (outcome: invalid, rejected, exhausted)",
    ["service", "event_type", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "govproj_event_handler_seconds",
    "Event handler latency (worker start to its decision)",
    ["service", "event_type"],
    buckets=LATENCY_BUCKETS,
)
RPC_SECONDS = Histogram(
    "govproj_rpc_seconds",
    "RPC latency inside the service, by method and outcome (ok, error)",
    ["service", "method", "outcome"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_BACKLOG = Gauge("govproj_outbox_backlog", "Outbox rows committed and not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "govproj_outbox_oldest_pending_age_seconds",
    "Age of the oldest unpublished outbox row (0 when none)",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "govproj_outbox_published_total", "Outbox rows the relay published (confirmed, routed)", ["service"]
)
DEADLINES = Gauge(
    "govproj_deadlines",
    "Deadlines of docs/regulation.md §11 by kind and status "
    "(open, suspended, missed, overdue = open past its due date)",
    ["service", "kind", "status"],
)
READY = Gauge("govproj_ready", "1 when the service's last readiness check passed", ["service"])

DEAD_OUTCOMES = ("invalid", "rejected", "exhausted")


def event_handled(service: str, event_type: str) -> None:
    EVENTS_HANDLED.labels(service, event_type).inc()


def event_retried(service: str, event_type: str) -> None:
    EVENTS_RETRIED.labels(service, event_type).inc()


def event_dead_lettered(service: str, event_type: str, outcome: str) -> None:
    EVENTS_DEAD_LETTERED.labels(service, event_type or "unknown", outcome).inc()


def exposition(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """(body, content type) of the Prometheus text exposition."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


class Metrics(DependencyProvider):
    """Times every worker: RPC methods (``govproj_rpc_seconds``) and reliable event handlers
    (``govproj_event_handler_seconds``). The handled / retried / dead-lettered counts are the
    reliable handler's decisions (``shared.messaging.reliable``)."""

    def setup(self) -> None:
        self._started: WeakKeyDictionary[WorkerContext, float] = WeakKeyDictionary()

    def worker_setup(self, worker_ctx: WorkerContext) -> None:
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(
        self,
        worker_ctx: WorkerContext,
        result: Any = None,
        exc_info: ExcInfo | None = None,
    ) -> None:
        started = self._started.pop(worker_ctx, None)
        if started is None:
            return
        elapsed = time.perf_counter() - started
        service = self.container.service_name
        entrypoint = worker_ctx.entrypoint
        from nameko.rpc import Rpc

        from shared.messaging.reliable import ReliableEventHandler

        if isinstance(entrypoint, ReliableEventHandler):
            HANDLER_SECONDS.labels(service, entrypoint.event_type).observe(elapsed)
        elif isinstance(entrypoint, Rpc):
            RPC_SECONDS.labels(
                service, entrypoint.method_name, "ok" if exc_info is None else "error"
            ).observe(elapsed)


def observe_outbox(service: str, pending: int, oldest_age_seconds: float | None) -> None:
    OUTBOX_BACKLOG.labels(service).set(pending)
    OUTBOX_OLDEST_AGE.labels(service).set(oldest_age_seconds or 0.0)


def observe_deadlines(service: str, counts: dict[tuple[str, str], int]) -> None:
    """``{(kind, status): n}`` as of now; a (kind, status) no longer present goes to 0."""
    for labels in list(_DEADLINE_LABELS.get(service, set())):
        if labels not in counts:
            DEADLINES.labels(service, *labels).set(0)
    for (kind, status), n in counts.items():
        DEADLINES.labels(service, kind, status).set(n)
    _DEADLINE_LABELS[service] = set(_DEADLINE_LABELS.get(service, set())) | set(counts)


_DEADLINE_LABELS: dict[str, set[tuple[str, str]]] = {}


# -- traces (the ids and their propagation: shared.tracing, free of nameko for the gateway) --


class Tracing(DependencyProvider):
    """Each worker runs in a span continuing the ``traceparent`` it was given — an RPC's nameko
    context header, an event envelope's (``shared.messaging.reliable``) — or starting a trace."""

    def setup(self) -> None:
        configure_tracing(self.container.service_name)
        self._spans: WeakKeyDictionary[WorkerContext, tuple[trace.Span, Token[otel_context.Context]]] = (
            WeakKeyDictionary()
        )

    def worker_setup(self, worker_ctx: WorkerContext) -> None:
        from nameko.web.handlers import HttpRequestHandler

        if isinstance(worker_ctx.entrypoint, HttpRequestHandler):  # probes and scrapes
            return
        parent = extract(worker_ctx.data.get(TRACEPARENT))
        name = f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}"
        span = tracer().start_span(
            name,
            context=parent,
            kind=trace.SpanKind.CONSUMER if worker_ctx.data.get("message_id") else trace.SpanKind.SERVER,
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        self._spans[worker_ctx] = (span, token)

    def worker_result(
        self,
        worker_ctx: WorkerContext,
        result: Any = None,
        exc_info: ExcInfo | None = None,
    ) -> None:
        entry = self._spans.get(worker_ctx)
        if entry is not None and exc_info is not None:
            entry[0].set_status(trace.Status(trace.StatusCode.ERROR, type(exc_info[1]).__name__))

    def worker_teardown(self, worker_ctx: WorkerContext) -> None:
        entry = self._spans.pop(worker_ctx, None)
        if entry is None:
            return
        span, token = entry
        span.end()
        try:
            otel_context.detach(token)
        except Exception:  # a token of another context (should not happen): never fail a worker
            log.debug("could not detach the trace context", exc_info=True)
