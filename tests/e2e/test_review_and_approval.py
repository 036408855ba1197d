"""From provincial plan to approved project, through the gateway (issue: planning and approval)."""

import hashlib

import pytest

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370200-001"
ITEM = "SDZW-2026-12"
SHA = hashlib.sha256(b"doc").hexdigest()


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("review"), RPC_TIMEOUT="30") as running:
        running.plan_in_force(ITEM)
        yield running


def submitted(stack, **changes):
    return stack.submitted(UNIT, ITEM, name="社保一体化平台", budget={"total": "2000000.00"}, **changes)


def status(stack, code):
    return stack.status(code)


def review(stack, *opinions):
    return stack.review(*opinions)


def error(r):
    return r.json()["error"]


def test_plan_to_approved_project_without_the_drc(stack):
    code = submitted(stack)
    review(stack, {"project": code, "decision": "approve", "approved_amount": "1800000.00"})
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    project = stack.http("GET", f"/projects/{code}", "unit", UNIT).json()
    assert project["approved_amount"] == "1800000.00"
    assert [d["kind"] for d in project["decisions"]] == ["review_opinion_issued", "project_approved"]
    actions = wait_for(
        lambda: (lambda a: a if "project_approved" in a else None)(
            [
                e["action"]
                for e in stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
            ]
        ),
        timeout=20,
        message="approval on the timeline",
    )
    assert actions.index("review_opinion_issued") < actions.index("project_approved")


def test_fixed_asset_project_needs_the_drc_after_the_opinion(stack):
    code = submitted(stack, fixed_asset_investment=True)
    early = stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={
            "decision": "approve",
            "approved_investment": "1500000.00",
            "document_no": "鲁发改投资〔2026〕15号",
        },
    )
    assert early.status_code == 409 and error(early)["articles"] == ["第四条", "第九条"]
    review(stack, {"project": code, "decision": "approve", "approved_amount": "1600000.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting the DRC")
    r = stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={
            "decision": "approve",
            "approved_investment": "1500000.00",
            "document_no": "鲁发改投资〔2026〕15号",
        },
    )
    assert r.status_code == 200 and r.json()["approved_amount"] == "1500000.00"
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    assert stack.http("GET", f"/projects/{code}", "finance").json()["approved_amount"] == "1500000.00"


def test_drc_rejection_rejects_the_project(stack):
    code = submitted(stack, fixed_asset_investment=True)
    review(stack, {"project": code, "decision": "approve", "approved_amount": "100.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting")
    stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={"decision": "reject", "document_no": "鲁发改投资〔2026〕16号"},
    )
    wait_for(lambda: status(stack, code) == "rejected", timeout=20, message="rejected")


def test_returned_project_is_revised_resubmitted_and_reviewed_again(stack):
    code = submitted(stack)
    review(stack, {"project": code, "decision": "revise", "comments": "补充建设内容"})
    wait_for(lambda: status(stack, code) == "returned", timeout=20, message="returned")
    stack.http(
        "PUT",
        f"/projects/{code}/documents/construction_plan",
        "unit",
        UNIT,
        json={"title": "修订后的建设方案", "sha256": SHA},
    )
    assert stack.http("POST", f"/projects/{code}/submission", "unit", UNIT).json()["submissions"] == 2
    wait_for(lambda: status(stack, code) == "under_review", timeout=20, message="again")
    review(stack, {"project": code, "decision": "reject"})
    wait_for(lambda: status(stack, code) == "rejected", timeout=20, message="rejected")
    cases = stack.http("GET", "/review-cases", "office", params={"project": code}).json()
    assert [c["submission"] for c in cases] == [1, 2]


def test_round_refusals(stack):
    code = submitted(stack)
    draft = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={"name": "未提交", "kind": "om", "level": "city", "budget": {"total": "1.00"}},
    ).json()
    r = stack.http("POST", "/review-rounds", "office", json={"title": "t", "projects": [code, draft["code"]]})
    assert r.status_code == 422 and list(error(r)["details"]["projects"]) == [draft["code"]]
    round_id = stack.http("POST", "/review-rounds", "office", json={"title": "t", "projects": [code]}).json()[
        "id"
    ]
    again = stack.http("POST", "/review-rounds", "office", json={"title": "t2", "projects": [code]})
    assert again.status_code == 422  # already in a round
    early = stack.http("POST", f"/review-rounds/{round_id}/closure", "office")
    assert early.status_code == 422 and error(early)["details"]["missing_opinions"] == [code]
    too_much = stack.http(
        "POST",
        f"/review-rounds/{round_id}/opinions",
        "office",
        json={
            "project": code,
            "decision": "approve",
            "necessity": "n",
            "feasibility": "f",
            "approved_amount": "2000000.01",
        },
    )
    assert too_much.status_code == 422 and "第十七条" in error(too_much)["articles"]
    no_amount = stack.http(
        "POST",
        f"/review-rounds/{round_id}/opinions",
        "office",
        json={"project": code, "decision": "approve", "necessity": "n", "feasibility": "f"},
    )
    assert no_amount.status_code == 422
    stack.http(
        "POST",
        f"/review-rounds/{round_id}/opinions",
        "office",
        json={"project": code, "decision": "reject", "necessity": "n", "feasibility": "f"},
    )
    twice = stack.http(
        "POST",
        f"/review-rounds/{round_id}/opinions",
        "office",
        json={"project": code, "decision": "reject", "necessity": "n", "feasibility": "f"},
    )
    assert twice.status_code == 409
    assert stack.http("POST", f"/review-rounds/{round_id}/closure", "office").status_code == 200
    closed = stack.http("POST", f"/review-rounds/{round_id}/closure", "office")
    assert closed.status_code == 409
    r = stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={"decision": "approve", "approved_investment": "1.00", "document_no": "x"},
    )
    assert r.status_code == 422 and error(r)["articles"] == ["第四条"]  # not fixed-asset


def test_a_unit_cannot_review_and_the_office_cannot_approve_for_the_drc(stack):
    code = submitted(stack, fixed_asset_investment=True)
    assert (
        stack.http(
            "POST", "/review-rounds", "unit", UNIT, json={"title": "t", "projects": [code]}
        ).status_code
        == 403
    )
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/drc-approval",
            "office",
            json={"decision": "approve", "approved_investment": "1.00", "document_no": "x"},
        ).status_code
        == 403
    )


def approved(stack, **changes):
    return stack.approved(UNIT, ITEM, name="社保一体化平台", budget={"total": "2000000.00"}, **changes)


def findings(stack, code):
    return stack.http("GET", "/findings", "office", params={"project": code}).json()


def test_national_project_consent_then_filing(stack):
    code = submitted(stack, national_ministry=True)
    r = stack.http("POST", f"/projects/{code}/national-consent", "office", json={"decision": "consent"})
    assert r.status_code == 200 and r.json()["national"]["consent"]["decision"] == "consent"
    filed = stack.http(
        "POST",
        f"/projects/{code}/national-approval-filing",
        "unit",
        UNIT,
        json={
            "ministry": "国家发展改革委",
            "document_no": "发改高技〔2026〕88号",
            "approved_on": "2026-05-01",
        },
    )
    assert filed.status_code == 201
    assert filed.json()["national"]["filing"]["with_prior_consent"] is True
    assert findings(stack, code) == []
    twice = stack.http(
        "POST",
        f"/projects/{code}/national-approval-filing",
        "unit",
        UNIT,
        json={"ministry": "x", "document_no": "y", "approved_on": "2026-05-01"},
    )
    assert twice.status_code == 409


def test_filing_without_consent_is_recorded_and_becomes_a_finding(stack):
    code = submitted(stack, national_ministry=True)
    filed = stack.http(
        "POST",
        f"/projects/{code}/national-approval-filing",
        "unit",
        UNIT,
        json={
            "ministry": "国家发展改革委",
            "document_no": "发改高技〔2026〕89号",
            "approved_on": "2026-05-02",
        },
    )
    assert filed.status_code == 201
    assert filed.json()["national"]["filing"]["with_prior_consent"] is False
    [finding] = wait_for(lambda: findings(stack, code), timeout=20, message="a finding")
    assert finding["kind"] == "national_filing_without_consent"
    assert finding["articles"] == ["第十条"] and finding["status"] == "open"
    not_national = submitted(stack)
    r = stack.http(
        "POST", f"/projects/{not_national}/national-consent", "office", json={"decision": "consent"}
    )
    assert r.status_code == 422 and r.json()["error"]["articles"] == ["第十条"]


def test_sharing_status_is_recorded_and_reaches_finance(stack):
    """The office, which runs the sharing platform (第二十六条), records the status (第二十九条);
    a unit or finance is refused citing both, and nothing is recorded."""
    code = approved(stack)
    for role, unit in (("unit", UNIT), ("finance", None)):
        refused = stack.http(
            "POST",
            f"/projects/{code}/sharing-status",
            role,
            unit,
            json={"connected": True, "sharing_compliant": True, "checked_on": "2026-07-01"},
        )
        assert refused.status_code == 403 and refused.json()["error"]["articles"] == [
            "第二十六条",
            "第二十九条",
        ], refused.text
    r = stack.http(
        "POST",
        f"/projects/{code}/sharing-status",
        "office",
        json={"connected": True, "sharing_compliant": False, "checked_on": "2026-06-01"},
    )
    assert r.status_code == 201 and r.json()["sharing"]["sharing_compliant"] is False
    older = stack.http(
        "POST",
        f"/projects/{code}/sharing-status",
        "office",
        json={"connected": False, "sharing_compliant": False, "checked_on": "2026-05-01"},
    )
    assert older.status_code == 409
    from shared.testing import rpc_proxy

    with rpc_proxy(stack.amqp_uri) as cluster:
        wait_for(
            lambda: cluster.finance.get_sharing_status(code),
            timeout=20,
            message="finance learned the sharing status",
        )
        assert cluster.finance.get_sharing_status(code) == {
            "connected": True,
            "sharing_compliant": False,
            "checked_on": "2026-06-01",
        }


def test_major_change_needs_an_application_and_a_new_review(stack):
    draft = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={"name": "草稿", "kind": "om", "level": "city", "budget": {"total": "1.00"}},
    ).json()
    early = stack.http(
        "POST",
        f"/projects/{draft['code']}/change-requests",
        "unit",
        UNIT,
        json={"changes": {"location": "烟台"}, "reason": "r"},
    )
    assert early.status_code == 409 and early.json()["error"]["articles"] == ["第十八条"]
    code = approved(stack)
    r = stack.http(
        "POST",
        f"/projects/{code}/change-requests",
        "unit",
        UNIT,
        json={
            "changes": {
                "budget": {"total": "2400000.00"},
                "schedule": {"start": "2026-07-01", "end": "2027-12-31"},
            },
            "reason": "需求扩大",
        },
    )
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    pending = stack.http(
        "POST",
        f"/projects/{code}/change-requests",
        "unit",
        UNIT,
        json={"changes": {"location": "烟台"}, "reason": "r"},
    )
    assert pending.status_code == 409
    empty = stack.http(
        "POST", f"/projects/{code}/change-requests", "unit", UNIT, json={"changes": {}, "reason": "r"}
    )
    assert empty.status_code == 422
    # after approval the plan and the budget document are replaced only under an approved
    # change (第十七条, 第十八条): refused while the change is pending, changing nothing
    plan = f"/projects/{code}/documents/construction_plan"
    early_plan = stack.http("PUT", plan, "unit", UNIT, json={"title": "新方案", "sha256": "ef" * 32})
    assert early_plan.status_code == 422, early_plan.text
    assert error(early_plan)["articles"] == ["第十七条", "第十八条"]
    decision = f"/projects/{code}/change-requests/{request_id}/decision"
    # reviewed, not granted: a budget change needs the reviewer's amount (422, nothing decided)
    no_amount = wait_for(
        lambda: (lambda r: [r] if r.status_code != 404 else None)(
            stack.http("POST", decision, "office", json={"decision": "approve", "comments": "同意调整"})
        ),
        timeout=20,
        message="the change review opened",
    )[0]
    assert no_amount.status_code == 422 and error(no_amount)["articles"] == ["第十八条"]
    assert list(error(no_amount)["details"]) == ["approved_amount"]
    r = stack.http(
        "POST",
        decision,
        "office",
        json={"decision": "approve", "approved_amount": "2200000.00", "comments": "核减后同意"},
    )
    assert r.status_code == 200 and r.json()["approved_amount"] == "2200000.00", r.text
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}", "office").json()["approved_amount"] == "2200000.00",
        timeout=20,
        message="register updated",
    )
    project = stack.http("GET", f"/projects/{code}", "unit", UNIT).json()
    assert project["budget"]["total"] == "2200000.00"  # as reviewed, not as requested
    assert project["schedule"] == {"start": "2026-07-01", "end": "2027-12-31"}
    assert stack.http("POST", decision, "office", json={"decision": "reject"}).status_code == 409
    [change] = stack.http("GET", f"/projects/{code}/change-requests", "unit", UNIT).json()
    assert change["status"] == "approved"
    # the approved change lets each of the two documents be replaced once
    assert (
        stack.http("PUT", plan, "unit", UNIT, json={"title": "新方案", "sha256": "ef" * 32}).status_code
        == 200
    )
    twice = stack.http("PUT", plan, "unit", UNIT, json={"title": "又一版", "sha256": "fe" * 32})
    assert twice.status_code == 422 and error(twice)["articles"] == ["第十七条", "第十八条"]
    assert (
        stack.http(
            "PUT",
            f"/projects/{code}/documents/investment_budget",
            "unit",
            UNIT,
            json={"title": "调整后预算", "sha256": "aa" * 32},
        ).status_code
        == 200
    )
    versions = {
        d["doc_type"]: (d["version"], d["sha256"])
        for d in stack.http("GET", f"/projects/{code}", "unit", UNIT).json()["documents"]
    }
    assert versions["construction_plan"] == (2, "ef" * 32)
    assert versions["investment_budget"] == (2, "aa" * 32)
    [change] = stack.http("GET", f"/projects/{code}/change-requests", "unit", UNIT).json()
    assert change["documents_replaced"] == ["construction_plan", "investment_budget"]


def processed(stack, service, event_type):
    """How many ``event_type`` events ``service`` has handled (its inbox)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.urls[service])
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM processed_messages WHERE event_type = :t"), {"t": event_type}
        ).scalar()
    engine.dispose()
    return n


def test_a_fixed_asset_projects_change_waits_for_the_drcs_reapproval(stack):
    """第四条, 第十八条: the office's approval of a fixed-asset project's change is not enough —
    neither the register nor finance moves until the DRC re-approves it."""
    code = submitted(stack, fixed_asset_investment=True)
    review(stack, {"project": code, "decision": "approve", "approved_amount": "1600000.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="the DRC")
    stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={
            "decision": "approve",
            "approved_investment": "1500000.00",
            "document_no": "鲁发改投资〔2026〕21号",
        },
    )
    wait_for(
        lambda: (
            stack.http(
                "POST",
                f"/projects/{code}/budget",
                "finance",
                json={
                    "construction": {"total": "1500000.00", "by_level": {"province": "1500000.00"}},
                    "om": {"total": "0.00", "by_level": {}},
                },
            ).status_code
            == 201
        ),
        timeout=20,
        message="finance learned the approval",
    )
    request_id = stack.http(
        "POST",
        f"/projects/{code}/change-requests",
        "unit",
        UNIT,
        json={"changes": {"budget": {"total": "1800000.00"}}, "reason": "扩容"},
    ).json()["id"]
    reapproval = f"/projects/{code}/change-requests/{request_id}/drc-approval"
    body = {"decision": "approve", "document_no": "鲁发改投资〔2026〕22号"}
    too_early = wait_for(
        lambda: (lambda r: [r] if r.status_code != 404 else None)(
            stack.http("POST", reapproval, "drc", json=body)
        ),
        timeout=20,
        message="review opened",
    )[0]
    assert too_early.status_code == 409 and error(too_early)["articles"] == ["第四条", "第十八条"]
    seen = processed(stack, "finance", "change_decided")
    decided = stack.http(
        "POST",
        f"/projects/{code}/change-requests/{request_id}/decision",
        "office",
        json={"decision": "approve", "approved_amount": "1700000.00"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "awaiting_drc"
    wait_for(
        lambda: processed(stack, "finance", "change_decided") > seen,
        timeout=20,
        message="finance handled the decision",
    )
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert funds["approved_amount"] == "1500000.00" and funds["approved"] == "1500000.00"
    wait_for(
        lambda: (
            stack.http("GET", f"/projects/{code}/change-requests", "unit", UNIT).json()[0]["status"]
            == "awaiting_drc"
        ),
        timeout=20,
        message="the register waits too",
    )
    assert stack.http("GET", f"/projects/{code}", "office").json()["approved_amount"] == "1500000.00"
    assert stack.http("POST", reapproval, "office", json=body).status_code == 403
    again = stack.http(
        "POST",
        f"/projects/{code}/change-requests",
        "unit",
        UNIT,
        json={"changes": {"location": "烟台"}, "reason": "r"},
    )
    assert again.status_code == 409  # one change under review at a time
    r = stack.http("POST", reapproval, "drc", json=body)
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert r.json()["drc"]["document_no"] == "鲁发改投资〔2026〕22号"
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/funds", "finance").json()["approved"] == "1700000.00",
        timeout=20,
        message="finance raised the budget",
    )
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}", "office").json()["approved_amount"] == "1700000.00",
        timeout=20,
        message="register updated",
    )
    assert stack.http("POST", reapproval, "drc", json=body).status_code == 409
    actions = wait_for(
        lambda: (lambda a: a if "change_reapproved" in a else None)(
            [
                e["action"]
                for e in stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
            ]
        ),
        timeout=20,
        message="on the timeline",
    )
    assert actions.index("change_decided") < actions.index("change_reapproved")


def test_incident_rectification_and_suspension(stack):
    code = approved(stack)
    other = stack.http(
        "POST",
        f"/projects/{code}/incidents",
        "unit",
        "U-OTHER",
        json={"kind": "serious_delay", "description": "x"},
    )
    assert other.status_code == 403
    r = stack.http(
        "POST",
        f"/projects/{code}/incidents",
        "unit",
        UNIT,
        json={"kind": "serious_delay", "description": "主体工程严重逾期"},
    )
    assert r.status_code == 201
    incident = r.json()["id"]
    no_deadline = stack.http(
        "POST", f"/projects/{code}/incidents/{incident}/decision", "office", json={"action": "rectify"}
    )
    assert no_deadline.status_code == 422
    # not a fixed-asset project: the office is its approving body, the DRC is refused
    drc = stack.http(
        "POST",
        f"/projects/{code}/incidents/{incident}/decision",
        "drc",
        json={"action": "rectify", "deadline": "2099-12-31"},
    )
    assert drc.status_code == 403 and error(drc)["articles"] == ["第十九条"]
    assert error(drc)["details"]["approving_body"] == "office" and error(drc)["message_zh"]
    [still_open] = stack.http("GET", f"/projects/{code}/incidents", "office").json()
    assert still_open["status"] == "open" and still_open["decision"] is None
    ok = stack.http(
        "POST",
        f"/projects/{code}/incidents/{incident}/decision",
        "office",
        json={"action": "rectify", "deadline": "2099-12-31"},
    )
    assert ok.status_code == 200 and ok.json()["decision"]["action"] == "rectify"
    loss = stack.http(
        "POST",
        f"/projects/{code}/incidents",
        "unit",
        UNIT,
        json={"kind": "major_loss", "description": "投资重大损失"},
    ).json()["id"]
    stack.http("POST", f"/projects/{code}/incidents/{loss}/decision", "office", json={"action": "suspend"})
    wait_for(lambda: status(stack, code) == "suspended", timeout=20, message="suspended")
    actions = wait_for(
        lambda: (lambda a: a if "construction_suspended" in a else None)(
            [e["action"] for e in stack.http("GET", f"/projects/{code}/timeline", "office").json()["events"]]
        ),
        timeout=20,
        message="the suspension on the timeline",
    )
    assert actions.index("rectification_ordered") < actions.index("construction_suspended")


def test_the_drc_decides_the_incidents_of_a_project_it_approved(stack):
    code = submitted(stack, fixed_asset_investment=True)
    review(stack, {"project": code, "decision": "approve", "approved_amount": "1600000.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting")
    stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={"decision": "approve", "approved_investment": "1500000.00", "document_no": "鲁发改〔1〕"},
    )
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    assert stack.http("GET", f"/projects/{code}", "unit", UNIT).json()["approving_body"] == "drc"
    incident = stack.http(
        "POST",
        f"/projects/{code}/incidents",
        "unit",
        UNIT,
        json={"kind": "major_loss", "description": "投资重大损失"},
    ).json()["id"]
    path = f"/projects/{code}/incidents/{incident}"
    office = stack.http("POST", f"{path}/decision", "office", json={"action": "suspend"})
    assert office.status_code == 403 and error(office)["details"]["approving_body"] == "drc"
    assert stack.http("POST", f"{path}/decision", "drc", json={"action": "suspend"}).status_code == 200
    wait_for(lambda: status(stack, code) == "suspended", timeout=20, message="suspended")
    office = stack.http("POST", f"{path}/resumption", "office", json={"reason": "恢复"})
    assert office.status_code == 403 and status(stack, code) == "suspended"
    resumed = stack.http("POST", f"{path}/resumption", "drc", json={"reason": "损失已挽回"})
    assert resumed.status_code == 200 and resumed.json()["status"] == "resumed"
    assert resumed.json()["decision"]["resumption"]["reason"] == "损失已挽回"
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="status back")
