"""Classified projects: content only in security, to its unit and the bureau; approval waits for
the secrecy bureau (issue: security)."""

import hashlib
import json
import sqlite3
from datetime import date

import pytest

from shared.config import SERVICES
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT, OTHER = "U-370600-001", "U-370600-002"
ITEM = "SDZW-2026-40"
SHA = hashlib.sha256(b"doc").hexdigest()
SECRET = {"goals": "绝密目标甲乙丙", "content": "涉密建设内容丁戊己", "location": "某地庚辛"}
DOC_TITLE = "涉密建设方案壬癸"  # a classified document's title is content too
CATALOG_NAME = "涉密资源子丑寅"


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("classified"), RPC_TIMEOUT="30") as running:
        running.plan_in_force(ITEM)
        yield running


def status(stack, code):
    return stack.http("GET", f"/projects/{code}", "office").json()["status"]


def classified_under_review(stack):
    code = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "涉密业务系统",
            "kind": "construction",
            "level": "province",
            "plan_item": ITEM,
            "classified": True,
            "budget": {"total": "300000.00"},
        },
    ).json()["code"]
    wait_for(
        lambda: (
            stack.http("PUT", f"/projects/{code}/classified-content", "unit", UNIT, json=SECRET).status_code
            == 200
        ),
        timeout=20,
        message="security knows the project",
    )
    on_register = stack.http(
        "PUT",
        f"/projects/{code}/documents/construction_plan",
        "unit",
        UNIT,
        json={"title": DOC_TITLE, "sha256": SHA},
    )
    assert on_register.status_code == 422 and on_register.json()["error"]["articles"] == ["第四条"]
    for doc in ("construction_plan", "investment_budget"):
        r = stack.http(
            "PUT",
            f"/projects/{code}/classified-documents/{doc}",
            "unit",
            UNIT,
            json={"title": f"{DOC_TITLE}-{doc}", "sha256": SHA},
        )
        assert r.status_code == 200, r.text
    stack.http(
        "PUT",
        f"/projects/{code}/classified-catalog",
        "unit",
        UNIT,
        json={
            "resources": [
                {
                    "name": CATALOG_NAME,
                    "source": "本系统",
                    "format": "XML",
                    "update_frequency": "每月",
                    "sharing_type": "none",
                    "open_type": "none",
                }
            ]
        },
    )
    wait_for(
        lambda: stack.http("POST", f"/projects/{code}/submission", "unit", UNIT).status_code == 200,
        timeout=20,
        message="the register learned what is on file with security",
    )
    wait_for(lambda: status(stack, code) == "under_review", timeout=20, message="review")
    rid = stack.http(
        "POST", "/review-rounds", "office", json={"title": "涉密批次", "projects": [code]}
    ).json()["id"]
    stack.http(
        "POST",
        f"/review-rounds/{rid}/opinions",
        "office",
        json={
            "project": code,
            "decision": "approve",
            "necessity": "必要",
            "feasibility": "可行",
            "approved_amount": "280000.00",
        },
    )
    stack.http("POST", f"/review-rounds/{rid}/closure", "office")
    return code


def test_classified_project_waits_for_the_secrecy_bureau(stack):
    code = classified_under_review(stack)
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting")
    [case] = stack.http("GET", "/review-cases", "office", params={"project": code}).json()
    assert case["waiting_for"] == ["secrecy"] and case["name"] is None
    not_bureau = stack.http(
        "POST", f"/projects/{code}/secrecy-review", "office", json={"decision": "confirm"}
    )
    assert not_bureau.status_code == 403
    r = stack.http(
        "POST",
        f"/projects/{code}/secrecy-review",
        "secrecy",
        json={"decision": "confirm", "comments": "同意"},
    )
    assert r.status_code == 200 and r.json()["secrecy_review"]["decision"] == "confirm"
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    twice = stack.http("POST", f"/projects/{code}/secrecy-review", "secrecy", json={"decision": "refuse"})
    assert twice.status_code == 409
    # the timeline (from the ledger) shows a classified project's steps to those who see the
    # project, their details (e.g. the name sent for review) only to its unit and the bureau
    office = stack.timeline_with(code, "project_approved", "office", message="approval on the timeline")
    assert all(e["details"] == {} for e in office)
    own = stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
    assert [e["action"] for e in own] == [e["action"] for e in office]
    assert any(e["details"].get("name") == "涉密业务系统" for e in own)
    assert stack.http("GET", f"/projects/{code}/timeline", "unit", OTHER).status_code == 403


def test_refused_classified_project_is_rejected(stack):
    code = classified_under_review(stack)
    stack.http("POST", f"/projects/{code}/secrecy-review", "secrecy", json={"decision": "refuse"})
    wait_for(lambda: status(stack, code) == "rejected", timeout=20, message="rejected")


@pytest.mark.parametrize(
    "role, unit, allowed",
    [
        ("unit", UNIT, True),
        ("secrecy", None, True),
        ("unit", OTHER, False),
        ("office", None, False),
        ("drc", None, False),
        ("finance", None, False),
        ("audit", None, False),
        ("group", None, False),
        ("evaluator", None, False),
        ("operator", None, False),
    ],
)
def test_classified_content_reaches_only_its_unit_and_the_bureau(stack, role, unit, allowed):
    code = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "涉密系统",
            "kind": "om",
            "level": "province",
            "classified": True,
            "budget": {"total": "1.00"},
        },
    ).json()["code"]
    wait_for(
        lambda: (
            stack.http("PUT", f"/projects/{code}/classified-content", "unit", UNIT, json=SECRET).status_code
            == 200
        ),
        timeout=20,
        message="filed",
    )
    r = stack.http("GET", f"/projects/{code}/classified-content", role, unit)
    if allowed:
        assert r.status_code == 200 and r.json()["goals"] == SECRET["goals"]
    else:
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        security = stack.http("GET", f"/projects/{code}/security", role, unit)
        if security.status_code == 200:
            assert security.json()["profile"] is None  # no security details either


def test_no_event_and_no_other_database_holds_classified_content(stack):
    """Inspect what was actually published (every service's outbox) and stored (every table of
    every other service's database)."""
    code = classified_under_review(stack)
    stack.http("POST", f"/projects/{code}/secrecy-review", "secrecy", json={"decision": "confirm"})
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    secrets = [
        form
        for text in (*SECRET.values(), DOC_TITLE, CATALOG_NAME)
        for form in (text, json.dumps(text)[1:-1])
    ]  # as written, and JSON-escaped
    published_anything = False
    for service in SERVICES:
        path = stack.urls[service].removeprefix("sqlite:///")
        conn = sqlite3.connect(path)
        published = [row[0] for row in conn.execute("SELECT body FROM outbox")]
        published_anything |= bool(published)
        for body in published:
            for secret in secrets:
                assert secret not in body, f"{service} published classified content"
        if service != "security":
            dump = "\n".join(conn.iterdump())
            for secret in secrets:
                assert secret not in dump, f"{service}'s database stores classified content"
        conn.close()
    assert published_anything
    # the security database is the one place that holds them
    security_dump = "\n".join(sqlite3.connect(stack.urls["security"].removeprefix("sqlite:///")).iterdump())
    for text in (*SECRET.values(), DOC_TITLE, CATALOG_NAME):
        assert text in security_dump or json.dumps(text)[1:-1] in security_dump


# -- the bureau's declaration re-opens the gates that follow (issue 15 items 6 and 7, 第四条) ------


def declare(stack, code):
    r = stack.http(
        "POST", f"/projects/{code}/classification", "secrecy", json={"comments": "经审查涉及国家秘密"}
    )
    assert r.status_code == 200, r.text


def review(stack, code, decision):
    r = stack.http("POST", f"/projects/{code}/secrecy-review", "secrecy", json={"decision": decision})
    assert r.status_code == 200, r.text


def paying(stack, code):
    """An approved, budgeted project with a filed contract; returns its payment request."""
    stack.budgeted(code, "100000.00")
    filed = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": f"HT-{code}",
            "supplier": "浪潮软件股份有限公司",
            "amount": "100000.00",
            "signed_on": date.today().isoformat(),
            "text_sha256": hashlib.sha256(code.encode()).hexdigest(),
        },
    )
    assert filed.status_code == 201, filed.text

    def pay(amount="1.00"):
        return stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            UNIT,
            json={"purpose": "construction", "amount": amount, "contract_no": f"HT-{code}"},
        ).json()

    return pay


def disbursed(stack, code):
    return stack.http("GET", f"/projects/{code}/funds", "finance").json()["disbursed"]


def refused_for_secrecy(result):
    return (
        result
        if result["status"] == "refused" and result["failed_gates"][0]["gate"] == "secrecy_review"
        else None
    )


def test_declared_classified_before_approval_the_approval_waits_for_the_bureaus_review(stack):
    code = stack.submitted(UNIT, ITEM)
    declare(stack, code)
    wait_for(
        lambda: stack.http("GET", "/review-cases", "office", params={"project": code}).json()[0][
            "classified"
        ],
        timeout=20,
        message="approval learned the declaration",
    )
    stack.review({"project": code, "decision": "approve", "approved_amount": "100000.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting")
    [case] = stack.http("GET", "/review-cases", "office", params={"project": code}).json()
    assert case["waiting_for"] == ["secrecy"]
    review(stack, code, "confirm")
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")


def test_declared_classified_after_approval_no_payment_until_the_bureau_confirms(stack):
    """第四条: payments stop at the declaration and resume on the bureau's confirmation; and the
    approved plan, moved to security, is replaced there only under an approved change
    (第十七条, 第十八条) — each refusal bilingual, changing nothing."""
    code = stack.approved(UNIT, ITEM, amount="100000.00")
    pay = paying(stack, code)
    assert pay()["status"] == "paid"
    declare(stack, code)
    refused = wait_for(lambda: refused_for_secrecy(pay()), timeout=20, message="finance learned it")
    [gate] = refused["failed_gates"]
    assert gate["articles"] == ["第四条"] and gate["message"] and "尚未完成" in gate["message_zh"]
    assert disbursed(stack, code) == "1.00"  # the refusals paid nothing

    replaced = stack.http(
        "PUT",
        f"/projects/{code}/classified-documents/construction_plan",
        "unit",
        UNIT,
        json={"title": "建设方案（修订）", "sha256": "ef" * 32},
    )
    assert replaced.status_code == 422, replaced.text
    assert replaced.json()["error"]["articles"] == ["第十七条", "第十八条"]
    assert replaced.json()["error"]["message_zh"]
    held = stack.http("GET", f"/projects/{code}/classified-content", "unit", UNIT).json()
    assert [v["version"] for v in held["details"]["documents"]["construction_plan"]] == [1]

    review(stack, code, "confirm")
    wait_for(lambda: pay()["status"] == "paid", timeout=20, message="paid again")
    assert disbursed(stack, code) == "2.00"


def test_declared_classified_after_approval_and_refused_no_payment_ever(stack):
    code = stack.approved(UNIT, ITEM, amount="100000.00")
    pay = paying(stack, code)
    declare(stack, code)
    review(stack, code, "refuse")
    refused = wait_for(
        lambda: (lambda r: r if r and "未通过" in r["failed_gates"][0]["message_zh"] else None)(
            refused_for_secrecy(pay())
        ),
        timeout=20,
        message="finance learned the refusal",
    )
    assert refused["failed_gates"][0]["articles"] == ["第四条"]
    again = stack.http("POST", f"/projects/{code}/secrecy-review", "secrecy", json={"decision": "confirm"})
    assert again.status_code == 409  # the bureau decides once: it stays refused
    assert refused_for_secrecy(pay()) and disbursed(stack, code) == "0.00"
