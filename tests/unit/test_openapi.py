"""The OpenAPI document (issue 12): valid OpenAPI 3 by a validator, and truthful — every status the
gateway answers declared on each operation, path parameters bounded exactly as the gateway checks
them, money a decimal string (a string ``minimum`` made schema tools skip the money operations)."""

import re

import pytest
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import limits
from services.gateway.app import Gateway
from services.gateway.endpoints import ENDPOINTS
from services.gateway.errors import STATUS_BY_CODE
from services.gateway.openapi import openapi_document
from shared.config import load_config
from shared.errors import ValidationFailed
from shared.persistence.store import MAX_REQUEST_ID

DOC = openapi_document()
SCHEMAS = DOC["components"]["schemas"]
NUMERIC_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
)
EVERY_OPERATION = {400, 401, 403, 404, 405, 414, 417, 422, 431, 503}


def api_operations():
    for path, methods in DOC["paths"].items():
        if path.startswith("/api/v1/"):
            for method, operation in methods.items():
                yield path, method, operation


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def resolve(node, seen=()):
    """``node`` with every $ref replaced (each schema once per branch: schemas may recurse)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return {} if name in seen else resolve(SCHEMAS[name], (*seen, name))
        return {key: resolve(value, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, seen) for value in node]
    return node


def test_the_document_is_valid_openapi_3():
    validate(DOC)  # openapi-spec-validator: raises on the first violation
    assert DOC["openapi"].startswith("3.")


def test_numeric_keywords_are_numbers():
    for node in walk(DOC):
        for key in NUMERIC_KEYWORDS:
            if key in node and isinstance(node[key], dict | list):
                continue  # a property or parameter so named, not the keyword
            if key in node:
                assert isinstance(node[key], int | float) and not isinstance(node[key], bool), node


def test_money_is_a_decimal_string_in_every_money_operation():
    money_ops = set()
    for _path, _method, operation in api_operations():
        for node in walk(resolve(operation.get("requestBody", {}))):
            if str(node.get("description", "")).startswith("yuan"):
                money_ops.add(operation["operationId"])
                assert node["type"] == "string" and "minimum" not in node, node
                assert re.fullmatch(node["pattern"], "1250000.00")
                assert not re.fullmatch(node["pattern"], "1.001")
                assert not re.fullmatch(node["pattern"], "-1.00")
    # registration, opinion, DRC decision, change, audit finding, budget, contract, payment,
    # misappropriation: none skipped
    assert len(money_ops) >= 9, money_ops
    assert not [node for node in walk(DOC) if node.get("type") == "number"]


def test_every_operation_declares_every_status_the_gateway_answers():
    declared = set()
    by_operation = {(e.method.lower(), e.rpc): e for e in ENDPOINTS}
    for path, method, operation in api_operations():
        endpoint = by_operation[(method, operation["operationId"])]
        responses = {int(code): response for code, response in operation["responses"].items()}
        declared |= set(responses)
        expected = {endpoint.status} | EVERY_OPERATION
        if method in ("post", "put"):
            expected |= {202, 409}
            assert responses[202]["headers"]["Location"]
            assert responses[202]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Accepted"
            }
        if endpoint.body is not None:
            expected.add(413)
        assert expected <= set(responses), (path, method, expected - set(responses))
        for code, response in responses.items():
            if code >= 400:
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (path, method, code)
        assert "Allow" in responses[405]["headers"]
    # every status of the one error table is declared somewhere (500 is a bug, never promised)
    assert set(STATUS_BY_CODE.values()) <= declared
    codes = SCHEMAS["ErrorDetail"]["properties"]["code"]["enum"]
    assert set(STATUS_BY_CODE) <= set(codes)


def test_roles_are_the_permission_matrix():
    for e in ENDPOINTS:
        path = "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", e.path)
        assert DOC["paths"][path][e.method.lower()]["x-roles"] == e.roles


def _checked(name, value):
    try:
        limits.check_path({name: value})
    except ValidationFailed:
        return False
    return True


@pytest.mark.parametrize(
    "path,method,param",
    [
        (path, method, param)
        for path, method, operation in api_operations()
        for param in operation["parameters"]
        if param["in"] == "path"
    ],
)
def test_path_parameters_carry_the_limits_the_gateway_checks(path, method, param):
    schema, name = param["schema"], param["name"]
    if schema["type"] == "integer":
        low, high = schema["minimum"], schema["maximum"]
        assert _checked(name, low) and _checked(name, high)
        assert not _checked(name, low - 1) and not _checked(name, high + 1)
    else:
        longest = "k" * schema["maxLength"]
        assert schema["minLength"] == 1 and _checked(name, longest)
        assert not _checked(name, longest + "k")
        assert not re.fullmatch(schema["pattern"], "a\x00") and not _checked(name, "a\x00")
    if name == "year":
        assert (schema["minimum"], schema["maximum"]) == (2000, 2200)
    elif name == "request_key":
        assert schema["maxLength"] == MAX_REQUEST_ID
    elif schema["type"] == "string":
        assert schema["maxLength"] == 64


def test_the_outcome_route_takes_any_key_a_write_accepts():
    """An Idempotency-Key is up to 200 visible ASCII characters, "/" included: its outcome's
    route matches and its path check lets it through."""
    gateway = Gateway(load_config("gateway", CLOCK="real"))  # routing only: no broker needed
    key = "a/b?c" + "k" * (MAX_REQUEST_ID - 5)
    environ = EnvironBuilder(path="/api/v1/requests/" + key.replace("?", "%3F")).get_environ()
    endpoint, params = gateway._route(Request(environ))
    assert endpoint.rpc == "request_outcome" and params == {"request_key": key}
    with pytest.raises(ValidationFailed):
        limits.check_path({"request_key": key + "k"})
