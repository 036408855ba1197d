"""The gateway's metrics and request spans (issue 17).

``GET /metrics`` (beside ``/healthz``): requests by route template and status, latency histograms
by route, whether the broker connection works and which services answer (as ``/readyz`` last saw
them). Under gunicorn every worker is its own process: prometheus-client's multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``, set — before anything imports prometheus-client — and emptied
by ``gunicorn.conf.py``; default ``/tmp/govproj-gateway-metrics-<port>``) adds them up at scrape
time. Without the variable (tests,
one process) the default registry answers.

Each request runs in an OpenTelemetry span continuing the client's ``traceparent`` (or starting a
trace); the RPCs it makes carry its own (``nameko.traceparent``), so the services' workers — and
the events they emit — share its trace id (``shared.tracing``).
"""

from __future__ import annotations

import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "govproj_gateway_requests_total",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "govproj_gateway_request_seconds",
    "HTTP request latency by method and route template",
    ["method", "route"],
    buckets=BUCKETS,
)
BROKER_UP = Gauge(
    "govproj_gateway_broker_up",
    "1 when the gateway's broker connection worked at the last /readyz",
    multiprocess_mode="mostrecent",
)
SERVICE_ANSWERING = Gauge(
    "govproj_gateway_service_answering",
    "1 when the service answered its health call at the last /readyz",
    ["service"],
    multiprocess_mode="mostrecent",
)

# paths outside the endpoint table, named as themselves; anything else unmatched is one series
FIXED_ROUTES = ("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json")


def route_of(path: str, template: str | None) -> str:
    """The label for a request: its endpoint's template (``/api/v1/projects/{code}``), a fixed
    path, ``/console`` for the console's pages, else ``unmatched`` — never the raw path, whose
    values would make a series per project."""
    if template:  # the endpoint table's werkzeug rule, written as OpenAPI writes its paths
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", template)
    if path in FIXED_ROUTES:
        return path
    if path == "/console" or path.startswith("/console/"):
        return "/console"
    return "unmatched"


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def observe_readiness(broker_ok: bool, answering: dict[str, bool]) -> None:
    BROKER_UP.set(1 if broker_ok else 0)
    for service, ok in answering.items():
        SERVICE_ANSWERING.labels(service).set(1 if ok else 0)


def exposition() -> tuple[bytes, str]:
    """(body, content type): every gunicorn worker's metrics added up in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
