"""From completion to a passed acceptance and an accepted self-evaluation (issue: acceptance)."""

import hashlib

import pytest

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370500-001"
ITEM = "SDZW-2026-30"
SHA = hashlib.sha256(b"doc").hexdigest()
FIVE = (
    "construction_summary",
    "financial_report",
    "audit_report",
    "security_risk_assessment",
    "crypto_application",
)


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(
        infrastructure, tmp_path_factory.mktemp("acceptance"), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30"
    ) as running:
        running.set_today("2026-03-02")
        running.plan_in_force(ITEM)
        yield running


def status(stack, code):
    return stack.status(code)


def self_evaluation_deadline(stack, code):
    return [
        d
        for d in stack.http("GET", "/deadlines", "unit", UNIT, params={"project": code}).json()
        if d["kind"] == "self_evaluation"
    ]


def approved(stack):
    code = stack.approved(UNIT, ITEM, amount="500000.00", budget={"total": "500000.00"})
    stack.budgeted(code, "450000.00", message="budget")
    stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-1",
            "supplier": "浪潮",
            "amount": "400000.00",
            "signed_on": "2026-03-02",
            "text_sha256": "c1" * 32,
        },
    )
    stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-OM",
            "supplier": "浪潮",
            "amount": "50000.00",
            "purpose": "om",
            "signed_on": "2026-03-02",
            "text_sha256": "c2" * 32,
        },
    )  # O&M money is paid under an O&M contract
    return code


def om(stack, code):
    return stack.http(
        "POST",
        f"/projects/{code}/disbursements",
        "unit",
        UNIT,
        # the level named: before its O&M budget no level funds the purpose (第二十五条)
        json={"purpose": "om", "amount": "10000.00", "contract_no": "HT-OM", "level": "province"},
    ).json()


def test_completion_to_acceptance_to_self_evaluation(stack):
    code = approved(stack)
    r = stack.http("POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2026-03-02"})
    assert r.status_code == 201 and r.json()["acceptance_due"] == "2026-06-02"
    wait_for(lambda: status(stack, code) == "completed", timeout=20, message="completed")

    ext = stack.http(
        "POST",
        f"/projects/{code}/acceptance-extension",
        "unit",
        UNIT,
        json={"reason": "审计报告尚未出具", "requested_due": "2026-07-31"},
    )
    assert ext.status_code == 201 and ext.json()["acceptance_due"] == "2026-06-02"
    # the office is this project's approving body: the DRC's decision is refused, changing nothing
    drc = stack.http(
        "POST", f"/projects/{code}/acceptance-extension/decision", "drc", json={"decision": "grant"}
    )
    assert drc.status_code == 403 and drc.json()["error"]["articles"] == ["第二十三条"]
    unchanged = stack.http("GET", f"/projects/{code}/acceptance", "office").json()
    assert unchanged["acceptance_due"] == "2026-06-02" and unchanged["extension_pending"]
    granted = stack.http(
        "POST", f"/projects/{code}/acceptance-extension/decision", "office", json={"decision": "grant"}
    )
    assert granted.json()["acceptance_due"] == "2026-07-31"
    assert [e["why"].split(":")[0] for e in granted.json()["clock_ledger"]] == [
        "construction finished 2026-03-02",
        "extension granted",
    ]
    # the application and the decision are steps on the timeline (the DRC's 403 is not)
    extension_steps = (
        "acceptance_extension_requested",
        "acceptance_extension_decided",
        "acceptance_deadline_extended",
    )
    steps = wait_for(
        lambda: (lambda s: s if len(s) == 3 else None)(
            [
                e
                for e in stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
                if e["action"] in extension_steps
            ]
        ),
        timeout=20,
        message="on the timeline",
    )
    assert sorted(e["action"] for e in steps) == sorted(extension_steps)
    decided = next(e for e in steps if e["action"] == "acceptance_extension_decided")
    assert decided["articles"] == ["第二十三条"] and decided["what_zh"] == "延期验收申请审批"

    refused = stack.http("POST", f"/projects/{code}/acceptance-application", "unit", UNIT)
    assert refused.status_code == 422
    assert [m["item"] for m in refused.json()["error"]["details"]["missing"]] == list(FIVE)
    for doc in FIVE:
        stack.http(
            "PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT, json={"title": doc, "sha256": SHA}
        )
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/archive", "unit", UNIT).json()[
            "complete_for_acceptance"
        ],
        timeout=20,
        message="archive complete",
    )
    assert stack.http("POST", f"/projects/{code}/acceptance-application", "unit", UNIT).status_code == 201

    no_items = stack.http(
        "POST",
        f"/projects/{code}/acceptance-decision",
        "office",
        json={"passed": True, "report_document": "验收报告.pdf"},
    )
    assert no_items.status_code == 422
    assert no_items.json()["error"]["articles"] == ["第二十八条", "第三十二条"]
    assert "acceptance_passed" in [g["gate"] for g in om(stack, code)["failed_gates"]]
    # 第十一条, 第二十三条: a construction project's O&M money is budgeted after its acceptance
    this_years_om = {"om": {"total": "50000.00", "by_level": {"province": "50000.00"}}}
    early = stack.http("POST", f"/projects/{code}/budget", "finance", json=this_years_om)
    assert early.status_code == 409, early.text
    assert early.json()["error"]["articles"] == ["第十一条", "第二十三条"]
    assert "om" in early.json()["error"]["details"] and early.json()["error"]["message_zh"]
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert "om" not in funds["by_year"]["2026"]  # nothing recorded
    passed = stack.http(
        "POST",
        f"/projects/{code}/acceptance-decision",
        "office",
        json={
            "passed": True,
            "report_document": "验收报告.pdf",
            "items": {"catalog_registered": True, "products_controllable": True},
        },
    )
    assert passed.status_code == 200
    wait_for(lambda: status(stack, code) == "accepted", timeout=20, message="accepted")
    wait_for(
        lambda: (
            stack.http("POST", f"/projects/{code}/budget", "finance", json=this_years_om).status_code == 201
        ),
        timeout=20,
        message="this year's O&M budgeted once finance learned the acceptance",
    )
    wait_for(
        lambda: [g["gate"] for g in om(stack, code)["failed_gates"]] == ["sharing_platform"],
        timeout=20,
        message="acceptance gate open",
    )
    stack.http(
        "POST",
        f"/projects/{code}/sharing-status",
        "office",
        json={"connected": True, "sharing_compliant": True, "checked_on": "2026-03-02"},
    )
    wait_for(lambda: om(stack, code)["status"] == "paid", timeout=20, message="O&M money")
    # 第十七条: the surplus returned is construction money only; the O&M money stays
    returned = stack.http("POST", f"/projects/{code}/surplus-return", "finance")
    assert returned.status_code == 200, returned.text
    by_purpose = returned.json()["by_purpose"]
    assert by_purpose["construction"]["province"]["available"] == "0.00"
    assert by_purpose["om"]["province"]["returned"] == "0.00"
    assert by_purpose["om"]["province"]["available"] == "40000.00"
    # after acceptance, its O&M is budgeted by year (第十一条): next year's is not this year's money
    next_year = stack.http(
        "POST",
        f"/projects/{code}/budget",
        "finance",
        json={"year": 2027, "om": {"total": "30000.00", "by_level": {"province": "30000.00"}}},
    )
    assert next_year.status_code == 201, next_year.text
    assert next_year.json()["by_year"]["2027"] == {"om": {"approved": "30000.00", "disbursed": "0.00"}}
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": "HT-OM-2027",
                "supplier": "浪潮",
                "amount": "60000.00",
                "purpose": "om",
                "signed_on": "2026-03-02",
                "text_sha256": "c3" * 32,
            },
        ).status_code
        == 201
    )

    def om_2027():
        return stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            UNIT,
            json={"purpose": "om", "amount": "60000.00", "contract_no": "HT-OM-2027"},
        ).json()

    assert [g["gate"] for g in om_2027()["failed_gates"]] == ["within_budget"]  # 40,000 left

    # 第十五条: no O&M management rules on file, no going live (422, listing it, nothing changed)
    bare = stack.http("POST", f"/projects/{code}/go-live", "unit", UNIT, json={"live_on": "2026-03-02"})
    assert bare.status_code == 422 and bare.json()["error"]["articles"] == ["第十五条", "第二十四条"], (
        bare.text
    )
    assert [m["item"] for m in bare.json()["error"]["details"]["missing"]] == ["om_management_rules"]
    assert status(stack, code) == "accepted"
    stack.http(
        "PUT",
        f"/projects/{code}/documents/om_management_rules",
        "unit",
        UNIT,
        json={"title": "运行维护管理制度", "sha256": SHA},
    )
    [live] = wait_for(
        lambda: (lambda r: [r] if r.status_code != 422 else None)(
            stack.http("POST", f"/projects/{code}/go-live", "unit", UNIT, json={"live_on": "2026-03-02"})
        ),
        timeout=20,
        message="the archive has the O&M management rules",
    )
    assert live.status_code == 201, live.text
    assert live.json()["self_evaluation_window"] == {"opens": "2027-03-02", "closes": "2028-03-02"}
    wait_for(lambda: status(stack, code) == "in_operation", timeout=20, message="in operation")
    [window] = wait_for(
        lambda: self_evaluation_deadline(stack, code),
        timeout=20,
        message="the deadline engine has the window",
    )
    assert window["due_on"] == "2028-03-02" and window["ledger"][0]["opens"] == "2027-03-02"
    assert window["status"] == "open" and window["article"] == "第二十四条"
    early = stack.http(
        "POST", f"/projects/{code}/self-evaluation", "unit", UNIT, json={"report_document": "自评价.pdf"}
    )
    assert early.status_code == 422 and early.json()["error"]["articles"] == ["第二十四条"]

    stack.set_today("2027-03-02")
    assert om_2027()["status"] == "paid"  # 2026's 40,000.00 left and 2027's 30,000.00
    ok = stack.http(
        "POST", f"/projects/{code}/self-evaluation", "unit", UNIT, json={"report_document": "自评价.pdf"}
    )
    assert ok.status_code == 201, ok.text
    wait_for(
        lambda: self_evaluation_deadline(stack, code)[0]["status"] == "met",
        timeout=20,
        message="the window is met",
    )
    commission = stack.http(
        "POST", f"/projects/{code}/post-evaluations", "office", json={"evaluator": "evaluator@sdei"}
    )
    pid = commission.json()["id"]
    other = stack.http(
        "POST",
        f"/post-evaluations/{pid}/report",
        "evaluator",
        token=stack.token("evaluator", sub="someone-else"),
        json={"report_document": "r", "conclusion": "c"},
    )
    assert other.status_code == 403
    report = stack.http(
        "POST",
        f"/post-evaluations/{pid}/report",
        token=stack.token("evaluator", sub="evaluator@sdei"),
        json={"report_document": "后评价报告.pdf", "conclusion": "达到预期目标"},
    )
    assert report.status_code == 201
    actions = wait_for(
        lambda: (lambda a: a if "post_evaluation_reported" in a else None)(
            [
                e["action"]
                for e in stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]
            ]
        ),
        timeout=20,
        message="on the timeline",
    )
    assert {
        "construction_completed",
        "acceptance_deadline_extended",
        "acceptance_decided",
        "project_went_live",
        "self_evaluation_filed",
    } <= set(actions)


def test_annual_report(stack):
    """Runs after the first test moved the simulated clock into 2027."""
    code = approved(stack)
    r = stack.http(
        "POST",
        f"/projects/{code}/annual-reports",
        "unit",
        UNIT,
        json={
            "year": 2026,
            "progress": "完成 60%",
            "budget_execution": "执行 55%",
            "in_trial_operation": True,
        },
    )
    assert r.status_code == 422 and r.json()["error"]["articles"] == ["第十六条"]
    late = stack.http(
        "POST",
        f"/projects/{code}/annual-reports",
        "unit",
        UNIT,
        json={"year": 2026, "progress": "完成 60%", "budget_execution": "执行 55%"},
    )
    assert late.status_code == 201 and late.json()["on_time"] is False  # recorded, and late
    ok = stack.http(
        "POST",
        f"/projects/{code}/annual-reports",
        "unit",
        UNIT,
        json={"year": 2027, "progress": "完成 90%", "budget_execution": "执行 85%"},
    )
    assert ok.status_code == 201 and ok.json()["on_time"] is True
    twice = stack.http(
        "POST",
        f"/projects/{code}/annual-reports",
        "unit",
        UNIT,
        json={"year": 2027, "progress": "x", "budget_execution": "y"},
    )
    assert twice.status_code == 409

    # read by the unit, the office, finance and audit (第十六条); not by others
    path = f"/projects/{code}/annual-reports"
    for role, unit in (("unit", UNIT), ("office", None), ("finance", None), ("audit", None)):
        reports = stack.http("GET", path, role, unit)
        assert reports.status_code == 200, (role, reports.text)
        assert [(r["year"], r["on_time"], r["budget_execution"]) for r in reports.json()] == [
            (2026, False, "执行 55%"),
            (2027, True, "执行 85%"),
        ]
    for role, unit in (("unit", "U-370500-999"), ("drc", None), ("secrecy", None), ("group", None)):
        refused = stack.http("GET", path, role, unit)
        assert refused.status_code == 403, (role, refused.text)
        assert refused.json()["error"]["message_zh"]
    # the office, not the DRC, approved it: the DRC is told why
    assert stack.http("GET", path, "drc").json()["error"]["details"]["approving_body"] == "office"
    # finance is told of each report by event
    told = wait_for(
        lambda: (lambda f: f if len(f["annual_reports"]) == 2 else None)(
            stack.http("GET", f"/projects/{code}/funds", "finance").json()
        ),
        timeout=20,
        message="finance told of the reports",
    )
    assert told["annual_reports"] == [
        {"year": 2026, "filed_on": "2027-03-02", "on_time": False},
        {"year": 2027, "filed_on": "2027-03-02", "on_time": True},
    ]


def ready_for_decision(stack, code):
    """Completed, the five reports on file, acceptance applied for."""
    assert (
        stack.http(
            "POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2027-03-02"}
        ).status_code
        == 201
    )
    for doc in FIVE:
        stack.http(
            "PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT, json={"title": doc, "sha256": SHA}
        )
    wait_for(
        lambda: (
            stack.http("POST", f"/projects/{code}/acceptance-application", "unit", UNIT).status_code == 201
        ),
        timeout=20,
        message="applied",
    )


def test_the_approving_body_delegates_the_acceptance_to_the_unit(stack):
    """第二十二条: organised by the approving body, or by the unit it delegated; the report is
    filed with the office (第二十三条), who reads it. Each refusal changes nothing."""
    code = approved(stack)
    assert stack.http("GET", f"/projects/{code}", "unit", UNIT).json()["approving_body"] == "office"
    ready_for_decision(stack, code)
    decision = {"passed": False, "findings": "性能测试未达标", "report_document": "验收意见书.pdf"}
    early = stack.http("POST", f"/projects/{code}/acceptance-decision", "unit", UNIT, json=decision)
    assert early.status_code == 403 and early.json()["error"]["articles"] == ["第二十二条"]
    drc = stack.http("POST", f"/projects/{code}/acceptance-decision", "drc", json=decision)
    assert drc.status_code == 403
    assert drc.json()["error"]["details"]["approving_body"] == "office"
    for role, unit in (("drc", None), ("unit", UNIT), ("finance", None)):
        r = stack.http(
            "POST", f"/projects/{code}/acceptance-delegation", role, unit, json={"comments": "委托"}
        )
        assert r.status_code == 403, (role, r.text)
    untouched = stack.http("GET", f"/projects/{code}/acceptance", "office").json()
    assert untouched["decision"] is None and untouched["delegation"] is None

    delegated = stack.http(
        "POST",
        f"/projects/{code}/acceptance-delegation",
        "office",
        json={"comments": "委托建设单位组织竣工验收"},
    )
    assert delegated.status_code == 200, delegated.text
    assert delegated.json()["delegation"]["body"] == "office"
    again = stack.http(
        "POST", f"/projects/{code}/acceptance-delegation", "office", json={"comments": "再次委托"}
    )
    assert again.status_code == 409 and again.json()["error"]["articles"] == ["第二十二条"]
    co = stack.http("POST", f"/projects/{code}/acceptance-decision", "unit", "U-370500-999", json=decision)
    assert co.status_code == 403  # another unit: not its project
    recorded = stack.http("POST", f"/projects/{code}/acceptance-decision", "unit", UNIT, json=decision)
    assert recorded.status_code == 200, recorded.text
    record = recorded.json()["decision"]
    assert record["organised_by"] == "unit" and record["passed"] is False
    assert record["delegation"]["comments"] == "委托建设单位组织竣工验收"
    filed = stack.http("GET", f"/projects/{code}/acceptance", "office").json()["decision"]
    assert filed["filed_with_office"] == {"on": "2027-03-02", "report_document": "验收意见书.pdf"}
    events = stack.timeline_with(code, "acceptance_decided", "office", message="on the timeline")
    story = [e["action"] for e in events]
    assert story.index("acceptance_delegated") < story.index("acceptance_decided")
    step = events[story.index("acceptance_delegated")]
    assert step["what_zh"] == "委托项目建设单位组织竣工验收" and step["articles"] == ["第二十二条"]
    assert events[story.index("acceptance_decided")]["details"]["organised_by"] == "unit"


def test_the_drc_decides_for_a_project_it_approved(stack):
    """A fixed-asset project approved by the DRC: the DRC decides its extensions and reads its
    annual reports; the office is refused the decision (but reads, as it oversees)."""
    code = stack.submitted(UNIT, ITEM, fixed_asset_investment=True, budget={"total": "500000.00"})
    stack.review({"project": code, "decision": "approve", "approved_amount": "500000.00"})
    wait_for(lambda: status(stack, code) == "awaiting_approval", timeout=20, message="awaiting")
    stack.http(
        "POST",
        f"/projects/{code}/drc-approval",
        "drc",
        json={"decision": "approve", "approved_investment": "500000.00", "document_no": "鲁发改〔7〕"},
    )
    wait_for(lambda: status(stack, code) == "approved", timeout=20, message="approved")
    assert stack.http("GET", f"/projects/{code}", "office").json()["approving_body"] == "drc"
    wait_for(
        lambda: (
            stack.http(
                "POST",
                f"/projects/{code}/annual-reports",
                "unit",
                UNIT,
                json={"year": 2027, "progress": "完成 30%", "budget_execution": "执行 20%"},
            ).status_code
            == 201
        ),
        timeout=20,
        message="reported",
    )
    for role in ("drc", "office"):
        assert [r["year"] for r in stack.http("GET", f"/projects/{code}/annual-reports", role).json()] == [
            2027
        ], role
    stack.http("POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2027-03-02"})
    stack.http(
        "POST",
        f"/projects/{code}/acceptance-extension",
        "unit",
        UNIT,
        json={"reason": "审计未完成", "requested_due": "2027-08-31"},
    )
    office = stack.http(
        "POST", f"/projects/{code}/acceptance-extension/decision", "office", json={"decision": "grant"}
    )
    assert office.status_code == 403
    assert office.json()["error"]["details"]["approving_body"] == "drc"
    assert (
        stack.http(
            "POST", f"/projects/{code}/acceptance-extension/decision", "drc", json={"decision": "grant"}
        ).json()["acceptance_due"]
        == "2027-08-31"
    )
    delegated = stack.http(
        "POST", f"/projects/{code}/acceptance-delegation", "office", json={"comments": "委托"}
    )
    assert delegated.status_code == 403


def test_acceptance_items_come_from_facts_and_a_contradicting_pass_is_refused(stack):
    """第二十八条, 第三十二条: the decision form is prefilled from the sharing-platform record and
    the key products (contracts, security profile); a pass stating what they contradict is
    refused listing each contradiction, and changes nothing."""
    code = approved(stack)
    today = stack.http("GET", f"/projects/{code}/acceptance", "office").json()
    assert today["items_from_facts"]["products_controllable"]["value"] is None
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": "HT-KEY",
                "supplier": "某外资厂商",
                "amount": "1000.00",
                "signed_on": "2026-03-02",
                "text_sha256": "c4" * 32,
                "products": [{"name": "核心交换机", "category": "core_network", "controllable": False}],
            },
        ).status_code
        == 201
    )
    stack.http(
        "POST",
        f"/projects/{code}/sharing-status",
        "office",
        json={
            "connected": True,
            "sharing_compliant": True,
            "checked_on": "2026-03-02",
            "catalog_registered": False,
        },
    )
    assert (
        stack.http(
            "POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2026-03-02"}
        ).status_code
        == 201
    )
    for doc in FIVE:
        stack.http(
            "PUT", f"/projects/{code}/documents/{doc}", "unit", UNIT, json={"title": doc, "sha256": SHA}
        )
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/archive", "unit", UNIT).json()[
            "complete_for_acceptance"
        ],
        timeout=20,
        message="archive complete",
    )
    assert stack.http("POST", f"/projects/{code}/acceptance-application", "unit", UNIT).status_code == 201

    def known():
        items = stack.http("GET", f"/projects/{code}/acceptance", "office").json()["items_from_facts"]
        return {k: v["value"] for k, v in items.items()}

    wait_for(
        lambda: known() == {"catalog_registered": False, "products_controllable": False},
        timeout=20,
        message="acceptance learned the facts",
    )
    before = stack.http("GET", f"/projects/{code}/acceptance", "office").json()
    claimed = stack.http(
        "POST",
        f"/projects/{code}/acceptance-decision",
        "office",
        json={
            "passed": True,
            "report_document": "验收报告.pdf",
            "items": {"catalog_registered": True, "products_controllable": True},
        },
    )
    assert claimed.status_code == 422, claimed.text
    body = claimed.json()["error"]
    assert body["articles"] == ["第二十八条", "第三十二条"]
    assert [
        (c["item"], c["source"]["source"], c["source"].get("contract_no"))
        for c in body["details"]["contradictions"]
    ] == [("catalog_registered", "sharing_status", None), ("products_controllable", "contract", "HT-KEY")]
    assert stack.http("GET", f"/projects/{code}/acceptance", "office").json() == before
    assert stack.status(code) == "completed"
    # not stated: taken from the facts — not met, so no pass either
    prefilled = stack.http(
        "POST",
        f"/projects/{code}/acceptance-decision",
        "office",
        json={"passed": True, "report_document": "验收报告.pdf"},
    )
    assert prefilled.status_code == 422
    assert set(prefilled.json()["error"]["details"]) == {"catalog_registered", "products_controllable"}
    failed = stack.http(
        "POST",
        f"/projects/{code}/acceptance-decision",
        "office",
        json={"passed": False, "findings": "核心交换机不可控", "report_document": "验收意见.pdf"},
    )
    assert failed.status_code == 200, failed.text
    assert failed.json()["decision"]["items"] == {"catalog_registered": False, "products_controllable": False}
