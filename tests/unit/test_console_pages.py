"""The console without a broker: forms drawn from the services' schemas, what a person reads
(money, Beijing time), and what the console decides before any service is asked (sign-in, the
cookie, the form check, the language). Its pages against a running suite: tests/e2e."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from marshmallow import ValidationError
from werkzeug.test import Client

from services.console import api, forms, words
from services.console.app import TOKEN_COOKIE, csrf_for
from services.gateway.app import Gateway
from services.gateway.auth import development_token
from services.planning.schemas import ProjectRegistration
from shared.authz import Identity
from shared.config import load_config

CONFIG = load_config("gateway", CLOCK="real")


class NoRpc:
    """Any call reaching a service fails the test: these requests are decided by the console."""

    def call(self, *args, **kwargs):
        raise AssertionError("the console should not have called a service")

    gather = call


def console(**overrides) -> Client:
    return Client(Gateway({**CONFIG, **overrides}, rpc=NoRpc()))


def signed_in(role="unit", unit="U-1") -> tuple[Client, str]:
    client = console()
    token = development_token(CONFIG["JWT_DEV_SECRET"], role, unit if role == "unit" else None)
    client.set_cookie(TOKEN_COOKIE, token, path="/console")
    return client, token


# -- forms from the schemas ----------------------------------------------------------------
def test_the_registration_form_is_the_schema_with_its_limits_and_choices():
    specs = {f.name: f for f in forms.describe(ProjectRegistration)}
    assert specs["name"].required and specs["name"].maxlength == 200
    assert specs["kind"].kind == "select" and specs["kind"].choices == ("construction", "om")
    budget = {f.name: f for f in specs["budget"].children}
    assert budget["budget.total"].kind == "money" and budget["budget.total"].required
    shares = {f.name: f for f in budget["budget.shares"].children}
    # inside an optional group a field is not insisted on by the page (the API decides)
    assert not shares["budget.shares.province"].required
    [row] = specs["co_builders"].rows
    assert [f.name for f in row] == ["co_builders.0.unit", "co_builders.0.scope"]
    assert not any(f.required for f in row)
    assert specs["content"].kind == "textarea" and specs["classified"].kind == "checkbox"
    assert specs["schedule"].children[0].kind == "date"


def test_a_submitted_form_becomes_the_body_the_api_takes():
    specs = forms.describe(ProjectRegistration, rows=2)
    form = {
        "name": " 电子证照 ",
        "kind": "construction",
        "level": "province",
        "budget.total": "500000.00",
        "budget.shares.province": "",
        "classified": "on",
        "co_builders.0.unit": "U-2",
        "co_builders.0.scope": "数据共享",
        "co_builders.1.unit": "",
        "co_builders.1.scope": "",
    }
    body = forms.body_from(form, specs)
    assert body["name"] == "电子证照" and body["classified"] is True
    assert body["national_ministry"] is False and "plan_item" not in body
    assert body["budget"] == {"total": "500000.00"}  # the empty share is left out
    assert body["co_builders"] == [{"unit": "U-2", "scope": "数据共享"}]  # the blank row too
    ProjectRegistration().load(body)  # what the API's schema accepts


def test_the_apis_validation_errors_land_beside_the_fields_that_caused_them():
    with pytest.raises(ValidationError) as refused:
        ProjectRegistration().load(
            {"name": "", "kind": "tower", "budget": {"total": 5}, "co_builders": [{"unit": "U-2"}]}
        )
    errors = forms.flatten_errors(refused.value.messages)
    names = set()

    def collect(specs):
        for spec in specs:
            names.add(spec.name)
            collect(spec.children)
            for row in spec.rows:
                collect(row)

    collect(forms.describe(ProjectRegistration))
    assert {"name", "kind", "level", "budget.total", "co_builders.0.scope"} <= set(errors)
    assert set(errors) <= names  # every message has its field on the page


# -- what a person reads ---------------------------------------------------------------------
def test_money_has_thousands_separators_and_yuan_and_times_are_beijing_time():
    assert words.money("1234567.5") == "1,234,567.50 元"
    assert words.money(None) == "—"
    assert words.beijing("2026-11-30T08:05:43.772627") == "2026-11-30 16:05"  # UTC stamp
    assert words.beijing("2026-12-31T20:00:00+00:00") == "2027-01-01 04:00"
    assert words.field_label("resources.0.name", "zh") == "资源名称"
    assert words.field_label("construction.by_level.province", "en") == "province (yuan)"
    assert words.event("project_approved", "zh") != "project_approved"


def test_what_is_offered_follows_the_role_matrix():
    unit, office = Identity("u", "unit", "U-1"), Identity("o", "office")
    assert api.may(unit, "POST", "/projects") and not api.may(office, "POST", "/projects")
    assert api.may(office, "POST", "/review-rounds") and not api.may(unit, "POST", "/review-rounds")
    assert api.may(unit, "POST", "/projects/SD-2026-000001/disbursements")
    assert not api.may(None, "GET", "/projects")


# -- sign-in, the cookie, the form check, the language --------------------------------------
def test_a_stranger_is_sent_to_sign_in_and_back_afterwards():
    client = console()
    r = client.get("/console/projects?status=draft")
    assert r.status_code == 303
    assert r.headers["Location"] == "/console/login?next=/console/projects%3Fstatus%3Ddraft"
    page = client.get("/console/login").get_data(as_text=True)
    assert "选择角色" in page and '<option value="finance">财政厅</option>' in page


def test_development_sign_in_puts_the_token_in_an_httponly_cookie():
    client = console()
    r = client.post(
        "/console/login", data={"role": "unit", "unit": "U-370100-001", "next": "/console/projects"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/console/projects"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/console" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    claims = jwt.decode(token, CONFIG["JWT_DEV_SECRET"], algorithms=["HS256"])
    assert claims["role"] == "unit" and claims["unit"] == "U-370100-001"


def test_sign_in_refuses_a_unit_without_its_code_and_never_redirects_elsewhere():
    client = console()
    r = client.post("/console/login", data={"role": "unit"})
    assert r.status_code == 401 and "建设单位须填写单位代码" in r.get_data(as_text=True)
    r = client.post("/console/login", data={"role": "office", "next": "//evil.example/x"})
    assert r.headers["Location"] == "/console/"
    r = client.post("/console/login", data={"token": "not-a-jwt"})
    assert r.status_code == 401 and "Set-Cookie" not in r.headers


def test_an_expired_token_means_signing_in_again():
    client = console()
    client.set_cookie(
        TOKEN_COOKIE, development_token(CONFIG["JWT_DEV_SECRET"], "office", ttl_seconds=-10), path="/console"
    )
    assert client.get("/console/").headers["Location"].startswith("/console/login")


def test_a_form_without_the_pages_check_value_is_refused_before_any_service_is_asked():
    client, token = signed_in()
    r = client.post("/console/projects/SD-2026-000001/submission", data={})
    assert r.status_code == 400 and "表单已失效" in r.get_data(as_text=True)
    r = client.post("/console/projects/SD-2026-000001/submission", data={"_csrf": csrf_for("another token")})
    assert r.status_code == 400
    r = client.post("/console/logout", data={"_csrf": csrf_for(token)})
    assert r.status_code == 303 and f"{TOKEN_COOKIE}=;" in r.headers["Set-Cookie"]


def test_the_language_switch_and_the_vendored_script():
    client = console()
    r = client.get("/console/lang/en?next=/console/login")
    assert r.headers["Location"] == "/console/login" and "govproj_lang=en" in r.headers["Set-Cookie"]
    page = client.get("/console/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page and "中文" in page
    script = client.get("/console/static/htmx.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert client.get("/console/static/../app.py").status_code == 404


def test_production_takes_the_identity_providers_token():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    client = console(JWT_MODE="production", JWT_PUBLIC_KEY=public)
    page = client.get("/console/login").get_data(as_text=True)
    assert "选择角色" not in page and 'name="token"' in page  # no role picker
    token = jwt.encode(
        {"sub": "li", "role": "finance", "exp": int(time.time()) + 60}, private, algorithm="RS256"
    )
    r = client.post("/console/login", data={"token": token})
    assert r.status_code == 303 and "HttpOnly" in r.headers["Set-Cookie"]
    forged = development_token(CONFIG["JWT_DEV_SECRET"], "finance")
    assert client.post("/console/login", data={"token": forged}).status_code == 401


def test_a_list_of_articles_is_typed_in_one_box_and_the_page_names_the_project():
    from werkzeug.datastructures import MultiDict

    from services.console import pages

    inspection = pages.ACTIONS["inspections"]
    [findings] = inspection.fields("SD-2026-000001", rows=2)  # "project" comes from the page
    assert findings.kind == "rows" and findings.label == ("发现的问题", "findings")
    articles = findings.rows[0][0]
    assert articles.kind == "list" and articles.numbers and articles.maxlength is None
    body = inspection.body(
        "SD-2026-000001",
        MultiDict({"findings.0.articles": "34、35, 36", "findings.0.description": "未按期整改"}),
        rows=2,
    )
    assert body == {
        "project": "SD-2026-000001",
        "findings": [{"articles": [34, 35, 36], "description": "未按期整改"}],
    }
    referral = {f.key: f for f in pages.ACTIONS["referrals"].fields("SD-1")}
    assert referral["articles"].choices == (37, 38, 39)  # the schema's, shown as a hint
    assert pages.ACTIONS["verification"].body("SD-1", MultiDict()) == {"resolved": False}
