"""The gateway's gunicorn worker: gthread, except that a request gunicorn itself refuses before the
application sees it (a request line over ``limit_request_line``: 414; headers over
``limit_request_field_size`` / ``limit_request_fields``: 431; any other unparsable request: 400)
is answered in the API's one error format instead of gunicorn's HTML page."""

from __future__ import annotations

import json
import ssl

from gunicorn import util
from gunicorn.http import errors as http
from gunicorn.workers.gthread import ThreadWorker

from services.gateway.errors import STATUS_BY_CODE, error_body

REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    414: "URI Too Long",
    417: "Expectation Failed",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}


def answer(exc: Exception, cfg) -> tuple[int, dict]:
    """gunicorn's refusal → (status, error body). Every one is the client's, except a response
    header the application got wrong or a configuration problem (500, saying nothing more)."""
    if isinstance(
        exc, (http.InvalidResponseHeader, http.InvalidResponseHeaderName, http.ConfigurationProblem)
    ) or not isinstance(exc, (http.ParseException, ssl.SSLError)):
        return 500, error_body("internal", "internal error", "内部错误")
    if isinstance(exc, http.LimitRequestLine):
        limit = cfg.limit_request_line
        code, body = (
            "uri_too_long",
            (
                f"the request line is longer than the limit of {limit} bytes",
                f"请求行超过 {limit} 字节的上限",
                {"limit_bytes": limit},
            ),
        )
    elif isinstance(exc, http.LimitRequestHeaders):
        size, count = cfg.limit_request_field_size, cfg.limit_request_fields
        code, body = (
            "headers_too_large",
            (
                f"the request headers exceed the limits: {count} fields, {size} bytes each",
                f"请求头超过上限：最多 {count} 个字段，每个不超过 {size} 字节",
                {"limit_fields": count, "limit_field_bytes": size},
            ),
        )
    elif isinstance(exc, (http.ForbiddenProxyRequest, ssl.SSLError)):
        code, body = "forbidden", ("request forbidden", "请求被拒绝", None)
    elif isinstance(exc, http.ExpectationFailed):
        code, body = "expectation_failed", ("unsupported Expect header", "不支持的 Expect 请求头", None)
    else:
        # an unparsable request line, header or chunk, or a transfer coding gunicorn does not
        # decode (HTTP says 501, but it is the client's input, and input never earns a 5xx)
        code, body = "malformed", ("the HTTP request is malformed", "HTTP 请求格式错误", None)
    message, message_zh, details = body
    return STATUS_BY_CODE[code], error_body(code, message, message_zh, details=details)


class GatewayWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        status, body = answer(exc, self.cfg)
        if status == 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {REASONS[status]}\r\nConnection: close\r\n"
            f"Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode("latin-1")
        try:
            util.write_nonblock(client, head + payload)
        except Exception:
            self.log.debug("Failed to send error message.")
