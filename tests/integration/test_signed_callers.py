"""Signed callers over RPC (issue 14): a service acts only on an identity the gateway signed.

Whoever holds broker credentials that may publish RPC requests — the gateway's user here, the
only one the broker lets (services' own users may call nothing but their own health,
tests/integration/test_broker_rights.py) — still cannot act as a user it makes up: a plain
identity header, an assertion signed with a service's own key, an expired one, one for another
service, one whose claims were changed: each is refused (Unauthenticated), logged, and changes
nothing. Only the gateway's signature, for this service, unexpired, is acted on.
"""

import logging
import time

import pytest

from shared.authz import Identity
from shared.messaging.rpc import RemoteError, call_once
from shared.testing import (
    OFFICE,
    as_principal,
    rpc_proxy,
    signed_identity,
    unit_identity,
)

pytestmark = pytest.mark.integration

GROUP = Identity("provincial-government", "group")
PLAN = {"title": "冒名规划", "start_year": 2020, "end_year": 2035, "items": [{"code": "X-01", "title": "x"}]}


def tampered(assertion: str) -> str:
    """The gateway's own assertion for a unit, its claims rewritten to the office's."""
    import base64
    import json

    header, claims, signature = assertion.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded.update(sub="office-reviewer", role="office", unit=None)
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


IMPERSONATIONS = {
    "plain header, as before": (lambda: OFFICE.to_header(), "not a signed assertion"),
    "signed with planning's own key": (
        lambda: signed_identity(OFFICE, "planning", principal="planning"),
        "signed with planning's key",
    ),
    "signed with the finance service's key": (
        lambda: signed_identity(OFFICE, "planning", principal="finance"),
        "signed with finance's key",
    ),
    "expired": (lambda: signed_identity(OFFICE, "planning", lifetime=60, now=time.time() - 600), "expired"),
    "meant for another service": (lambda: signed_identity(OFFICE, "approval"), "not for planning"),
    "claims rewritten": (lambda: tampered(signed_identity(unit_identity(), "planning")), "forged"),
}


@pytest.mark.parametrize("case", list(IMPERSONATIONS))
def test_an_identity_the_gateway_did_not_sign_for_this_service_is_refused_and_logged(
    amqp_uri, sqlite_urls, start_service, caplog, case
):
    start_service("planning", sqlite_urls["planning"])
    make, reason = IMPERSONATIONS[case]
    gateway = as_principal(amqp_uri, "gateway")
    with caplog.at_level(logging.WARNING, logger="shared.platform"), pytest.raises(RemoteError) as refused:
        call_once(gateway, "gateway", "planning", "draft_plan", [PLAN], context={"identity": make()})
    assert refused.value.exc_type == "Unauthenticated"
    assert any(
        "refused the caller's identity" in r.getMessage() and reason in r.getMessage() for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    with rpc_proxy(amqp_uri, identity=OFFICE) as cluster:
        assert cluster.planning.list_plans()["plans"] == []  # nothing was drafted


def test_the_gateways_assertion_for_this_service_is_acted_on(amqp_uri, sqlite_urls, start_service):
    start_service("planning", sqlite_urls["planning"])
    gateway = as_principal(amqp_uri, "gateway")
    plan = call_once(
        gateway,
        "gateway",
        "planning",
        "draft_plan",
        [PLAN],
        context={"identity": signed_identity(OFFICE, "planning")},
    )
    assert plan["id"]
    with pytest.raises(RemoteError) as forbidden:  # verified, then the matrix applies
        call_once(
            gateway,
            "gateway",
            "planning",
            "approve_plan",
            [plan["id"]],
            context={"identity": signed_identity(unit_identity(), "planning")},
        )
    assert forbidden.value.exc_type == "Forbidden"
    call_once(
        gateway,
        "gateway",
        "planning",
        "approve_plan",
        [plan["id"]],
        context={"identity": signed_identity(GROUP, "planning")},
    )
