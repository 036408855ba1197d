"""Exactly once through faults, seen from the client: every write carries a request id, and a
write whose answer was lost is reported as such (202 with the id), never as a plain failure.

``GET /requests/{id}`` asks every service what became of the caller's request — each keeps the
outcome of the commands it ran (succeeded with the response, or refused with the error) in the
same transaction as their effects — and answers:

- ``succeeded``: ``status`` and ``response`` as the write would have answered;
- ``refused``: ``status`` and ``error`` in the error format; nothing changed;
- ``not_recorded``: every service answered and none has decided it: it has not run (yet);
- ``unknown``: a service that might hold it did not answer; ask again.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from services.gateway.errors import STATUS_BY_CODE
from services.gateway.rpc import RemoteError, ServiceUnavailable
from shared.config import SERVICES

PATH = "/api/v1/requests/{}"


def location(request_id: str) -> str:
    """Where the outcome is read: an Idempotency-Key may hold "/", "?", "#" or "%", so it is
    percent-encoded (the route takes any key, "/" included)."""
    return PATH.format(quote(request_id, safe=""))


def accepted_body(request_id: str, reason: str) -> dict:
    """The answer to a write whose outcome is unknown: it was delivered, its answer was lost."""
    return {
        "request_id": request_id,
        "state": "unknown",
        "outcome": location(request_id),
        "message": "the request was delivered but its answer was lost; it takes effect at "
        "most once: GET the outcome, or retry with the same Idempotency-Key",
        "message_zh": "请求已送达但未收到答复；它至多生效一次：请查询其结果，或以同一 Idempotency-Key 重试",
        "details": {"reason": reason},
    }


def endpoint_status(command: str | None) -> int:
    """The HTTP status the endpoint of ``service.method`` answers on success."""
    from services.gateway.endpoints import ENDPOINTS

    service, _, method = (command or "").partition(".")
    return next((e.status for e in ENDPOINTS if e.service == service and e.rpc == method), 200)


def as_answer(request_id: str, outcome: dict) -> dict:
    if outcome["state"] == "succeeded":
        return {
            "request_id": request_id,
            "state": "succeeded",
            "status": endpoint_status(outcome.get("command")),
            "response": outcome.get("response"),
            "decided_at": outcome.get("decided_at"),
        }
    error = outcome.get("error") or {}
    return {
        "request_id": request_id,
        "state": "refused",
        "status": STATUS_BY_CODE.get(error.get("code"), 422),
        "error": error,
        "decided_at": outcome.get("decided_at"),
    }


def replay(outcome: dict) -> tuple[int, Any]:
    """A decided outcome as the write's own answer (raises the refusal)."""
    if outcome["state"] == "refused":
        raise RemoteError("GovprojError", json.dumps(outcome["error"], ensure_ascii=False))
    return endpoint_status(outcome.get("command")), outcome.get("response")


def request_outcome(call, params: dict, body: Any, query: dict) -> dict:
    request_id = params["request_key"]
    answers = call.gather([(service, "request_outcome", request_id) for service in SERVICES])
    silent = []
    for service, (outcome, error) in zip(SERVICES, answers, strict=True):
        if outcome:
            return as_answer(request_id, outcome)
        if isinstance(error, ServiceUnavailable):
            silent.append(service)
        elif error is not None:
            raise error
    if silent:
        return {
            "request_id": request_id,
            "state": "unknown",
            "message": "a service that may hold this request did not answer; ask again",
            "message_zh": "可能持有该请求的服务暂未应答，请稍后再查",
            "details": {"unavailable": silent},
        }
    return {
        "request_id": request_id,
        "state": "not_recorded",
        "message": "no service has run this request: it has changed nothing (yet)",
        "message_zh": "尚无服务执行该请求：它（迄今）未产生任何效果",
    }
