"""From completion to a passed acceptance and an accepted self-evaluation (issue: acceptance)."""
import hashlib

import pytest

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370500-001"
ITEM = "SDZW-2026-30"
SHA = hashlib.sha256(b"doc").hexdigest()
FIVE = ("construction_summary", "financial_report", "audit_report", "security_risk_assessment",
        "crypto_application")


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("acceptance"),
                       GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30") as running:
        running.set_today("2026-03-02")
        running.plan_in_force(ITEM)
        yield running




def status(stack, code):
    return stack.status(code)


def self_evaluation_deadline(stack, code):
    return [d for d in stack.http("GET", "/deadlines", "unit", UNIT,
                                  params={"project": code}).json()
            if d["kind"] == "self_evaluation"]


def approved(stack):
    code = stack.approved(UNIT, ITEM, amount="500000.00", budget={"total": "500000.00"})
    wait_for(lambda: stack.http("POST", f"/projects/{code}/budget", "finance", json={
        "construction": {"total": "450000.00", "by_level": {"province": "450000.00"}},
        "om": {"total": "50000.00", "by_level": {"province": "50000.00"}}}).status_code == 201,
        timeout=20, message="budget")
    stack.http("POST", f"/projects/{code}/contracts", "unit", UNIT, json={
        "contract_no": "HT-1", "supplier": "浪潮", "amount": "400000.00",
        "signed_on": "2026-03-02", "text_sha256": "c1" * 32})
    stack.http("POST", f"/projects/{code}/contracts", "unit", UNIT, json={
        "contract_no": "HT-OM", "supplier": "浪潮", "amount": "50000.00", "purpose": "om",
        "signed_on": "2026-03-02", "text_sha256": "c2" * 32})   # O&M money is paid under an O&M contract
    return code


def om(stack, code):
    return stack.http("POST", f"/projects/{code}/disbursements", "unit", UNIT, json={
        "purpose": "om", "amount": "10000.00", "contract_no": "HT-OM"}).json()


def test_completion_to_acceptance_to_self_evaluation(stack):
    code = approved(stack)
    r = stack.http("POST", f"/projects/{code}/completion", "unit", UNIT,
                   json={"completed_on": "2026-03-02"})
    assert r.status_code == 201 and r.json()["acceptance_due"] == "2026-06-02"
    wait_for(lambda: status(stack, code) == "completed", timeout=20, message="completed")

    ext = stack.http("POST", f"/projects/{code}/acceptance-extension", "unit", UNIT,
                     json={"reason": "审计报告尚未出具", "requested_due": "2026-07-31"})
    assert ext.status_code == 201 and ext.json()["acceptance_due"] == "2026-06-02"
    granted = stack.http("POST", f"/projects/{code}/acceptance-extension/decision", "drc",
                         json={"decision": "grant"})
    assert granted.json()["acceptance_due"] == "2026-07-31"
    assert [e["why"].split(":")[0] for e in granted.json()["clock_ledger"]] == [
        "construction finished 2026-03-02", "extension granted"]

    refused = stack.http("POST", f"/projects/{code}/acceptance-application", "unit", UNIT)
    assert refused.status_code == 422
    assert [m["item"] for m in refused.json()["error"]["details"]["missing"]] == list(FIVE)
    for doc in FIVE:
        stack.http("PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT,
                   json={"title": doc, "sha256": SHA})
    wait_for(lambda: stack.http("GET", f"/projects/{code}/archive", "unit", UNIT).json()[
        "complete_for_acceptance"], timeout=20, message="archive complete")
    assert stack.http("POST", f"/projects/{code}/acceptance-application", "unit",
                      UNIT).status_code == 201

    no_items = stack.http("POST", f"/projects/{code}/acceptance-decision", "office", json={
        "passed": True, "report_document": "验收报告.pdf"})
    assert no_items.status_code == 422
    assert no_items.json()["error"]["articles"] == ["第二十八条", "第三十二条"]
    assert "acceptance_passed" in [g["gate"] for g in om(stack, code)["failed_gates"]]
    passed = stack.http("POST", f"/projects/{code}/acceptance-decision", "office", json={
        "passed": True, "report_document": "验收报告.pdf", "items": {
            "catalog_registered": True, "products_controllable": True}})
    assert passed.status_code == 200
    wait_for(lambda: status(stack, code) == "accepted", timeout=20, message="accepted")
    wait_for(lambda: [g["gate"] for g in om(stack, code)["failed_gates"]]
             == ["sharing_platform"], timeout=20, message="acceptance gate open")
    stack.http("POST", f"/projects/{code}/sharing-status", "office", json={
        "connected": True, "sharing_compliant": True, "checked_on": "2026-03-02"})
    wait_for(lambda: om(stack, code)["status"] == "paid", timeout=20, message="O&M money")

    live = stack.http("POST", f"/projects/{code}/go-live", "unit", UNIT,
                      json={"live_on": "2026-03-02"})
    assert live.status_code == 201
    assert live.json()["self_evaluation_window"] == {"opens": "2027-03-02",
                                                     "closes": "2028-03-02"}
    wait_for(lambda: status(stack, code) == "in_operation", timeout=20, message="in operation")
    [window] = wait_for(lambda: self_evaluation_deadline(stack, code), timeout=20,
                        message="the deadline engine has the window")
    assert window["due_on"] == "2028-03-02" and window["ledger"][0]["opens"] == "2027-03-02"
    assert window["status"] == "open" and window["article"] == "第二十四条"
    early = stack.http("POST", f"/projects/{code}/self-evaluation", "unit", UNIT,
                       json={"report_document": "自评价.pdf"})
    assert early.status_code == 422 and early.json()["error"]["articles"] == ["第二十四条"]

    stack.set_today("2027-03-02")
    ok = stack.http("POST", f"/projects/{code}/self-evaluation", "unit", UNIT,
                    json={"report_document": "自评价.pdf"})
    assert ok.status_code == 201, ok.text
    wait_for(lambda: self_evaluation_deadline(stack, code)[0]["status"] == "met", timeout=20,
             message="the window is met")
    commission = stack.http("POST", f"/projects/{code}/post-evaluations", "office",
                            json={"evaluator": "evaluator@sdei"})
    pid = commission.json()["id"]
    other = stack.http("POST", f"/post-evaluations/{pid}/report", "evaluator", token=stack.token(
        "evaluator", sub="someone-else"), json={"report_document": "r", "conclusion": "c"})
    assert other.status_code == 403
    report = stack.http("POST", f"/post-evaluations/{pid}/report", token=stack.token(
        "evaluator", sub="evaluator@sdei"), json={"report_document": "后评价报告.pdf",
                                                  "conclusion": "达到预期目标"})
    assert report.status_code == 201
    actions = wait_for(lambda: (lambda a: a if "post_evaluation_reported" in a else None)(
        [e["action"] for e in stack.http("GET", f"/projects/{code}/timeline", "unit",
                                         UNIT).json()["events"]]), timeout=20,
        message="on the timeline")
    assert {"construction_completed", "acceptance_deadline_extended", "acceptance_decided",
            "project_went_live", "self_evaluation_filed"} <= set(actions)


def test_annual_report(stack):
    """Runs after the first test moved the simulated clock into 2027."""
    code = approved(stack)
    r = stack.http("POST", f"/projects/{code}/annual-reports", "unit", UNIT, json={
        "year": 2026, "progress": "完成 60%", "budget_execution": "执行 55%",
        "in_trial_operation": True})
    assert r.status_code == 422 and r.json()["error"]["articles"] == ["第十六条"]
    late = stack.http("POST", f"/projects/{code}/annual-reports", "unit", UNIT, json={
        "year": 2026, "progress": "完成 60%", "budget_execution": "执行 55%"})
    assert late.status_code == 201 and late.json()["on_time"] is False  # recorded, and late
    ok = stack.http("POST", f"/projects/{code}/annual-reports", "unit", UNIT, json={
        "year": 2027, "progress": "完成 90%", "budget_execution": "执行 85%"})
    assert ok.status_code == 201 and ok.json()["on_time"] is True
    twice = stack.http("POST", f"/projects/{code}/annual-reports", "unit", UNIT, json={
        "year": 2027, "progress": "x", "budget_execution": "y"})
    assert twice.status_code == 409
