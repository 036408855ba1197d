"""The console's way to the services: the gateway's own request handling, in-process.

A console action is an API request made with the signed-in person's token, handled by the very
same code as any agency system's request (authentication, the endpoint table, the role matrix,
validation with the services' schemas, the RPC, the one error table). The console therefore
never decides a rule; it shows what the API answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.endpoints import ENDPOINTS, Endpoint
from shared import authz
from shared.authz import Identity

API_PREFIX = "/api/v1"
_ROUTES = Map([Rule(e.path, endpoint=e, methods=[e.method]) for e in ENDPOINTS]).bind("console")


def endpoint(method: str, path: str) -> Endpoint:
    """The endpoint of the table that serves ``method path`` (a concrete path)."""
    found, _ = _ROUTES.match(path, method=method)
    return found


def may(identity: Identity | None, method: str, path: str) -> bool:
    """Whether the role matrix lets this person make the request (what they may not do is not
    shown at all)."""
    return identity is not None and authz.allowed(identity, endpoint(method, path).permission)


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def error(self) -> dict | None:
        """The one error format's ``error`` object, when the API refused."""
        if self.ok or not isinstance(self.body, dict):
            return None
        return self.body.get("error")


class Api:
    """API requests as one person (their bearer token), answered by the gateway in-process."""

    def __init__(self, gateway: Any, token: str | None, request_id: str | None = None) -> None:
        self.gateway, self.token, self.request_id = gateway, token, request_id

    def _send(self, method: str, path: str, **kwargs: Any) -> Answer:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.request_id:
            headers["X-Request-Id"] = self.request_id
        environ = EnvironBuilder(
            path=API_PREFIX + path, method=method, headers=headers, **kwargs
        ).get_environ()
        response = self.gateway.handle(Request(environ))
        try:
            body = json.loads(response.get_data() or b"null")
        except ValueError:
            body = None
        return Answer(response.status_code, body, dict(response.headers))

    def get(self, path: str, **query: Any) -> Answer:
        params = {k: v for k, v in query.items() if v not in (None, "")}
        return self._send("GET", path, query_string=params)

    def post(self, path: str, body: dict | None = None, key: str | None = None) -> Answer:
        return self._send("POST", path, json=body if body is not None else {}, headers=_idempotency(key))

    def put(self, path: str, body: dict, key: str | None = None) -> Answer:
        return self._send("PUT", path, json=body, headers=_idempotency(key))

    def put_file(self, path: str, stream: Any, filename: str, title: str, key: str | None = None) -> Answer:
        """A document as a file: the gateway computes its SHA-256 (第二十条)."""
        return self._send(
            "PUT",
            path,
            data={"file": (stream, filename or "document"), "title": title},
            headers=_idempotency(key),
        )

    def read(self, path: str, **query: Any) -> Any:
        """A read shown beside others: its body, or None when refused or unavailable (a part
        the person may not see is simply absent)."""
        answer = self.get(path, **query)
        return answer.body if answer.ok else None


def _idempotency(key: str | None) -> dict:
    # a form carries its own key, so a double submit or a retried post acts once
    return {"Idempotency-Key": key} if key else {}
