"""The WSGI application: authenticate, route, check the role, validate, call the owning
service, answer in one error format. Business rules live in the services, not here."""
from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import Any

from marshmallow import ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from services.gateway.auth import Authenticator
from services.gateway.endpoints import ENDPOINTS, Endpoint
from services.gateway.errors import error_body, to_response
from services.gateway.openapi import openapi_document
from services.gateway.rpc import RpcClient, ServiceUnavailable
from shared import authz
from shared.config import SERVICES
from shared.errors import GovprojError, ValidationFailed

log = logging.getLogger("govproj.gateway")

PREFIX = "/api/v1"
WRITES = ("POST", "PUT")


class Malformed(GovprojError):
    code = "malformed"


def json_response(status: int, body: Any, request_id: str) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8",
                    headers={"X-Request-Id": request_id})


class Reads:
    """RPC with the request's context, for reads composed from several services."""

    def __init__(self, rpc: RpcClient, context: dict[str, Any]) -> None:
        self.rpc, self.context = rpc, context

    def __call__(self, service: str, method: str, *args: Any) -> Any:
        return self.rpc.call(service, method, *args, context=self.context)

    def gather(self, calls: list[tuple]) -> list[tuple[Any, Exception | None]]:
        return self.rpc.gather(calls, context=self.context)


class Gateway:
    def __init__(self, config: dict[str, Any], rpc: RpcClient | None = None) -> None:
        self.config = config
        self.auth = Authenticator(config)
        self.rpc = rpc or RpcClient(config["AMQP_URI"], float(config.get("RPC_TIMEOUT", 10)))
        self.simulated_clock = config.get("CLOCK") == "simulated"
        self.url_map = Map([Rule(PREFIX + e.path, endpoint=e, methods=[e.method])
                            for e in ENDPOINTS])
        self.openapi = openapi_document()

    def __call__(self, environ, start_response):
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        started = time.perf_counter()
        identity = None
        try:
            if request.path == "/healthz":
                return json_response(200, {"status": "ok"}, request_id)
            if request.path == "/readyz":
                status, body = self.readiness()
                return json_response(status, body, request_id)
            if request.path == PREFIX + "/openapi.json":
                return json_response(200, self.openapi, request_id)
            identity = self.auth.identify(request.headers.get("Authorization"))
            endpoint, params = self._route(request)
            authz.require(identity, endpoint.permission)
            status, result = self.call(endpoint, params, request, identity, request_id)
            return json_response(status, result, request_id)
        except Exception as exc:
            status, body = to_response(exc)
            if status >= 500 and status != 503:
                log.exception("unhandled error", extra={"request_id": request_id})
            return json_response(status, body, request_id)
        finally:
            log.info("%s %s", request.method, request.path, extra={
                "request_id": request_id, "sub": identity.sub if identity else None,
                "ms": round((time.perf_counter() - started) * 1000, 1)})

    def _route(self, request: Request) -> tuple[Endpoint, dict]:
        try:
            return self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed as exc:
            raise _http_error("method_not_allowed", f"{request.method} is not allowed here",
                              f"此路径不支持 {request.method} 方法",
                              {"allowed": exc.valid_methods}) from None
        except NotFound:
            raise _http_error("not_found", f"no such endpoint: {request.path}",
                              f"接口不存在：{request.path}") from None

    def call(self, endpoint: Endpoint, params: dict, request: Request, identity,
             request_id: str) -> tuple[int, Any]:
        body = self._body(endpoint, request)
        query = self._query(endpoint, request)
        if endpoint.permission == "admin.clock" and not self.simulated_clock:
            authz.deny(identity, "admin.clock (the suite runs on the real clock)")
        context = {"identity": identity.to_header(), "correlation_id": request_id}
        key = request.headers.get("Idempotency-Key")
        if request.method in WRITES and key:
            context["idempotency_key"] = key
            canonical = json.dumps([request.method, request.path, body, query], sort_keys=True,
                                   ensure_ascii=False, default=str)
            context["request_fingerprint"] = hashlib.sha256(canonical.encode()).hexdigest()
        if endpoint.compose is not None:
            return endpoint.status, endpoint.compose(Reads(self.rpc, context), params, body,
                                                     query)
        result = self.rpc.call(endpoint.service, endpoint.rpc,
                               *endpoint.args(params, body, query), context=context)
        return endpoint.status, result

    @staticmethod
    def _body(endpoint: Endpoint, request: Request) -> Any:
        if endpoint.body is None:
            return None
        if endpoint.accepts_file and request.mimetype == "multipart/form-data":
            body = _file_filing(request)
        else:
            body = _json_body(request)
        try:
            endpoint.body().load(body)  # the edge check; the service validates again
        except ValidationError as exc:
            raise ValidationFailed.from_marshmallow(exc.messages) from None
        return body


    @staticmethod
    def _query(endpoint: Endpoint, request: Request) -> dict:
        query = request.args.to_dict()
        if endpoint.query is None:
            return {}
        try:
            endpoint.query().load(query)
        except ValidationError as exc:
            raise ValidationFailed.from_marshmallow(exc.messages) from None
        return query

    def readiness(self) -> tuple[int, dict]:
        missing = {}
        for service in SERVICES:
            try:
                if self.rpc.call(service, "health", timeout=3).get("status") != "ok":
                    missing[service] = "unhealthy"
            except ServiceUnavailable as exc:
                missing[service] = exc.reason
            except Exception as exc:
                missing[service] = type(exc).__name__
        if missing:
            return 503, {"status": "unavailable", "missing": missing}
        return 200, {"status": "ready", "services": list(SERVICES)}


def _json_body(request: Request) -> dict:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError as exc:
        raise Malformed(f"the body is not valid JSON: {exc}", "请求体不是合法的 JSON") from None
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object", "请求体须为 JSON 对象")
    return body


def _file_filing(request: Request) -> dict:
    """A document sent as a file: the gateway computes its SHA-256 (the archive records the
    digest, the uploader and the time, 第二十条); ``title`` defaults to the file name."""
    upload = request.files.get("file")
    if upload is None:
        raise Malformed('multipart body needs a "file" part', "multipart 请求须包含 file 部分")
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.stream.read(1 << 16), b""):
        digest.update(chunk)
    return {"title": request.form.get("title") or upload.filename or "document",
            "sha256": digest.hexdigest()}


def _http_error(code: str, message: str, message_zh: str, details: Any = None) -> GovprojError:
    error = GovprojError(message, message_zh, details=details)
    error.code = code
    return error


def create_app(config: dict[str, Any] | None = None) -> Gateway:
    from shared.config import load_config
    return Gateway(config if config is not None else load_config("gateway"))


__all__ = ["Gateway", "create_app", "error_body"]
