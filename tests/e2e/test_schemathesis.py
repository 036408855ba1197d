"""A bounded schemathesis run over the whole OpenAPI document against the running suite (issue 12):
every operation, with a token of a role entitled to it (its ``x-roles``), positive and negative
examples; no answer may be a server error or differ from what the document declares."""

import os
import re
import uuid
import zlib

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.openapi import openapi_document
from shared.testing import running_stack

pytestmark = pytest.mark.e2e

UNIT = "U-370100-001"
PLAN_ITEM = "SDZW-2026-FUZZ"
# examples per operation and phase: about 75 operations, each example one HTTP request (often an
# RPC); this keeps the run within a few minutes on two cores
MAX_EXAMPLES = int(os.environ.get("GOVPROJ_SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]

schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": int(os.environ.get("GOVPROJ_SCHEMATHESIS_SEED", "12")),
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "database": "none",
                "with-security-parameters": False,
            },
            # examples from the document, boundary values and unsupported methods (coverage), then
            # generated cases (fuzzing)
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(
        infrastructure, tmp_path_factory.mktemp("stack"), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def known(stack):
    """Identifiers that exist, so that generated requests also reach the services' rules and not
    only their 404s: an approved project of UNIT, its plan and its review round."""
    plan = stack.plan_in_force(PLAN_ITEM)
    code = stack.submitted(UNIT, PLAN_ITEM)
    round_id = stack.review({"project": code, "decision": "approve", "approved_amount": "1000000.00"})
    return {"code": code, "plan_id": plan, "round_id": round_id}


@schema.parametrize()
def test_api_conforms_to_its_document(case, stack, known):
    # which entitled role calls, and whether known identifiers replace the generated ones, follow
    # from the generated case (schema examples admit no extra strategies through `given`)
    pick = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    roles = case.operation.definition.raw.get("x-roles")
    headers = {}
    if roles:  # a role entitled to the operation, the unit always UNIT (the known project's)
        role = roles[pick % len(roles)]
        headers["Authorization"] = "Bearer " + stack.token(role, UNIT if role == "unit" else None)
    if pick & 1 << 16 and case.path_parameters:
        for name, value in known.items():
            if name in case.path_parameters:
                case.path_parameters[name] = value
    # generated keys repeat ("0", "!") across operations, and a key reused for another request
    # is refused before any rule is reached: a well-formed one is mostly made unique
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None and re.fullmatch(r"[!-~]{1,200}", key) and pick & 7:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(
        base_url=f"http://127.0.0.1:{stack.port}", headers=headers, checks=CHECKS, timeout=60
    )
