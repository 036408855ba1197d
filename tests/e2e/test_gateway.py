"""The public HTTP API through gunicorn against the running services (real HTTP, real broker)."""

import hashlib
import time

import jwt
import pytest
import requests

from services.gateway.endpoints import ENDPOINTS
from shared.authz import PERMISSIONS, ROLES
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT, OTHER, COBUILDER = "U-370100-001", "U-370100-002", "U-370100-003"
PLAN_ITEM = "SDZW-2026-07"
PROJECT = {
    "name": "全省电子证照共享系统",
    "kind": "construction",
    "level": "province",
    "plan_item": PLAN_ITEM,
    "fixed_asset_investment": True,
    "co_builders": [{"unit": COBUILDER, "scope": "数据接口"}],
    "budget": {"total": "1250000.00", "shares": {"province": "1000000.00", "city": "250000.00"}},
    "schedule": {"start": "2027-01-01", "end": "2027-12-31"},
    "location": "济南",
    "goals": "证照互认",
    "content": "建设共享平台",
}
CATALOG = {
    "resources": [
        {
            "name": "电子证照",
            "source": "各发证部门",
            "format": "JSON",
            "update_frequency": "实时",
            "sharing_type": "conditional",
            "sharing_conditions": "用于政务服务事项办理",
            "open_type": "none",
        }
    ]
}
SHA = hashlib.sha256(b"plan").hexdigest()


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(
        infrastructure, tmp_path_factory.mktemp("stack"), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def plan(stack):
    """The provincial plan: drafted by the office, approved by the provincial government."""
    r = stack.http(
        "POST",
        "/plans",
        "office",
        json={
            "title": "山东省政务信息系统建设规划（2026—2030年）",
            "start_year": 2026,
            "end_year": 2030,
            "items": [{"code": PLAN_ITEM, "title": "电子证照"}],
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "draft", r.text
    plan_id = r.json()["id"]
    approved = stack.http("POST", f"/plans/{plan_id}/approval", "group")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    return plan_id


@pytest.fixture(scope="module")
def project(stack, plan):
    """A complete application, registered by UNIT (co-built with COBUILDER)."""
    r = stack.http("POST", "/projects", "unit", UNIT, json=PROJECT)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    for doc in ("construction_plan", "investment_budget", "overall_plan"):
        assert (
            stack.http(
                "PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT, json={"title": doc, "sha256": SHA}
            ).status_code
            == 200
        )
    assert stack.http("PUT", f"/projects/{code}/catalog", "unit", UNIT, json=CATALOG).status_code == 200
    return code


def error(response):
    body = response.json()["error"]
    assert set(body) == {"code", "message", "message_zh", "articles", "article_numbers", "details"}
    return body


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic dXNlcjpwdw=="},
    ],
)
def test_no_or_bad_token_is_401(stack, headers):
    r = stack.http("GET", "/projects", headers=headers)
    assert r.status_code == 401 and error(r)["code"] == "unauthenticated"


def test_expired_and_foreign_tokens_are_401(stack):
    expired = jwt.encode(
        {"sub": "x", "role": "office", "exp": int(time.time()) - 10},
        "govproj-development-secret-do-not-use-in-production",
        "HS256",
    )
    forged = jwt.encode(
        {"sub": "x", "role": "office", "exp": int(time.time()) + 60}, "someone-elses-key", "HS256"
    )
    for token in (expired, forged):
        r = stack.http("GET", "/projects", token=token)
        assert r.status_code == 401 and error(r)["message_zh"]


# -- the authorization matrix ----------------------------------------------------------------


def concrete(path, code, plan_id="PL-NONE", round_id="RR-NONE"):
    return (
        path.replace("<code>", code)
        .replace("<doc_type>", "construction_plan")
        .replace("<int:year>", "2031")
        .replace("<plan_id>", plan_id)
        .replace("<round_id>", round_id)
        .replace("<request_id>", "CR-NONE")
        .replace("<incident_id>", "IN-NONE")
        .replace("<sanction_id>", "SN-NONE")
        .replace("<evaluation_id>", "PE-NONE")
        .replace("<finding_id>", "FD-NONE")
        .replace("<audit_id>", "AU-NONE")
        .replace("<path:request_key>", "RQ-NONE")
        .replace("<job_id>", "LV-NONE")
    )


BODIES = {
    "register_project": PROJECT,
    "file_document": {"title": "t", "sha256": SHA},
    "draft_plan": {
        "title": "t",
        "start_year": 2026,
        "end_year": 2027,
        "items": [{"code": "X1", "title": "x"}],
    },
    "issue_annual_plan": {"year": 2026, "plan_id": "PL-NONE", "items": [{"code": "X2", "title": "y"}]},
    "open_round": {"title": "t", "projects": ["SD-1900-000000"]},
    "record_opinion": {
        "project": "SD-1900-000000",
        "decision": "reject",
        "necessity": "n",
        "feasibility": "f",
    },
    "record_drc_decision": {"decision": "reject", "document_no": "x"},
    "record_national_consent": {"decision": "consent"},
    "file_national_approval": {"ministry": "国家发展改革委", "document_no": "x", "approved_on": "2026-05-01"},
    "record_sharing_status": {"connected": True, "sharing_compliant": True, "checked_on": "2026-05-01"},
    "request_change": {"changes": {"location": "青岛"}, "reason": "r"},
    "decide_change": {"decision": "reject"},
    "reapprove_change": {"decision": "reject", "document_no": "x"},
    "report_incident": {"kind": "serious_delay", "description": "d"},
    "decide_incident": {"action": "none"},
    "resume_incident": {"reason": "r"},
    "delegate_acceptance": {"comments": "c"},
    "record_budget": {
        "construction": {"total": "1.00", "by_level": {"province": "1.00"}},
        "om": {"total": "0.00", "by_level": {}},
    },
    "file_contract": {
        "contract_no": "HT",
        "supplier": "s",
        "amount": "1.00",
        "signed_on": "2026-05-01",
        "text_sha256": "ab" * 32,
    },
    "request_disbursement": {"purpose": "construction", "amount": "1.00", "contract_no": "HT"},
    "report_misappropriation": {"description": "d"},
    "impose_sanction": {"project": "SD-1900-000000", "type": "criticism", "reason": "r"},
    "lift_sanction": {"reason": "r"},
    "put_profile": {
        "protection": {"scheme": "graded", "level": 2},
        "crypto": {"planned": True, "built": False, "running": False},
    },
    "record_risk_assessment": {"assessed_on": "2026-05-01", "result": "r", "report_document": "d"},
    "record_crypto_evaluation": {"evaluated_on": "2026-05-01", "result": "r"},
    "secrecy_review": {"decision": "refuse"},
    "put_classified_content": {"goals": "g"},
    "file_classified_document": {"title": "t", "sha256": SHA},
    "put_classified_catalog": CATALOG,
    "scan": {},
    "record_inspection": {"project": "SD-1900-000000", "findings": [{"articles": [34], "description": "d"}]},
    "order_rectification": {"deadline": "2099-01-01"},
    "report_rectification": {"report": "r"},
    "verify_rectification": {"resolved": True},
    "open_audit": {"project": "SD-1900-000000", "scope": "s"},
    "record_audit_finding": {"articles": [35], "description": "d"},
    "record_referral": {
        "project": "SD-1900-000000",
        "kind": "disciplinary",
        "articles": [37],
        "description": "d",
    },
    "file_annual_report": {"year": 2026, "progress": "p", "budget_execution": "b"},
    "declare_completion": {"completed_on": "2026-05-01"},
    "request_extension": {"reason": "r", "requested_due": "2026-12-31"},
    "decide_extension": {"decision": "refuse"},
    "decide_acceptance": {"passed": False, "report_document": "r"},
    "go_live": {"live_on": "2026-05-01"},
    "file_self_evaluation": {"report_document": "r"},
    "commission_post_evaluation": {"evaluator": "e"},
    "report_post_evaluation": {"report_document": "r", "conclusion": "c"},
    "set_catalog": CATALOG,
    "set_clock": {"today": "2027-01-04"},
    "load_calendar_year": {"holidays": ["2031-01-01"], "workdays": []},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(stack, project, endpoint, role):
    unit = OTHER if role == "unit" else None  # a unit that does not own the project
    r = stack.http(
        endpoint.method, concrete(endpoint.path, project), role, unit, json=BODIES.get(endpoint.rpc)
    )
    if role not in PERMISSIONS[endpoint.permission]:
        assert r.status_code == 403, r.text
        assert error(r)["code"] == "forbidden"
    else:  # entitled by role; a unit that does not own the project is still refused by it
        assert r.status_code < 500, r.text
        assert r.status_code not in (401, 403) or (role == "unit" and "<code>" in endpoint.path), r.text


@pytest.mark.parametrize("path", ["", "/timeline"])
def test_a_unit_sees_its_own_and_co_built_projects_only(stack, project, path):
    assert stack.http("GET", f"/projects/{project}{path}", "unit", UNIT).status_code == 200
    assert stack.http("GET", f"/projects/{project}{path}", "unit", COBUILDER).status_code == 200
    r = stack.http("GET", f"/projects/{project}{path}", "unit", OTHER)
    assert r.status_code == 403 and error(r)["code"] == "forbidden"


def test_lists_are_filtered_by_entitlement_and_paginated(stack, project):
    own = stack.http("GET", "/projects", "unit", UNIT).json()
    assert project in [p["code"] for p in own["items"]]
    others = stack.http("GET", "/projects", "unit", OTHER).json()["items"]
    assert project not in [p["code"] for p in others]
    assert all(p["unit"] == OTHER for p in others)
    assert project in [p["code"] for p in stack.http("GET", "/projects", "unit", COBUILDER).json()["items"]]
    page = stack.http("GET", "/projects", "office", params={"limit": 1, "offset": 0}).json()
    assert len(page["items"]) == 1 and page["total"] >= 1 and page["limit"] == 1
    r = stack.http("GET", "/projects", "office", params={"limit": 0})
    assert r.status_code == 422 and "limit" in error(r)["details"]


def test_a_co_builder_cannot_act_on_the_lead_units_project(stack, project):
    r = stack.http("PUT", f"/projects/{project}/catalog", "unit", COBUILDER, json=CATALOG)
    assert r.status_code == 403


def test_classified_project_is_a_stub_to_those_not_entitled(stack):
    r = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "涉密项目名称",
            "kind": "construction",
            "level": "province",
            "classified": True,
            "budget": {"total": "10.00"},
        },
    )
    code = r.json()["code"]
    office = stack.http("GET", f"/projects/{code}", "office").json()
    assert office["classified"] is True and "name" not in office and "documents" not in office
    assert office["budget"] == {"total": "10.00"}
    assert stack.http("GET", f"/projects/{code}", "secrecy").json()["name"] == "涉密项目名称"
    assert stack.http("GET", f"/projects/{code}", "unit", UNIT).json()["name"] == "涉密项目名称"
    refused = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "x",
            "kind": "om",
            "level": "city",
            "classified": True,
            "goals": "秘密",
            "budget": {"total": "1.00"},
        },
    )
    assert refused.status_code == 422 and error(refused)["articles"] == ["第四条"]


# -- validation, rules, replay -----------------------------------------------------------------


def test_422_names_the_field_and_changes_nothing(stack):
    before = stack.http("GET", "/projects", "unit", UNIT).json()["total"]
    r = stack.http(
        "POST", "/projects", "unit", UNIT, json={**PROJECT, "budget": {"total": "12.345"}, "kind": "palace"}
    )
    assert r.status_code == 422
    body = error(r)
    assert body["code"] == "validation" and {"budget", "kind"} <= set(body["details"])
    assert stack.http("GET", "/projects", "unit", UNIT).json()["total"] == before


def test_a_document_uploaded_as_a_file_is_hashed_by_the_gateway(stack, project):
    content = "建设方案（修订）".encode() * 1000
    r = stack.http(
        "PUT",
        f"/projects/{project}/documents/preliminary_design",
        "unit",
        UNIT,
        files={"file": ("初步设计.pdf", content, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    [doc] = [d for d in r.json()["documents"] if d["doc_type"] == "preliminary_design"]
    assert doc["sha256"] == hashlib.sha256(content).hexdigest() and doc["title"] == "初步设计.pdf"
    no_file = stack.http(
        "PUT", f"/projects/{project}/documents/preliminary_design", "unit", UNIT, files={"other": ("x", b"y")}
    )
    assert no_file.status_code == 400


def test_malformed_json_is_400(stack):
    r = stack.http(
        "POST", "/projects", "unit", UNIT, data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and error(r)["code"] == "malformed"


def test_rule_refusal_is_422_with_articles_in_both_languages(stack):
    r = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={**PROJECT, "budget": {"total": "100.00", "shares": {"province": "60.00"}}},
    )
    body = error(r)
    assert r.status_code == 422 and body["articles"] == ["第四条", "第二十五条"]
    assert body["message"] and body["message_zh"]


def test_incomplete_submission_lists_every_missing_item(stack, plan):
    code = stack.http("POST", "/projects", "unit", UNIT, json={**PROJECT, "new_civil_works": True}).json()[
        "code"
    ]
    r = stack.http("POST", f"/projects/{code}/submission", "unit", UNIT)
    assert r.status_code == 422
    assert [m["item"] for m in error(r)["details"]["missing"]] == [
        "construction_plan",
        "investment_budget",
        "resource_catalog",
        "feasibility_study",
        "preliminary_design",
        "overall_plan",
    ]
    assert stack.http("GET", f"/projects/{code}", "unit", UNIT).json()["status"] == "draft"


def test_open_items_at_registration_are_what_submission_refuses(stack):
    registered = stack.http(
        "POST", "/projects", "unit", UNIT, json={**PROJECT, "plan_item": "NOT-IN-FORCE"}
    ).json()
    r = stack.http("POST", f"/projects/{registered['code']}/submission", "unit", UNIT)
    assert r.status_code == 422
    refused = [m["item"] for m in error(r)["details"]["missing"]]
    assert "plan_item" in refused
    assert [m["item"] for m in registered["open_items"]] == refused


def test_idempotent_replay_returns_the_first_response_and_changes_nothing(stack):
    key = {"Idempotency-Key": "register-once-7f3a"}
    before = stack.http("GET", "/projects", "unit", UNIT).json()["total"]
    first = stack.http("POST", "/projects", "unit", UNIT, json=PROJECT, headers=dict(key))
    again = stack.http("POST", "/projects", "unit", UNIT, json=PROJECT, headers=dict(key))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert stack.http("GET", "/projects", "unit", UNIT).json()["total"] == before + 1
    other = stack.http(
        "POST", "/projects", "unit", UNIT, json={**PROJECT, "name": "另一个"}, headers=dict(key)
    )
    assert other.status_code == 422 and error(other)["code"] == "idempotency_key_reused"


# -- the flow, the timeline, operations --------------------------------------------------------


def test_application_outside_every_plan_is_not_reviewable(stack, plan):
    code = stack.http(
        "POST", "/projects", "unit", UNIT, json={**PROJECT, "plan_item": "NOT-A-PLAN-ITEM"}
    ).json()["code"]
    for doc in ("construction_plan", "investment_budget", "overall_plan"):
        stack.http(
            "PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT, json={"title": doc, "sha256": SHA}
        )
    stack.http("PUT", f"/projects/{code}/catalog", "unit", UNIT, json=CATALOG)
    r = stack.http("POST", f"/projects/{code}/submission", "unit", UNIT)
    assert r.status_code == 422
    [missing] = error(r)["details"]["missing"]
    assert missing["item"] == "plan_item" and missing["articles"] == ["第六条"]


def test_annual_plan_from_a_plan_in_force(stack, plan):
    r = stack.http(
        "POST",
        "/annual-plans",
        "office",
        json={"year": 2026, "plan_id": plan, "items": [{"code": "AN-1", "title": "年"}]},
    )
    assert r.status_code == 201 and r.json()["plan_id"] == plan
    draft = stack.http(
        "POST",
        "/plans",
        "office",
        json={
            "title": "未批准",
            "start_year": 2026,
            "end_year": 2026,
            "items": [{"code": "D1", "title": "d"}],
        },
    ).json()["id"]
    refused = stack.http(
        "POST",
        "/annual-plans",
        "office",
        json={"year": 2026, "plan_id": draft, "items": [{"code": "D2", "title": "e"}]},
    )
    assert refused.status_code == 422 and error(refused)["articles"] == ["第五条"]
    listed = stack.http("GET", "/plans", "unit", UNIT).json()
    assert plan in [p["id"] for p in listed["plans"]]


def test_submitted_application_reaches_review_and_the_timeline(stack, project):
    r = stack.http("POST", f"/projects/{project}/submission", "unit", UNIT)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    wait_for(
        lambda: stack.http("GET", f"/projects/{project}", "office").json()["status"] == "under_review",
        timeout=20,
        message="under review",
    )
    events = wait_for(
        lambda: (lambda e: e if e[-1]["action"] == "review_case_opened" else None)(
            stack.http("GET", f"/projects/{project}/timeline", "unit", UNIT).json()["events"]
        ),
        timeout=20,
        message="the ledger has the review case",
    )
    actions = [e["action"] for e in events]
    assert actions[0] == "project_registered" and actions[-2:] == [
        "application_submitted",
        "review_case_opened",
    ]
    registered, submitted, opened = events[0], events[-2], events[-1]
    assert registered["actor"] == f"unit@{UNIT}" and registered["service"] == "planning"
    assert (registered["what"], registered["what_zh"]) == ("project registered", "项目登记")
    assert {"第六条", "第七条"} <= set(submitted["articles"])
    assert opened["articles"] == ["第八条"] and opened["service"] == "approval"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_simulated_clock_and_calendar_through_the_api(stack):
    assert stack.http("POST", "/admin/clock", "operator", json={"today": "2027-01-04"}).status_code == 200
    wait_for(
        lambda: (
            stack.http("POST", "/projects", "unit", UNIT, json=PROJECT).json()["registered_on"]
            == "2027-01-04"
        ),
        timeout=20,
        message="clock applied",
    )
    r = stack.http(
        "PUT",
        "/admin/calendar/2031",
        "operator",
        json={"holidays": ["2031-01-01"], "workdays": ["2031-01-04"]},
    )
    assert r.status_code == 200 and r.json()["year"] == 2031
    bad = stack.http(
        "PUT", "/admin/calendar/2031", "operator", json={"holidays": ["2032-01-01"], "workdays": []}
    )
    assert bad.status_code == 422


def test_the_clock_answers_once_every_service_has_the_new_date(stack):
    """POST /admin/clock waits for every service's own date (its health's today); with one
    down it is 503 naming it, and the same request asked again once it is back is 200."""
    from shared.config import SERVICES
    from shared.testing import rpc_proxy

    r = stack.http("POST", "/admin/clock", "operator", json={"today": "2027-01-06"})
    assert r.status_code == 200, r.text
    with rpc_proxy(stack.amqp_uri) as cluster:  # no waiting: they have it already
        assert {s: getattr(cluster, s).health()["today"] for s in SERVICES} == {
            s: "2027-01-06" for s in SERVICES
        }
    stack.stop("security")
    try:
        key = {"Idempotency-Key": "clock-2027-01-07"}
        down = stack.http("POST", "/admin/clock", "operator", json={"today": "2027-01-07"}, headers=dict(key))
        assert down.status_code == 503, down.text
        assert list(error(down)["details"]["services"]) == ["security"]
        assert "security" in error(down)["message"] and "security" in error(down)["message_zh"]
    finally:
        stack.start("security")
        wait_for(stack.ready, timeout=60, interval=0.5, message="security back")
    again = stack.http("POST", "/admin/clock", "operator", json={"today": "2027-01-07"}, headers=dict(key))
    assert again.status_code == 200 and again.json()["today"] == "2027-01-07", again.text


def test_openapi_describes_every_endpoint(stack):
    doc = stack.http("GET", "/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for e in ENDPOINTS:
        path = "/api/v1" + concrete(e.path, "{code}", "{plan_id}", "{round_id}").replace(
            "construction_plan", "{doc_type}"
        ).replace("2031", "{year}").replace("CR-NONE", "{request_id}").replace(
            "IN-NONE", "{incident_id}"
        ).replace("SN-NONE", "{sanction_id}").replace("PE-NONE", "{evaluation_id}").replace(
            "FD-NONE", "{finding_id}"
        ).replace("AU-NONE", "{audit_id}").replace("RQ-NONE", "{request_key}").replace("LV-NONE", "{job_id}")
        assert e.method.lower() in doc["paths"][path]
    assert "ProjectRegistration" in doc["components"]["schemas"]


def test_a_stopped_service_is_503_promptly_and_readyz_names_it(stack, project):
    stack.stop("supervision")
    try:
        started = time.monotonic()
        r = stack.http("POST", "/admin/clock", "operator", json={"today": "2027-01-05"})
        assert r.status_code == 503 and error(r)["details"]["service"] == "supervision"
        # answered from the missing consumer, not after the 30 s RPC timeout
        assert time.monotonic() - started < 15
        # the gateway stays ready — its broker works — and names the service that does not
        # answer (issue 17: one service down must not take every gateway pod out)
        ready = requests.get(stack.api.replace("/api/v1", "/readyz"), timeout=30)
        assert ready.status_code == 200 and "supervision" in ready.json()["missing"]
        assert "supervision" not in ready.json()["services"]
        # a composed read still answers with the register's part, naming what it left out
        view = stack.http("GET", f"/projects/{project}", "office")
        assert view.status_code == 200 and view.json()["code"] == project
        assert view.json()["partial"] == {
            "funds": "not_found",
            **{  # not approved yet
                part: "service_unavailable" for part in ("deadlines", "findings", "sanctions")
            },
        }
        assert view.json()["findings"] is None
    finally:
        stack.start("supervision")
        wait_for(stack.ready, timeout=60, interval=0.5, message="supervision back")


def cli(stack, *args, role="unit", unit=UNIT):
    import json as _json
    import subprocess
    import sys

    from shared.cli import REPO_ROOT

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared.cli",
            *args,
            "--json",
            "--api",
            stack.api,
            "--token",
            stack.token(role, unit),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.returncode, (_json.loads(out.stdout) if out.returncode == 0 else None), out.stderr


def test_the_cli_drives_the_same_api_with_bilingual_errors(stack):
    import json as _json

    rc, project, _ = cli(stack, "project", "register", _json.dumps(PROJECT))
    assert rc == 0 and project["status"] == "draft"
    rc, _, err = cli(stack, "project", "submit", project["code"])
    assert rc == 1
    assert "422 rule_violation" in err and "申报材料不齐全" in err and "第七条" in err
    rc, shown, _ = cli(stack, "project", "show", project["code"], role="office", unit=None)
    assert rc == 0 and shown["code"] == project["code"]
    rc, _, err = cli(stack, "project", "show", project["code"], unit=OTHER)
    assert rc == 1 and "403" in err and "无权" in err


def test_supervision_through_the_cli(stack, project):
    wait_for(
        lambda: cli(stack, "project", "timeline", project)[0] == 0,
        timeout=20,
        message="the project is in supervision's ledger",
    )
    rc, [finding], _ = cli(
        stack,
        "supervision",
        "inspect",
        project,
        "--findings",
        '[{"articles": [17], "description": "超概算"}]',
        role="office",
        unit=None,
    )
    assert rc == 0 and finding["articles"] == ["第十七条"] and finding["status"] == "open"
    rc, _, err = cli(
        stack, "supervision", "order", finding["id"], "--deadline", "2000-01-01", role="office", unit=None
    )
    assert rc == 1 and "整改期限须晚于今日" in err and "第三十四条" in err
    rc, ordered, _ = cli(
        stack, "supervision", "order", finding["id"], "--deadline", "2099-01-01", role="office", unit=None
    )
    assert rc == 0 and ordered["status"] == "rectification_ordered"
    rc, reported, _ = cli(stack, "supervision", "report", finding["id"], "--report", "已整改")
    assert rc == 0 and reported["status"] == "reported"
    rc, verified, _ = cli(
        stack, "supervision", "verify", finding["id"], "--resolved", "true", role="office", unit=None
    )
    assert rc == 0 and verified["status"] == "resolved"
    rc, own, _ = cli(stack, "supervision", "findings", "--project", project)
    assert rc == 0 and finding["id"] in [f["id"] for f in own]
    rc, theirs, _ = cli(stack, "supervision", "findings", "--project", project, unit=OTHER)
    assert rc == 0 and theirs == []
    rc, check, _ = cli(stack, "audit", "verify-ledger", role="audit", unit=None)
    assert rc == 0 and check["ok"]
    rc, _, err = cli(stack, "audit", "verify-ledger")
    assert rc == 1 and "403" in err


def test_the_audit_office_verifies_the_ledger_of_every_event(stack, project):
    result = wait_for(
        lambda: (lambda r: r if r["length"] >= 4 else None)(
            stack.http("GET", "/ledger/verification", "audit").json()
        ),
        timeout=20,
        message="events chained",
    )
    assert result["ok"] and result["problems"] == [] and len(result["head"]) == 64
    trail = stack.http("GET", f"/projects/{project}/audit-trail", "audit").json()
    [registered] = [e for e in trail if e["event_type"] == "project_registered"]
    assert registered["actor"] == f"unit@{UNIT}" and registered["articles"] == ["第三条"]
    assert stack.http("GET", "/ledger/verification", "office").status_code == 403


# -- hostile input: a 4xx in the error format, never a 5xx -------------------------------------


def _raw(stack, request: bytes) -> tuple[int, dict, bytes]:
    """One request written byte for byte (what requests would refuse to send); the status,
    headers and body of the answer."""
    import socket

    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
            if "Content-Length" in headers and len(body) >= int(headers["Content-Length"]):
                break
    return int(head.split()[1]), headers, body


@pytest.mark.parametrize(
    "raw, status, field",
    [
        (b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, None),
        (b'{"name": "\\ud800", "kind": "om", "level": "city", "budget": {"total": "1.00"}}', 422, "name"),
        (b'{"name": "a\\u0000b", "kind": "om", "level": "city", "budget": {"total": "1.00"}}', 422, "name"),
    ],
)
def test_hostile_bodies_are_refused_in_the_error_format(stack, raw, status, field):
    r = stack.http("POST", "/projects", "unit", UNIT, data=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert field is None or field in error(r)["details"]


def test_parameters_out_of_range_are_422(stack):
    for path in ("/admin/calendar/0", "/admin/calendar/99999"):
        r = stack.http("PUT", path, "operator", json={"holidays": [], "workdays": []})
        assert r.status_code == 422 and "year" in error(r)["details"], r.text
    for query in ({"offset": 10**20}, {"offset": "1e20"}, {"limit": 10_000}):
        r = stack.http("GET", "/projects", "office", params=query)
        assert r.status_code == 422 and set(query) <= set(error(r)["details"]), r.text
    big = stack.http(
        "PUT",
        "/projects/SD-2026-999999/catalog",
        "unit",
        UNIT,
        json={"resources": CATALOG["resources"] * 1001},
    )
    assert big.status_code == 422 and "1000" in str(error(big)["details"]["resources"])


def test_a_signed_token_with_a_list_for_unit_is_401(stack):
    token = jwt.encode(
        {"sub": "x", "role": "unit", "unit": [UNIT], "exp": int(time.time()) + 60},
        "govproj-development-secret-do-not-use-in-production",
        "HS256",
    )
    r = stack.http("GET", f"/projects?unit={UNIT}", token=token)
    assert r.status_code == 401 and error(r)["code"] == "unauthenticated"


def test_405_carries_allow(stack):
    r = stack.http("DELETE", "/projects", "office")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    assert error(r)["code"] == "method_not_allowed"


def test_gunicorns_414_and_431_are_in_the_error_format(stack):
    long_line = stack.http("GET", "/projects/" + "x" * 5000, "office")
    assert long_line.status_code == 414 and error(long_line)["code"] == "uri_too_long"
    assert error(long_line)["details"] == {"limit_bytes": 4094}
    big_header = stack.http("GET", "/projects", "office", headers={"X-Note": "n" * 9000})
    assert big_header.status_code == 431 and error(big_header)["code"] == "headers_too_large"
    many = stack.http("GET", "/projects", "office", headers={f"X-Note-{i}": "n" for i in range(120)})
    assert many.status_code == 431 and error(many)["message_zh"]
    garbage_status, _, garbage = _raw(stack, b"GARBAGE\r\n\r\n")
    assert garbage_status == 400 and b'"malformed"' in garbage


def test_an_oversized_body_is_413_before_it_is_sent(stack):
    """The gateway answers from Content-Length alone: the 50 MB are never sent."""
    started = time.monotonic()
    status, headers, body = _raw(
        stack,
        (
            f"POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            f"{stack.token('unit', UNIT)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 50000000\r\n\r\n"
        ).encode(),
    )
    assert status == 413 and time.monotonic() - started < 5
    assert headers["Content-Type"].startswith("application/json")
    import json as _json

    assert _json.loads(body)["error"]["details"] == {"limit_bytes": 1 << 20}
