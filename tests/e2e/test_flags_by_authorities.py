"""Flags are not only self-declared (issue 15 item 7, 第四条), through the gateway: the DRC takes a
project up as a fixed-asset project, the secrecy bureau declares one classified — both re-open
the gates that follow; each refusal names its article and changes nothing. And the bureau's own
inspections of a classified project's secrecy work (item 9), read by it and the unit only."""

import hashlib
import json
import sqlite3
import uuid
from datetime import date

import pytest

from shared.config import SERVICES
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT, OTHER = "U-370700-001", "U-370700-002"
ITEM = "SDZW-2026-70"
BUDGET = {"construction": {"total": "100000.00", "by_level": {"province": "100000.00"}}}


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("flags"), RPC_TIMEOUT="30") as running:
        running.plan_in_force(ITEM)
        yield running


def error(r):
    return r.json()["error"]


def project(stack, code, role="office", unit=None):
    return stack.http("GET", f"/projects/{code}", role, unit).json()


def test_the_drc_takes_up_an_approved_project_and_its_approval_comes_first(stack):
    code = stack.approved(UNIT, ITEM, amount="500000.00")
    assert project(stack, code)["approving_body"] == "office"
    draft = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "草稿项目",
            "kind": "construction",
            "level": "province",
            "plan_item": ITEM,
            "budget": {"total": "1.00"},
        },
    ).json()["code"]

    # refusals: another role (403), no reason (422), a project never submitted (409) ...
    office = stack.http("POST", f"/projects/{code}/fixed-asset", "office", json={"comments": "涉及机房土建"})
    assert office.status_code == 403
    bare = stack.http("POST", f"/projects/{code}/fixed-asset", "drc", json={})
    assert bare.status_code == 422 and "comments" in error(bare)["details"]
    never = stack.http("POST", f"/projects/{draft}/fixed-asset", "drc", json={"comments": "涉及机房土建"})
    assert never.status_code == 409 and error(never)["articles"] == ["第四条"]
    assert error(never)["message"] and error(never)["message_zh"]
    # ... and each changed nothing
    [case] = stack.http("GET", "/review-cases", "drc", params={"project": code}).json()
    assert case["fixed_asset_investment"] is False
    assert project(stack, code)["approving_body"] == "office"

    key = {"Idempotency-Key": f"take-up-{uuid.uuid4()}"}
    taken = stack.http(
        "POST",
        f"/projects/{code}/fixed-asset",
        "drc",
        headers=key,
        json={"comments": "涉及机房土建，属固定资产投资"},
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["fixed_asset_investment"] is True
    again = stack.http(
        "POST",
        f"/projects/{code}/fixed-asset",
        "drc",
        headers=key,
        json={"comments": "涉及机房土建，属固定资产投资"},
    )
    assert again.status_code == 200 and again.json() == taken.json()  # the same request
    twice = stack.http("POST", f"/projects/{code}/fixed-asset", "drc", json={"comments": "再次"})
    assert twice.status_code == 409 and error(twice)["details"]["approving_body"] == "drc"

    # the register shows the DRC as the approving body; finance records no budget before the
    # DRC's approval (第四条), and says so
    wait_for(
        lambda: project(stack, code)["approving_body"] == "drc", timeout=20, message="the register learned it"
    )
    wait_for(
        lambda: (
            stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]["drc_approved"] is False
        ),
        timeout=20,
        message="finance learned it",
    )
    refused = stack.http("POST", f"/projects/{code}/budget", "finance", json=BUDGET)
    assert refused.status_code == 409 and error(refused)["articles"] == ["第四条", "第十一条"]
    assert error(refused)["details"]["gate"] == "drc_approval"
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert funds["gates"]["drc_approved"] is False and funds["ledger"] == []  # nothing recorded
    # the office no longer decides its incidents: the DRC does (第十九条)
    incident = stack.http(
        "POST",
        f"/projects/{code}/incidents",
        "unit",
        UNIT,
        json={"kind": "serious_delay", "description": "工期滞后"},
    ).json()["id"]
    decide = f"/projects/{code}/incidents/{incident}/decision"
    body = {"action": "rectify", "deadline": "2099-01-01"}
    assert stack.http("POST", decide, "office", json=body).status_code == 403
    assert stack.http("POST", decide, "drc", json=body).status_code == 200

    # the DRC approves: the gate opens again
    drc = stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={
            "decision": "approve",
            "approved_investment": "500000.00",
            "document_no": "鲁发改投资〔2026〕70号",
        },
    )
    assert drc.status_code == 200, drc.text
    wait_for(
        lambda: stack.http("POST", f"/projects/{code}/budget", "finance", json=BUDGET).status_code == 201,
        timeout=20,
        message="budget after the DRC's approval",
    )
    # and the step is on the timeline, with the DRC's reason
    events = stack.timeline_with(code, "fixed_asset_designated", "office", message="the step on the timeline")
    [step] = [e for e in events if e["action"] == "fixed_asset_designated"]
    assert step["articles"] == ["第四条"] and step["details"]["comments"].startswith("涉及机房")


def test_after_a_take_up_the_drcs_lower_approval_is_the_ceiling_of_budget_and_money(stack):
    """Approved by the office at 500000.00 and budgeted 450000.00; the DRC takes it up and
    approves 300000.00: approval's approved amount is that (第四条), finance and the register
    take it from approval's event, and neither a payment nor a further budget exceeds it
    (第四条, 第十七条) — each refusal bilingual, changing nothing."""
    code = stack.approved(UNIT, ITEM, amount="500000.00")
    stack.budgeted(code, "450000.00")
    filed = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": f"HT-{code}",
            "supplier": "浪潮软件股份有限公司",
            "amount": "450000.00",
            "signed_on": date.today().isoformat(),
            "text_sha256": hashlib.sha256(code.encode()).hexdigest(),
        },
    )
    assert filed.status_code == 201, filed.text
    taken = stack.http("POST", f"/projects/{code}/fixed-asset", "drc", json={"comments": "涉及机房土建"})
    assert taken.status_code == 200, taken.text
    drc = stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={
            "decision": "approve",
            "approved_investment": "300000.00",
            "document_no": "鲁发改投资〔2026〕71号",
        },
    )
    assert drc.status_code == 200, drc.text
    wait_for(
        lambda: (
            stack.http("GET", f"/projects/{code}/funds", "finance").json()["approved_amount"] == "300000.00"
        ),
        timeout=20,
        message="finance took the DRC's approved amount",
    )
    wait_for(
        lambda: project(stack, code)["approved_amount"] == "300000.00",
        timeout=20,
        message="the register took it",
    )

    def pay(amount):
        return stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            UNIT,
            json={"purpose": "construction", "amount": amount, "contract_no": f"HT-{code}"},
        ).json()

    over = pay("300000.01")  # within the budget (450000.00) and the contract, not the approval
    assert over["status"] == "refused", over
    [gate] = over["failed_gates"]
    assert gate["gate"] == "within_drc_approval" and gate["articles"] == ["第四条", "第十七条"]
    assert gate["message"] and "300000.00" in gate["message_zh"]
    assert pay("300000.00")["status"] == "paid"
    assert pay("0.01")["failed_gates"][0]["gate"] == "within_drc_approval"
    more = stack.http(
        "POST",
        f"/projects/{code}/budget",
        "finance",
        json={"year": 2099, "construction": {"total": "0.01", "by_level": {"province": "0.01"}}},
    )
    assert more.status_code == 422 and error(more)["articles"] == ["第四条", "第十一条", "第十七条"]
    assert error(more)["message"] and error(more)["message_zh"]
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert (funds["approved"], funds["disbursed"]) == ("450000.00", "300000.00")  # nothing more


def test_the_bureau_declares_a_project_classified_and_its_content_moves_to_security(stack):
    code = stack.approved(  # goals, content, location, documents and catalog on the register
        UNIT,
        ITEM,
        amount="500000.00",
        goals="建成涉密业务系统",
        content="涉密网络与应用",
        location="济南市某涉密机房",
    )
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/archive", "office").json()["documents"],
        timeout=20,
        message="archived",
    )
    title = f"可行性研究报告（涉密）{code}"  # a document the register and the archive hold
    filed = stack.http(
        "PUT",
        f"/projects/{code}/documents/feasibility_study",
        "unit",
        UNIT,
        json={"title": title, "sha256": "cd" * 32},
    )
    assert filed.status_code == 200, filed.text
    wait_for(
        lambda: (
            title
            in [
                d["title"]
                for d in stack.http("GET", f"/projects/{code}/archive", "office").json()["documents"]
            ]
        ),
        timeout=20,
        message="archived",
    )
    held = project(stack, code, "unit", UNIT)  # what the register holds before the declaration
    assert held["catalog"] and held["documents"] and held["goals"] == "建成涉密业务系统"
    classified_content = f"/projects/{code}/classified-content"
    assert stack.http("GET", classified_content, "unit", UNIT).status_code == 404  # not classified

    office = stack.http(
        "POST", f"/projects/{code}/classification", "office", json={"comments": "涉及国家秘密"}
    )
    assert office.status_code == 403
    bare = stack.http("POST", f"/projects/{code}/classification", "secrecy", json={})
    assert bare.status_code == 422 and "comments" in error(bare)["details"]
    early = stack.http(
        "POST",
        f"/projects/{code}/secrecy-inspections",
        "secrecy",
        json={"inspected_on": "2026-01-05", "scope": "保密管理", "conclusion": "compliant"},
    )
    assert early.status_code == 422 and error(early)["articles"] == ["第四条"]  # not classified
    assert project(stack, code)["classified"] is False  # nothing changed

    declared = stack.http(
        "POST", f"/projects/{code}/classification", "secrecy", json={"comments": "经审查涉及国家秘密"}
    )
    assert declared.status_code == 200, declared.text
    assert declared.json()["classified"] is True
    assert declared.json()["classified_by_bureau"]["comments"] == "经审查涉及国家秘密"
    twice = stack.http("POST", f"/projects/{code}/classification", "secrecy", json={"comments": "再次"})
    assert twice.status_code == 409 and error(twice)["articles"] == ["第四条"]

    # the content moved to security in the declaring command: what the register held, read as
    # the unit (and the bureau); nobody else reads it
    moved = stack.http("GET", classified_content, "unit", UNIT)
    assert moved.status_code == 200, moved.text
    moved = moved.json()
    assert (moved["goals"], moved["content"], moved["location"]) == (
        held["goals"],
        held["content"],
        held["location"],
    )
    assert moved["details"]["catalog"] == held["catalog"]
    assert {
        doc_type: [(v["version"], v["title"], v["sha256"]) for v in versions]
        for doc_type, versions in moved["details"]["documents"].items()
    } == {d["doc_type"]: [(d["version"], d["title"], d["sha256"])] for d in held["documents"]}
    assert stack.http("GET", classified_content, "secrecy").json() == moved
    for role, unit in (("office", None), ("finance", None), ("audit", None), ("unit", OTHER)):
        assert stack.http("GET", classified_content, role, unit).status_code == 403

    # the content leaves the register and the archive; the others see the stub
    wait_for(lambda: project(stack, code).get("name") is None, timeout=20, message="stub")
    own = wait_for(
        lambda: (lambda p: p if not p.get("documents") else None)(project(stack, code, "unit", UNIT)),
        timeout=20,
        message="documents gone",
    )
    assert own["catalog"] == [] and own["goals"] is None
    assert own["content"] is None and own["location"] is None
    stub = project(stack, code)  # the office: the stub, none of the content
    assert not {"goals", "content", "location", "catalog", "documents", "name"} & set(stub)
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/archive", "office").json()["documents"] == [],
        timeout=20,
        message="the archive dropped them",
    )
    # the timeline's details are for its unit and the bureau only from now on
    wait_for(
        lambda: all(
            e["details"] == {}
            for e in stack.http("GET", f"/projects/{code}/timeline", "office").json()["events"]
        ),
        timeout=20,
        message="timeline details hidden",
    )
    assert any(
        e["details"] for e in stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
    )
    # the register refuses content now; security takes it (the gates re-open there)
    refused = stack.http(
        "PUT",
        f"/projects/{code}/documents/construction_plan",
        "unit",
        UNIT,
        json={"title": "方案", "sha256": "ab" * 32},
    )
    assert refused.status_code == 422 and error(refused)["articles"] == ["第四条"]
    assert (
        stack.http(
            "PUT",
            f"/projects/{code}/classified-content",
            "unit",
            UNIT,
            json={"goals": "目标", "content": "内容", "location": "地点"},
        ).status_code
        == 200
    )
    [case] = wait_for(
        lambda: [
            c
            for c in stack.http("GET", "/review-cases", "office", params={"project": code}).json()
            if c["classified"]
        ],
        timeout=20,
        message="approval learned it",
    )
    assert case["name"] is None
    # no other service's database keeps any of it — not in its tables, the answers it keeps for
    # replays, nor the events it wrote; only the audit ledger keeps what was published before
    # the declaration (the document's title), shown now to the unit and the bureau alone
    never_published = [held["goals"], held["content"], held["location"]]
    for service in SERVICES:
        if service == "security":
            continue
        with sqlite3.connect(stack.urls[service].removeprefix("sqlite:///")) as conn:
            dump = "\n".join(conn.iterdump())
        for text in never_published + ([] if service == "supervision" else [title]):
            for form in (text, json.dumps(text)[1:-1]):  # as written, and JSON-escaped
                assert form not in dump, f"{service} keeps {text!r}"

    # the bureau's own inspections of its secrecy work (第四条), kept by security only
    inspections = f"/projects/{code}/secrecy-inspections"
    inconsistent = stack.http(
        "POST",
        inspections,
        "secrecy",
        json={"inspected_on": "2026-01-05", "scope": "涉密载体管理", "conclusion": "non_compliant"},
    )
    assert inconsistent.status_code == 422 and "findings" in error(inconsistent)["details"]
    assert (
        stack.http(
            "POST",
            inspections,
            "office",
            json={"inspected_on": "2026-01-05", "scope": "x", "conclusion": "compliant"},
        ).status_code
        == 403
    )
    assert stack.http("GET", inspections, "secrecy").json() == []  # nothing recorded
    recorded = stack.http(
        "POST",
        inspections,
        "secrecy",
        json={
            "inspected_on": "2026-01-05",
            "scope": "涉密载体管理",
            "conclusion": "non_compliant",
            "findings": [{"description": "涉密计算机违规连接互联网", "rectify_by": "2026-02-05"}],
        },
    )
    assert recorded.status_code == 201, recorded.text
    assert stack.http("GET", inspections, "unit", UNIT).json() == [recorded.json()]
    for role, unit in (("unit", OTHER), ("office", None), ("audit", None), ("drc", None)):
        assert stack.http("GET", inspections, role, unit).status_code == 403
