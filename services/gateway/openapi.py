"""The OpenAPI 3 document, generated from the endpoint table and the marshmallow schemas."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from services.gateway import limits
from services.gateway.endpoints import ENDPOINTS, Endpoint
from services.gateway.errors import STATUS_BY_CODE
from shared.events.schemas import Money
from shared.persistence.store import MAX_REQUEST_ID

# every error status the gateway answers (services/gateway/errors.py), and when it does
STATUS_TEXT = {
    400: "Malformed request: the body is not a JSON object, is nested too deep or unreadable, "
    "or the HTTP request itself is unparsable",
    401: "No or invalid bearer token",
    403: "Role or unit not entitled",
    404: "No such project, record or endpoint",
    405: "Method not allowed on this path; Allow lists the allowed ones",
    409: "State conflict, or a request with this Idempotency-Key still in progress",
    413: "Request body over the limit (1 MiB JSON, 32 MiB file)",
    414: "Request line (URL) over the limit",
    417: "Unsupported Expect header",
    422: "Validation failed or a rule refused; details lists every missing item / failing gate",
    431: "Request header fields over the limit",
    503: "A service needed is unavailable",
}
# answered by gunicorn before any route (services/gateway/worker.py): possible on every path
BEFORE_ROUTING = (400, 414, 417, 431)
# text path parameters hold no control character (limits.check_path) and, unless the route
# takes a path, no "/" (it would be another route)
SEGMENT_PATTERN = r"^[^/\u0000-\u001f\u007f]+$"
PATH_PATTERN = r"^[^\u0000-\u001f\u007f]+$"
HEADERS = {
    "X-Request-Id": {
        "description": "the request's id (the client's when plausible), also in the logs",
        "schema": {"type": "string"},
    },
    "Idempotency-Key": {
        "description": "the write's request id, echoed",
        "schema": {"type": "string", "maxLength": MAX_REQUEST_ID},
    },
    "Allow": {"description": "the methods this path allows", "required": True, "schema": {"type": "string"}},
    "Location": {"description": "GET it for the outcome", "required": True, "schema": {"type": "string"}},
    # keyset pagination of a list answered as a JSON array (services/gateway/pages.py)
    "Link": {
        "description": 'the next page, `<path?…&after=CURSOR>; rel="next"`, on a full '
        "page only (a page shorter than `limit` is the last)",
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "the `after` value of the next page, on a full page only",
        "schema": {"type": "string"},
    },
}


class ErrorDetail(Schema):
    code = fields.String(required=True, validate=validate.OneOf([*STATUS_BY_CODE, "internal"]))
    message = fields.String(required=True)
    message_zh = fields.String(required=True)
    articles = fields.List(fields.String(), required=True, metadata={"example": ["第七条"]})
    article_numbers = fields.List(fields.Integer(), metadata={"example": [7]})
    details = fields.Dict()


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Accepted(Schema):
    """202: the write was delivered and its answer lost (services/gateway/outcomes.py)."""

    request_id = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(["unknown"]))
    outcome = fields.String(required=True, metadata={"description": "GET it for the outcome"})
    message = fields.String(required=True)
    message_zh = fields.String(required=True)
    details = fields.Dict()


def _path(rule: str) -> tuple[str, list[dict]]:
    """A werkzeug rule → the OpenAPI path and its parameters, with the bounds the gateway
    checks (limits.check_path)."""
    params = []

    def repl(match):
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            bound = limits.PATH_INTEGERS.get(name, limits.PATH_INTEGER)
            schema = {"type": "integer", "minimum": bound.min, "maximum": bound.max}
        else:
            length = limits.PATH_TEXTS.get(name, limits.PATH_TEXT)
            schema = {
                "type": "string",
                "minLength": length.min,
                "maxLength": length.max,
                "pattern": PATH_PATTERN if converter == "path" else SEGMENT_PATTERN,
            }
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return "/api/v1" + re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def _responses(e: Endpoint) -> dict:
    """Every status the endpoint can answer: its success, the 202 of a write whose answer was
    lost, and the errors in the one format."""
    write = e.method in ("POST", "PUT")
    request_id = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    echoed = {"Idempotency-Key": {"$ref": "#/components/headers/Idempotency-Key"}} if write else {}
    errors = set(STATUS_TEXT) - {409, 413}
    if write:
        errors.add(409)  # services' state conflicts; a key still in progress
    if e.body is not None:
        errors.add(413)
    responses = {str(e.status): {"description": "OK", "headers": {**request_id, **echoed}}}
    if e.page is not None and e.page[0] is None:  # a list in keyset pages
        responses[str(e.status)]["headers"].update(
            Link={"$ref": "#/components/headers/Link"},
            **{"X-Next-Cursor": {"$ref": "#/components/headers/X-Next-Cursor"}},
        )
    elif e.page is not None:
        responses[str(e.status)]["description"] = (
            f"OK; `next`: the `after` cursor of the next page of `{e.page[0]}` (null on the last page)"
        )
    if write:
        responses["202"] = {
            "description": "delivered, answer lost: it takes effect at most once; "
            "GET /requests/{request_key} reports the outcome",
            "headers": {**request_id, **echoed, "Location": {"$ref": "#/components/headers/Location"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}},
        }
    for code in sorted(errors):
        headers = {**request_id, **echoed}
        if code == 405:
            headers["Allow"] = {"$ref": "#/components/headers/Allow"}
        responses[str(code)] = {
            "description": STATUS_TEXT[code],
            "headers": headers,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


def openapi_document() -> dict:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="govproj API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={
            "description": "Government information-system projects under the "
            "Shandong measures (山东省政务信息系统项目管理办法). Money is a "
            "decimal string in yuan; dates are YYYY-MM-DD."
        },
    )
    # money is a decimal string on the wire (its pattern and bound come with the field), not a
    # number: schema tools would otherwise send floats and read string minimums
    marshmallow.map_to_openapi_type(Money, "string", None)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    spec.components.schema("Accepted", schema=Accepted)
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    paths: dict[str, dict] = {}
    for e in ENDPOINTS:
        path, params = _path(e.path)
        operation = {
            "summary": e.summary,
            "tags": [e.tag],
            "security": [{"bearer": []}],
            "operationId": e.rpc,
            "x-roles": e.roles,
            "parameters": list(params),
            "responses": _responses(e),
        }
        if e.method in ("POST", "PUT"):
            operation["parameters"].append(
                {
                    "in": "header",
                    "name": "Idempotency-Key",
                    "required": False,
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_REQUEST_ID,
                        "pattern": "^[!-~]+$",
                    },
                    "description": "the request id: a replay with the same key returns the first "
                    "response and changes nothing (the gateway makes one when absent "
                    "and echoes it in the answer)",
                }
            )
        if e.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": e.body}}}
        if e.accepts_file:
            operation["requestBody"]["content"]["multipart/form-data"] = {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "description": "defaults to the file name"},
                    },
                }
            }
        if e.query is not None:
            operation["parameters"].append({"in": "query", "schema": e.query})
        paths.setdefault(path, {})[e.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    gunicorn = {
        str(code): {
            "description": STATUS_TEXT[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in BEFORE_ROUTING
    }
    spec.path(
        path="/healthz",
        operations={
            "get": {
                "summary": "process alive",
                "responses": {
                    "200": {
                        "description": "alive",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                }
                            }
                        },
                    },
                    **gunicorn,
                },
            }
        },
    )
    spec.path(
        path="/readyz",
        operations={
            "get": {
                "summary": "the gateway can serve: its broker connection works; the body lists which "
                "services answer (one down does not make the gateway unready)",
                "responses": {
                    "200": {
                        "description": "ready; services answering and those missing, each with why",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status", "services"],
                                    "properties": {
                                        "status": {"type": "string", "enum": ["ready"]},
                                        "broker": {"type": "string"},
                                        "services": {"type": "array", "items": {"type": "string"}},
                                        "missing": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "503": {
                        "description": "the broker connection fails (each broker with why)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status", "missing"],
                                    "properties": {
                                        "status": {"type": "string", "enum": ["unavailable"]},
                                        "broker": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                        "missing": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **gunicorn,
                },
            }
        },
    )
    spec.path(
        path="/metrics",
        operations={
            "get": {
                "summary": "Prometheus metrics: requests by route template and status, latency "
                "histograms, broker and services answering",
                "responses": {
                    "200": {
                        "description": "the Prometheus text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **gunicorn,
                },
            }
        },
    )
    return spec.to_dict()
