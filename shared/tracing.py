"""W3C trace context (``traceparent``) with OpenTelemetry, for the gateway and the services alike
(no nameko here: the gateway never imports eventlet). See ``shared.observability`` for how it
travels: gateway → RPC header ``nameko.traceparent`` → the service's worker → every event it emits
(the envelope's ``traceparent``) → the consumers' workers.
"""

from __future__ import annotations

import functools
import logging
import os

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_configured = False


def configure_tracing(service_name: str) -> None:
    """Install the SDK's tracer provider once per process: ids are made and carried always;
    spans leave the process (OTLP/HTTP, batched) only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is
    set (the exporter reads it and the other ``OTEL_EXPORTER_OTLP_*`` variables itself)."""
    global _configured
    if _configured:
        return
    _configured = True
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME") or f"govproj-{service_name}"}
        )
    )
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        log.info(
            "exporting traces over OTLP to %s",
            os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"],
        )
    trace.set_tracer_provider(provider)


@functools.cache
def tracer() -> trace.Tracer:
    """The suite's tracer, asked of the provider once (issue 19: asking again cost about a tenth
    of a millisecond per request and per worker). One asked before ``configure_tracing`` is
    OpenTelemetry's proxy, which follows the provider once it is set."""
    return trace.get_tracer("govproj")


def extract(traceparent: str | None) -> otel_context.Context:
    """The context a W3C ``traceparent`` continues (an empty one when absent or malformed)."""
    if not traceparent or not isinstance(traceparent, str):
        return otel_context.Context()
    return _PROPAGATOR.extract({TRACEPARENT: traceparent})


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the span in progress (None outside any)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) in hex of the span in progress, for log lines."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return trace.format_trace_id(ctx.trace_id), trace.format_span_id(ctx.span_id)
