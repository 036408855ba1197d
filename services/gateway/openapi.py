"""The OpenAPI 3 document, generated from the endpoint table and the marshmallow schemas."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.gateway.endpoints import ENDPOINTS
from shared.events.schemas import Money

STATUS_TEXT = {400: "Malformed request body", 401: "No or invalid bearer token",
               403: "Role or unit not entitled", 404: "No such project or endpoint",
               409: "State conflict", 422: "Validation failed or a rule refused; details lists "
               "every missing item / failing gate", 503: "A service needed is unavailable"}


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    message_zh = fields.String(required=True)
    articles = fields.List(fields.String(), required=True, metadata={"example": ["第七条"]})
    article_numbers = fields.List(fields.Integer(), metadata={"example": [7]})
    details = fields.Dict()


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match):
        converter, name = match.group(1), match.group(2)
        params.append({"in": "path", "name": name, "required": True,
                       "schema": {"type": "integer" if converter == "int" else "string"}})
        return "{" + name + "}"
    return "/api/v1" + re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def openapi_document() -> dict:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="govproj API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[marshmallow],
                   info={"description": "Government information-system projects under the "
                                        "Shandong measures (山东省政务信息系统项目管理办法). Money is a "
                                        "decimal string in yuan; dates are YYYY-MM-DD."})
    # money is a decimal string on the wire (its pattern and bound come with the field), not a
    # number: schema tools would otherwise send floats and read string minimums
    marshmallow.map_to_openapi_type(Money, "string", None)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    paths: dict[str, dict] = {}
    for e in ENDPOINTS:
        path, params = _path(e.path)
        operation = {
            "summary": e.summary, "tags": [e.tag], "security": [{"bearer": []}],
            "operationId": e.rpc, "x-roles": e.roles, "parameters": list(params),
            "responses": {str(e.status): {"description": "OK"},
                          **{str(code): {"description": text, **error_ref}
                             for code, text in STATUS_TEXT.items()}},
        }
        if e.method in ("POST", "PUT"):
            operation["parameters"].append({
                "in": "header", "name": "Idempotency-Key", "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                           "pattern": "^[!-~]+$"},
                "description": "the request id: a replay with the same key returns the first "
                               "response and changes nothing (the gateway makes one when absent "
                               "and echoes it in the answer)"})
            operation["responses"]["202"] = {
                "description": "delivered, answer lost: it takes effect at most once; "
                               "GET /requests/{request_id} reports the outcome"}
        if e.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": e.body}}}
        if e.accepts_file:
            operation["requestBody"]["content"]["multipart/form-data"] = {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "title": {"type": "string", "description": "defaults to the file name"}}}}
        if e.query is not None:
            operation["parameters"].append({"in": "query", "schema": e.query})
        paths.setdefault(path, {})[e.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    spec.path(path="/healthz", operations={"get": {"summary": "process alive",
                                                   "responses": {"200": {"description": "alive"}}}})
    spec.path(path="/readyz", operations={"get": {
        "summary": "broker reachable and every service answering",
        "responses": {"200": {"description": "ready"},
                      "503": {"description": "the missing services"}}}})
    return spec.to_dict()
