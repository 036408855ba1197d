"""The WSGI application: authenticate, route, check the role, validate, call the owning
service, answer in one error format. Business rules live in the services, not here."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError
from opentelemetry import trace
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from services import console
from services.gateway import limits, outcomes, pages, telemetry
from services.gateway.auth import Authenticator
from services.gateway.endpoints import ENDPOINTS, Endpoint
from services.gateway.errors import error_body, to_response
from services.gateway.limits import Malformed
from services.gateway.openapi import openapi_document
from services.gateway.rpc import (
    OutcomeUnknown,
    RemoteError,
    RoutedRpcClient,
    RpcClient,
    ServiceUnavailable,
    service_uris,
)
from shared import authz, keys, tracing
from shared.config import SERVICES
from shared.errors import GovprojError, ValidationFailed
from shared.persistence.store import MAX_REQUEST_ID
from shared.timekit.clock import REAL_CLOCK_EN, REAL_CLOCK_ZH
from shared.wire import schema_of

log = logging.getLogger("govproj.gateway")

PREFIX = "/api/v1"
WRITES = ("POST", "PUT")
REQUEST_KEY_HEADER = "govproj.request_key"  # the write's request id, echoed in every answer


class NotAllowed(GovprojError):
    """405, with the ``Allow`` header HTTP requires (RFC 9110 §15.5.6)."""

    code = "method_not_allowed"

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(
            f"{method} is not allowed here; allowed: {', '.join(allowed)}",
            f"此路径不支持 {method} 方法，可用：{', '.join(allowed)}",
            details={"allowed": allowed},
        )
        self.headers = {"Allow": ", ".join(allowed)}


def json_response(status: int, body: Any, request_id: str, headers: dict | None = None) -> Response:
    try:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (stored before it was refused): escape it
        data = json.dumps(body).encode("ascii")
    return Response(
        data,
        status=status,
        content_type="application/json; charset=utf-8",
        headers={"X-Request-Id": request_id, **(headers or {})},
    )


class Reads:
    """RPC with the request's context, for reads composed from several services."""

    def __init__(self, rpc: RpcClient, context: dict[str, Any]) -> None:
        self.rpc, self.context = rpc, context

    def __call__(self, service: str, method: str, *args: Any) -> Any:
        return self.rpc.call(service, method, *args, context=self.context, read=True)

    def gather(self, calls: list[tuple]) -> list[tuple[Any, Exception | None]]:
        return self.rpc.gather(calls, context=self.context)


class Gateway:
    def __init__(self, config: dict[str, Any], rpc: RpcClient | None = None) -> None:
        self.config = config
        self.auth = Authenticator(config)
        # a service of an agency on its own broker is reached there (AMQP_URI_<SERVICE>)
        self.rpc = rpc or RoutedRpcClient.from_uris(
            config["AMQP_URI"],
            service_uris(config),
            float(config.get("RPC_TIMEOUT", 10)),
            caller_key=keys.load_signing_key(keys.keys_dir(config), "gateway"),
        )
        self.simulated_clock = config.get("CLOCK") == "simulated"
        self.url_map = Map([Rule(PREFIX + e.path, endpoint=e, methods=[e.method]) for e in ENDPOINTS])
        self.openapi = openapi_document()

    def __call__(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Every request in a span continuing the client's W3C ``traceparent`` (issue 17), counted
        and timed by route template and status (``services.gateway.telemetry``)."""
        seen: dict[str, str] = {}
        started = time.perf_counter()
        with tracing.tracer().start_as_current_span(
            f"{request.method} {request.path}",
            kind=trace.SpanKind.SERVER,
            context=tracing.extract(request.headers.get("traceparent")),
        ) as span:
            response = self._handle(request, seen)
            route = telemetry.route_of(request.path, seen.get("route"))
            span.update_name(f"{request.method} {route}")
            span.set_attribute("http.response.status_code", response.status_code)
        telemetry.observe(request.method, route, response.status_code, time.perf_counter() - started)
        return response

    def _handle(self, request: Request, seen: dict[str, str]) -> Response:
        request_id = _client_request_id(request) or uuid.uuid4().hex
        started = time.perf_counter()
        identity = None
        try:
            if console.owns(request.path):  # the agencies' console: services/console
                return console.serve(self, request)
            if request.path == "/healthz":
                return json_response(200, {"status": "ok"}, request_id)
            if request.path == "/metrics":  # Prometheus exposition (multiprocess under gunicorn)
                body, content_type = telemetry.exposition()
                return Response(
                    body, status=200, content_type=content_type, headers={"X-Request-Id": request_id}
                )
            if request.path == "/readyz":
                status, body = self.readiness()
                return json_response(status, body, request_id)
            if request.path == PREFIX + "/openapi.json":
                return json_response(200, self.openapi, request_id)
            identity = self.auth.identify(request.headers.get("Authorization"))
            endpoint, params = self._route(request)
            seen["route"] = PREFIX + endpoint.path
            authz.require(identity, endpoint.permission)
            status, result, headers = self.call(endpoint, params, request, identity, request_id)
            result, headers = pages.with_next(endpoint, request, status, result, headers)
            return json_response(status, result, request_id, headers)
        except Exception as exc:
            status, body = to_response(exc)
            if status >= 500 and status != 503:
                log.exception("unhandled error", extra={"request_id": request_id})
            headers = {**(getattr(exc, "headers", None) or {}), **request.environ.get(REQUEST_KEY_HEADER, {})}
            return json_response(status, body, request_id, headers)
        finally:
            log.info(
                "%s %s",
                request.method,
                request.path,
                extra={
                    "request_id": request_id,
                    "sub": identity.sub if identity else None,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    def _route(self, request: Request) -> tuple[Endpoint, dict]:
        try:
            endpoint, params = self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed as exc:
            raise NotAllowed(request.method, sorted(exc.valid_methods or [])) from None
        except NotFound:
            raise _http_error(
                "not_found", f"no such endpoint: {request.path}", f"接口不存在：{request.path}"
            ) from None
        limits.check_path(params)
        return endpoint, params

    def call(
        self, endpoint: Endpoint, params: dict, request: Request, identity, request_id: str
    ) -> tuple[int, Any, dict]:
        body = self._body(endpoint, request)
        query = self._query(endpoint, request)
        if endpoint.permission == "admin.clock" and not self.simulated_clock:
            raise authz.Forbidden(
                REAL_CLOCK_EN, REAL_CLOCK_ZH, details={"clock": "real", "enable": "GOVPROJ_CLOCK=simulated"}
            )
        # the RPC client signs the identity for each service it calls (shared.callers)
        context = {"identity": identity, "correlation_id": request_id}
        traceparent = tracing.current_traceparent()
        if traceparent:  # the services' workers and the events they emit continue this trace
            context["traceparent"] = traceparent
        if endpoint.compose is not None:
            return endpoint.status, endpoint.compose(Reads(self.rpc, context), params, body, query), {}
        args = endpoint.args(params, body, query)
        if endpoint.carries is not None:  # what this command moves from another service
            args = (*args, endpoint.carries(Reads(self.rpc, context), params))
        if request.method not in WRITES:
            return (
                endpoint.status,
                self.rpc.call(endpoint.service, endpoint.rpc, *args, context=context, read=True),
                {},
            )
        # every write has a request id: the owning service acts once per id (a retry or a
        # redelivery returns the first answer), and an answer lost in transit is said so
        key = _request_key(request)
        canonical = json.dumps(
            [request.method, request.path, body, query], sort_keys=True, ensure_ascii=False, default=str
        )
        context.update(
            idempotency_key=key, request_fingerprint=hashlib.sha256(canonical.encode()).hexdigest()
        )
        headers = request.environ[REQUEST_KEY_HEADER] = {"Idempotency-Key": key}
        try:
            result = self.rpc.call(endpoint.service, endpoint.rpc, *args, context=context)
        except OutcomeUnknown as unknown:
            outcome = self._outcome(endpoint.service, key, context)
            if outcome is None:
                return (
                    202,
                    outcomes.accepted_body(key, unknown.reason),
                    {**headers, "Location": outcomes.location(key)},
                )
            status, result = outcomes.replay(outcome)
            if status < 300:
                self._settle(endpoint, result)
            return status, result, headers
        self._settle(endpoint, result)
        return endpoint.status, result, headers

    def _settle(self, endpoint: Endpoint, result: Any) -> None:
        """A write the other services take on from its event is answered once they have it
        (``Endpoint.settle``), within ``SETTLE_TIMEOUT`` seconds (10)."""
        if endpoint.settle is not None:
            endpoint.settle(self.rpc, result, float(self.config.get("SETTLE_TIMEOUT", 10)))

    def _outcome(self, service: str, key: str, context: dict) -> dict | None:
        """Ask the owning service at once what became of a request whose answer was lost."""
        try:
            return self.rpc.call(service, "request_outcome", key, context=context, timeout=2)
        except (ServiceUnavailable, RemoteError):
            return None

    @staticmethod
    def _body(endpoint: Endpoint, request: Request) -> Any:
        if endpoint.body is None:
            return None
        if endpoint.accepts_file and request.mimetype == "multipart/form-data":
            body = _file_filing(request)
            limits.check_strings(body)
        else:
            body = _json_body(request)
        try:
            schema_of(endpoint.body).load(body)  # the edge check; the service validates again
        except ValidationError as exc:
            raise ValidationFailed.from_marshmallow(exc.messages) from None
        return body

    @staticmethod
    def _query(endpoint: Endpoint, request: Request) -> dict:
        query = request.args.to_dict()
        if endpoint.query is None:
            return {}
        limits.check_query(query)
        try:
            schema_of(endpoint.query).load(query)
        except ValidationError as exc:
            raise ValidationFailed.from_marshmallow(exc.messages) from None
        return query

    def readiness(self) -> tuple[int, dict]:
        """Ready when the gateway can serve: its broker connection works (issue 17). Which
        services answer is in the body and in the metrics — one service down must not take every
        gateway pod out of its Service (the API answers 503 for that service alone)."""
        problems = self._broker_problems()
        if problems:
            telemetry.observe_readiness(False, {service: False for service in SERVICES})
            return 503, {
                "status": "unavailable",
                "broker": problems,
                "missing": {service: "the broker connection fails" for service in SERVICES},
            }
        missing: dict[str, str] = {}
        answers = self.rpc.gather([(service, "health") for service in SERVICES], timeout=3)
        for service, (result, error) in zip(SERVICES, answers, strict=True):
            if isinstance(error, ServiceUnavailable):
                missing[service] = error.reason
            elif error is not None:
                log.warning("readiness: %s failed its health call: %s", service, error)
                missing[service] = "failing"
            elif not isinstance(result, dict) or result.get("status") != "ok":
                missing[service] = "unhealthy"
        telemetry.observe_readiness(True, {s: s not in missing for s in SERVICES})
        return 200, {
            "status": "ready",
            "broker": "ok",
            "services": [s for s in SERVICES if s not in missing],
            "missing": missing,
        }

    def _broker_problems(self) -> dict[str, str]:
        """{broker: why it fails} over every broker the gateway calls services on."""
        rpc = self.rpc
        clients = [getattr(rpc, "default", rpc), *getattr(rpc, "by_service", {}).values()]
        problems = {}
        for client in {id(c): c for c in clients}.values():
            check = getattr(client, "broker_problem", None)
            problem = check() if check is not None else None
            if problem:
                where = urlsplit(getattr(client, "amqp_uri", ""))
                problems[f"{where.hostname}:{where.port or 5672}{where.path or '/'}"] = problem
        return problems


def _json_body(request: Request) -> dict:
    body = limits.parse_json(limits.read_body(request, limits.JSON_BODY_BYTES))
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", "请求体须为 JSON 对象")
    return body


def _file_filing(request: Request) -> dict:
    """A document sent as a file: the gateway computes its SHA-256 (the archive records the
    digest, the uploader and the time, 第二十条); ``title`` defaults to the file name."""
    files, form = limits.read_form(request, limits.FILE_BODY_BYTES)
    upload = files.get("file")
    if upload is None:
        raise Malformed('multipart body needs a "file" part', "multipart 请求须包含 file 部分")
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.stream.read(1 << 16), b""):
        digest.update(chunk)
    return {"title": form.get("title") or upload.filename or "document", "sha256": digest.hexdigest()}


def _request_key(request: Request) -> str:
    """The client's Idempotency-Key (visible ASCII, at most 200 characters, never cut), or a
    fresh id when it sent none."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return uuid.uuid4().hex
    if not 0 < len(key) <= MAX_REQUEST_ID or not all(" " < c <= "~" for c in key):
        raise ValidationFailed(
            f"Idempotency-Key must be 1 to {MAX_REQUEST_ID} visible ASCII characters",
            f"Idempotency-Key 须为 1 至 {MAX_REQUEST_ID} 个可见 ASCII 字符",
            details={"Idempotency-Key": [f"1..{MAX_REQUEST_ID} visible ASCII characters"]},
        )
    return key


def _client_request_id(request: Request) -> str | None:
    """The client's X-Request-Id when it is a plausible id (it is echoed, logged and carried
    to the services); otherwise the gateway makes one."""
    value = request.headers.get("X-Request-Id", "")
    return value if 0 < len(value) <= 128 and all(" " < c <= "~" for c in value) else None


def _http_error(code: str, message: str, message_zh: str, details: Any = None) -> GovprojError:
    error = GovprojError(message, message_zh, details=details)
    error.code = code
    return error


def create_app(config: dict[str, Any] | None = None) -> Gateway:
    from shared.config import load_config

    return Gateway(config if config is not None else load_config("gateway"))


__all__ = ["Gateway", "create_app", "error_body"]
