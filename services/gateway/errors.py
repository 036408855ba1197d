"""THE table from what went wrong to the HTTP answer. Every error body has one shape:
``{"error": {code, message, message_zh, articles, details}}``."""

from __future__ import annotations

from typing import Any

from services.gateway.rpc import RemoteError, ServiceUnavailable
from shared.errors import GovprojError

# error code (GovprojError.code, also carried by RemoteError values) → HTTP status
STATUS_BY_CODE: dict[str, int] = {
    "malformed": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "state_conflict": 409,
    "request_in_progress": 409,
    "validation": 422,
    "rule_violation": 422,
    "idempotency_key_reused": 422,
    "rejected": 422,
    "payload_too_large": 413,  # the gateway's body limits (services/gateway/limits.py)
    "uri_too_long": 414,  # gunicorn's limits, answered by services/gateway/worker.py
    "headers_too_large": 431,
    "expectation_failed": 417,
    "service_unavailable": 503,
}


def error_body(
    code: str,
    message: str,
    message_zh: str,
    articles: list[str] | None = None,
    details: Any = None,
    article_numbers: list[int] | None = None,
) -> dict:
    """``articles`` as people read them (第七条), ``article_numbers`` the same for machines."""
    return {
        "error": {
            "code": code,
            "message": message,
            "message_zh": message_zh,
            "articles": articles or [],
            "article_numbers": article_numbers or [],
            "details": details or {},
        }
    }


def to_response(exc: Exception) -> tuple[int, dict]:
    """Any exception → (status, body). Unknown errors are 500 and say nothing internal."""
    if isinstance(exc, GovprojError):
        data = exc.as_dict()
    elif isinstance(exc, RemoteError):
        data = GovprojError.from_remote(exc.value)
        if data is None:  # a bug in the service: its type stays in the log (app.handle)
            return 500, error_body("internal", "internal error in a service", "服务内部错误")
    elif isinstance(exc, ServiceUnavailable):
        return 503, error_body(
            "service_unavailable",
            f"service {exc.service} is unavailable: {exc.reason}",
            f"服务 {exc.service} 暂不可用",
            details={"service": exc.service},
        )
    else:
        return 500, error_body("internal", "internal error", "内部错误")
    return (
        STATUS_BY_CODE.get(data["code"], 500),
        error_body(
            data["code"],
            data["message"],
            data["message_zh"],
            data.get("articles"),
            data.get("details"),
            data.get("article_numbers"),
        ),
    )
