"""The gateway without a broker: what it decides before any service is asked."""

import subprocess
import sys
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.test import Client

from services.gateway.app import Gateway
from services.gateway.auth import Authenticator, development_token
from services.gateway.errors import STATUS_BY_CODE, to_response
from services.gateway.rpc import RemoteError, ServiceUnavailable
from shared.authz import Unauthenticated
from shared.config import load_config
from shared.errors import NotFound, RuleViolation

CONFIG = load_config("gateway", CLOCK="real")


class NoRpc:
    """Any call reaching a service fails the test: these requests must be decided at the edge."""

    def call(self, *args, **kwargs):
        raise AssertionError("the gateway should not have called a service")


def client(**overrides):
    return Client(Gateway({**CONFIG, **overrides}, rpc=NoRpc()))


def bearer(role, unit=None):
    return {"Authorization": "Bearer " + development_token(CONFIG["JWT_DEV_SECRET"], role, unit)}


def test_the_gateway_never_imports_eventlet():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, services.gateway.wsgi; print('eventlet' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_clock_is_403_on_the_real_clock():
    r = client().post("/api/v1/admin/clock", json={"today": "2027-01-01"}, headers=bearer("operator"))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"


def test_health_and_openapi_need_no_token():
    c = client()
    assert c.get("/healthz").json == {"status": "ok"}
    doc = c.get("/api/v1/openapi.json").json
    assert doc["paths"]["/api/v1/projects"]["post"]["x-roles"] == ["unit"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_unknown_path_and_method():
    c = client()
    assert c.get("/api/v1/nowhere", headers=bearer("office")).status_code == 404
    r = c.delete("/api/v1/projects", headers=bearer("office"))
    assert r.status_code == 405 and r.json["error"]["message_zh"]


def test_validation_happens_at_the_edge():
    r = client().post("/api/v1/projects", json={"name": ""}, headers=bearer("unit", "U1"))
    assert r.status_code == 422 and {"name", "kind", "level", "budget"} <= set(r.json["error"]["details"])


def test_the_error_table():
    assert to_response(NotFound("x", "无"))[0] == 404
    assert to_response(RuleViolation("x", "规", articles=[23]))[1]["error"]["articles"] == ["第二十三条"]
    assert to_response(ServiceUnavailable("finance", "down"))[0] == 503
    remote = RemoteError(
        "StateConflict", RuleViolation("x", "y").args[0].replace("rule_violation", "state_conflict")
    )
    assert to_response(remote)[0] == 409
    assert to_response(RemoteError("KeyError", "'boom'"))[0] == 500
    assert to_response(ValueError("internal detail"))[1]["error"]["message"] == "internal error"
    assert set(STATUS_BY_CODE.values()) <= {400, 401, 403, 404, 405, 409, 413, 414, 417, 422, 431, 503}


def test_production_verifies_with_the_public_key_and_refuses_hs256():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    auth = Authenticator(
        {
            **CONFIG,
            "JWT_MODE": "production",
            "JWT_PUBLIC_KEY": public,
            "JWT_ISSUER": "https://idp.sd.gov.cn",
            "JWT_AUDIENCE": "govproj",
        }
    )
    claims = {
        "sub": "li",
        "role": "unit",
        "unit": "U1",
        "exp": int(time.time()) + 60,
        "iss": "https://idp.sd.gov.cn",
        "aud": "govproj",
    }
    good = jwt.encode(claims, private, algorithm="RS256")
    assert auth.identify(f"Bearer {good}").unit == "U1"
    hs = jwt.encode(claims, CONFIG["JWT_DEV_SECRET"], algorithm="HS256")
    with pytest.raises(Unauthenticated):
        auth.identify(f"Bearer {hs}")
    wrong_audience = jwt.encode({**claims, "aud": "other"}, private, algorithm="RS256")
    with pytest.raises(Unauthenticated):
        auth.identify(f"Bearer {wrong_audience}")
    with pytest.raises(ValueError):
        Authenticator({**CONFIG, "JWT_MODE": "production"})


def test_a_unit_token_must_carry_its_unit():
    with pytest.raises(ValueError):
        development_token("s", "unit")
    no_unit = jwt.encode(
        {"sub": "x", "role": "unit", "exp": int(time.time()) + 60}, CONFIG["JWT_DEV_SECRET"], "HS256"
    )
    with pytest.raises(Unauthenticated):
        Authenticator(CONFIG).identify(f"Bearer {no_unit}")


class Recording:
    """The services' answers, recorded in the order the gateway asks (no broker)."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def call(self, service, method, *args, context=None, read=False, **kwargs):
        self.calls.append((service, method, args, dict(context or {}), read))
        return self.answers[(service, method)]


def test_the_bureaus_declaration_carries_the_registers_content_to_security_in_one_command():
    """第四条: the gateway reads what the register holds (as the bureau, a read) and passes it
    to security in the declaring command — the one write, with its Idempotency-Key; nothing
    else is sent, and the answer is security's (no content in it)."""
    content = {
        "goals": "目标",
        "content": None,
        "location": None,
        "catalog": [],
        "documents": {},
        "changes": [],
    }
    rpc = Recording(
        {
            ("planning", "content_to_classify"): content,
            ("security", "classify"): {"project": "SD-2026-000001", "classified": True},
        }
    )
    r = Client(Gateway(CONFIG, rpc=rpc)).post(
        "/api/v1/projects/SD-2026-000001/classification",
        json={"comments": "涉及国家秘密"},
        headers={**bearer("secrecy"), "Idempotency-Key": "declare-1"},
    )
    assert r.status_code == 200 and r.json == {"project": "SD-2026-000001", "classified": True}
    (read_from, read, args, context, is_read), (to, command, sent, write_context, write_is_read) = rpc.calls
    assert (read_from, read, args, is_read) == ("planning", "content_to_classify", ("SD-2026-000001",), True)
    assert context["identity"].role == "secrecy" and "idempotency_key" not in context
    assert (to, command, write_is_read) == ("security", "classify", False)
    assert sent == ("SD-2026-000001", {"comments": "涉及国家秘密"}, content)
    assert write_context["idempotency_key"] == "declare-1"
