"""Reads assembled from several services (RPC for reads; each service still decides, from the
caller's identity, what the caller may see).

The part an endpoint is about is read strictly: its errors are the answer. The parts added to
it are read leniently: one the caller is not entitled to, that does not exist yet, or whose
service is down is left out and named in ``partial`` — never guessed.
"""

from __future__ import annotations

from typing import Any, Protocol

from marshmallow import ValidationError, fields

from services.gateway.rpc import RemoteError, ServiceUnavailable
from shared.errors import GovprojError, ValidationFailed

_FLAG = fields.Boolean()


class Call(Protocol):
    """services.gateway.app.Reads: one RPC, or several sent at once."""

    def __call__(self, service: str, method: str, *args: Any) -> Any: ...

    def gather(self, calls: list[tuple]) -> list[tuple[Any, Exception | None]]: ...


def _lenient(error: Exception | None) -> str | None:
    """Why an added part is left out; an error that is not the caller's or the moment's is
    raised (a bug is never hidden as a missing part)."""
    if error is None:
        return None
    if isinstance(error, ServiceUnavailable):
        return "service_unavailable"
    data = GovprojError.from_remote(error.value) if isinstance(error, RemoteError) else None
    if data is None or data["code"] not in ("forbidden", "not_found"):
        raise error
    return data["code"]


def project_list(call: Call, path: dict, body: Any, query: dict) -> Any:
    """``overdue``: projects with a missed deadline, or one open and past due (the deadline
    engine's view, in supervision) — or, when false, those without."""
    filters = {k: v for k, v in query.items() if k != "overdue"}
    if "overdue" not in query:
        return call("planning", "list_projects", filters)
    try:
        overdue = _FLAG.deserialize(query["overdue"])
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow({"overdue": exc.messages}) from None
    late = call("supervision", "overdue_projects")
    if overdue:
        return call("planning", "list_projects", filters, late, None)
    return call("planning", "list_projects", filters, None, late)


SUPERVISED = ("deadlines", "findings", "sanctions")  # supervision's parts of a project's view


def project_detail(call: Call, path: dict, body: Any, query: dict) -> dict:
    """The register's view plus funds, open deadlines, findings and sanctions (docs/api.md):
    three RPCs asked at once — the register, finance, and supervision answering its three
    parts in one (``project_oversight``, issue 19)."""
    code = path["code"]
    (view, error), funds, oversight = call.gather(
        [
            ("planning", "get_project", code),
            ("finance", "get_funds", code, {"limit": 1}),  # the view drops the ledger
            ("supervision", "project_oversight", code),
        ]
    )
    if error is not None:
        raise error  # the register's answer is the answer
    partial: dict[str, str] = {}
    view["funds"], error = funds
    missing = _lenient(error)
    if missing:
        partial["funds"] = missing
    parts = _supervised(call, code, *oversight)
    for key in SUPERVISED:
        view[key], missing = parts[key]
        if missing:
            partial[key] = missing
    if view["funds"]:
        view["funds"] = {k: v for k, v in view["funds"].items() if k != "ledger"}
    if view["deadlines"] is not None:
        view["deadlines"] = [
            d
            for d in view["deadlines"]  # open ones, and the missed
            if d["status"] in ("open", "suspended", "missed")
        ]
    view["partial"] = partial
    return view


def _supervised(call: Call, code: str, oversight: Any, error: Exception | None) -> dict:
    """{part: (value, why it is left out or None)} from supervision's one answer. A supervision
    not yet upgraded to ``project_oversight`` (a rolling upgrade) is asked its three lists."""
    if isinstance(error, RemoteError) and error.exc_type == "MethodNotFound":
        answers = call.gather([("supervision", f"list_{part}", {"project": code}) for part in SUPERVISED])
        return {part: (value, _lenient(e)) for part, (value, e) in zip(SUPERVISED, answers, strict=True)}
    missing = _lenient(error)
    if missing:
        return {part: (None, missing) for part in SUPERVISED}
    refused = oversight["refused"]
    return {part: (oversight[part], refused.get(part)) for part in SUPERVISED}


def content_to_classify(call: Call, path: dict) -> Any:
    """What the register holds of the content of a project the secrecy bureau declares
    classified (第四条), read as the bureau for the declaring command, which takes it to
    security: it moves in that one command and is never published. None once the register
    holds none (a retry of the same declaration re-runs nothing: security answers the first
    outcome)."""
    return call("planning", "content_to_classify", path["code"])
