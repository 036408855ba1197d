"""From budget to paid and refused requests, through the gateway (issue: finance)."""

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from shared.testing import running_stack, wait_for
from shared.timekit.clock import RealClock

pytestmark = pytest.mark.e2e

UNIT = "U-370400-001"
ITEM = "SDZW-2026-20"


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("finance"), RPC_TIMEOUT="30") as running:
        running.plan_in_force(ITEM)
        yield running


def approved(stack):
    code = stack.approved(UNIT, ITEM, amount="900000.00")
    stack.budgeted(code, "800000.00", message="finance learned the approval")
    return code


def status(stack, code):
    return stack.http("GET", f"/projects/{code}", "office").json()["status"]


def contract(stack, code, no="HT-2026-001", signed=None):
    return stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": no,
            "supplier": "浪潮软件股份有限公司",
            "amount": "600000.00",
            "signed_on": (signed or date.today()).isoformat(),
            "text_sha256": hashlib.sha256(no.encode()).hexdigest(),
            "products": [{"name": "数据库", "category": "base_software", "controllable": True}],
        },
    )


def disburse(stack, code, amount, purpose="construction", contract_no="HT-2026-001", unit=UNIT, **more):
    return stack.http(
        "POST",
        f"/projects/{code}/disbursements",
        "unit",
        unit,
        json={"purpose": purpose, "amount": amount, "contract_no": contract_no, **more},
    )


def gates(response):
    return [g["gate"] for g in response.json()["failed_gates"]]


def test_budget_contract_payment_and_refusals(stack):
    code = approved(stack)
    over = stack.http(
        "POST",
        f"/projects/{code}/budget",
        "finance",
        json={
            "construction": {"total": "1.00", "by_level": {"province": "1.00"}},
            "om": {"total": "0.00", "by_level": {}},
        },
    )
    assert over.status_code == 409  # recorded once
    assert contract(stack, code).status_code == 201
    wait_for(
        lambda: status(stack, code) == "in_construction",
        timeout=20,
        message="in construction from the first contract",
    )
    paid = disburse(stack, code, "500000.00")
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    beyond = disburse(stack, code, "300000.01")
    assert beyond.json()["status"] == "refused"
    assert gates(beyond) == ["within_budget", "within_contract"]
    gate = beyond.json()["failed_gates"][0]
    assert gate["articles"] == ["第十七条"] and "超支不补" in gate["message_zh"]
    unfiled = disburse(stack, code, "1.00", contract_no="HT-NOPE")
    assert gates(unfiled) == ["contract_filed"]
    # O&M money, a construction contract; no O&M budget before the acceptance (第二十三条)
    om = disburse(stack, code, "1.00", purpose="om", level="province")  # no level funds it yet
    assert gates(om) == ["within_budget", "acceptance_passed", "sharing_platform", "contract_purpose"]
    early_om = {"om": {"total": "50000.00", "by_level": {"province": "50000.00"}}}
    refused = stack.http("POST", f"/projects/{code}/budget", "finance", json=early_om)
    assert refused.status_code == 409 and refused.json()["error"]["articles"] == ["第十一条", "第二十三条"]
    funds = stack.http("GET", f"/projects/{code}/funds", "unit", UNIT).json()
    province = funds["by_purpose"]["construction"]["province"]
    assert province == {
        "approved": "800000.00",
        "disbursed": "500000.00",
        "withheld": "0.00",
        "returned": "0.00",
        "available": "300000.00",
        "to_recover": "0.00",
    }
    assert [e["kind"] for e in funds["ledger"]] == ["budget", "payment"]  # the O&M refusal: nothing
    # the totals over every purpose and level, beside by_purpose (docs/api.md)
    assert {k: funds[k] for k in ("approved", "disbursed", "withheld", "available")} == {
        "approved": "800000.00",
        "disbursed": "500000.00",
        "withheld": "0.00",
        "available": "300000.00",
    }
    # the contract (600,000.00, 500,000.00 paid) pays up to its amount and not a fen more
    one_fen_more = disburse(stack, code, "100000.01")
    assert gates(one_fen_more) == ["within_contract"]
    assert one_fen_more.json()["failed_gates"][0]["articles"] == ["第十二条", "第十三条", "第十七条"]
    assert disburse(stack, code, "100000.00").json()["status"] == "paid"
    assert disburse(stack, code, "1.00", unit="U-OTHER").status_code == 403


def test_money_is_exact_up_to_its_bound_and_refused_beyond_it(stack):
    """Below 10^13 yuan every amount is kept to the fen, through every service and store
    (integer fen on SQLite too); above it, a 422 naming the field and the limit — never a 500."""
    top = "9999999999999.99"
    beyond = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "超大项目",
            "kind": "construction",
            "level": "province",
            "plan_item": ITEM,
            "budget": {"total": "12345678901234567.89"},
        },
    )
    assert beyond.status_code == 422, beyond.text
    error = beyond.json()["error"]
    said = str(error["details"])
    assert "budget" in error["message"] and "9999999999999.99" in said and "10^13" in said
    assert "金额不得超过" in said

    code = stack.approved(UNIT, ITEM, amount=top, budget={"total": top})
    project = stack.http("GET", f"/projects/{code}", "office").json()
    assert project["budget"]["total"] == top and project["approved_amount"] == top
    wait_for(
        lambda: (
            stack.http(
                "POST",
                f"/projects/{code}/budget",
                "finance",
                json={
                    "construction": {"total": top, "by_level": {"province": top}},
                    "om": {"total": "0.00", "by_level": {}},
                },
            ).status_code
            == 201
        ),
        timeout=20,
        message="finance learned the approval",
    )
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": "HT-MAX",
                "supplier": "浪潮",
                "amount": top,
                "signed_on": date.today().isoformat(),
                "text_sha256": "ff" * 32,
            },
        ).status_code
        == 201
    )
    for amount in ("10000000000000.00", "92233720368547758.08"):  # the old 500s
        r = disburse(stack, code, amount, contract_no="HT-MAX")
        assert r.status_code == 422 and "amount" in r.json()["error"]["details"], r.text
    assert disburse(stack, code, top, contract_no="HT-MAX").json()["status"] == "paid"
    funds = stack.http("GET", f"/projects/{code}/funds", "unit", UNIT).json()
    assert funds["approved_amount"] == top
    assert funds["by_purpose"]["construction"]["province"]["disbursed"] == top
    engine = create_engine(stack.urls["planning"])
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT budget_total_fen, typeof(budget_total_fen) FROM projects WHERE code = :c"),
            {"c": code},
        ).one()
    engine.dispose()
    assert tuple(stored) == (999_999_999_999_999, "integer")


def test_money_is_a_decimal_string_never_a_json_number(stack):
    """A JSON number is 422 naming the field, wherever money is sent, and changes nothing."""
    code = approved(stack)
    assert contract(stack, code).status_code == 201
    before = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    for body in (
        {"purpose": "construction", "amount": 100, "contract_no": "HT-2026-001"},
        {"purpose": "construction", "amount": 100.5, "contract_no": "HT-2026-001"},
    ):
        r = stack.http("POST", f"/projects/{code}/disbursements", "unit", UNIT, json=body)
        assert r.status_code == 422, r.text
        details = r.json()["error"]["details"]
        assert list(details) == ["amount"] and "not a number" in str(details)
        assert "数字字符串" in str(details)
    r = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-NUM",
            "supplier": "浪潮",
            "amount": 1000,
            "signed_on": date.today().isoformat(),
            "text_sha256": "cd" * 32,
        },
    )
    assert r.status_code == 422 and list(r.json()["error"]["details"]) == ["amount"], r.text
    assert stack.http("GET", f"/projects/{code}/funds", "finance").json() == before


def test_contracts_are_filed_as_text_and_read_by_unit_office_finance_and_audit(stack):
    """第十三条 合同文本报…备案: the text's SHA-256 is required; the same text is not filed twice;
    the filed contracts are read by the owning unit, the office, finance and audit."""
    code = approved(stack)
    body = {
        "contract_no": "HT-TXT",
        "supplier": "浪潮",
        "amount": "1000.00",
        "signed_on": date.today().isoformat(),
    }
    missing = stack.http("POST", f"/projects/{code}/contracts", "unit", UNIT, json=body)
    assert missing.status_code == 422 and list(missing.json()["error"]["details"]) == ["text_sha256"], (
        missing.text
    )
    bad = stack.http("POST", f"/projects/{code}/contracts", "unit", UNIT, json={**body, "text_sha256": "xyz"})
    assert bad.status_code == 422 and "SHA-256" in str(bad.json()["error"]["details"])
    digest = "AB" * 32
    filed = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={**body, "text_sha256": digest, "document": "HT-TXT.pdf"},
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["text_sha256"] == digest.lower()
    twice = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={**body, "contract_no": "HT-TXT-2", "text_sha256": digest},
    )
    assert twice.status_code == 409 and twice.json()["error"]["articles"] == ["第十三条"]
    assert "HT-TXT" in twice.json()["error"]["message_zh"]
    assert disburse(stack, code, "400.00", contract_no="HT-TXT").json()["status"] == "paid"
    for role, unit in (("unit", UNIT), ("office", None), ("finance", None), ("audit", None)):
        r = stack.http("GET", f"/projects/{code}/contracts", role, unit)
        assert r.status_code == 200, (role, r.text)
        [one] = r.json()
        assert (one["contract_no"], one["text_sha256"], one["document"], one["filed_on"], one["paid"]) == (
            "HT-TXT",
            "ab" * 32,
            "HT-TXT.pdf",
            RealClock().today().isoformat(),  # the service dates in Beijing, not the host
            "400.00",
        )
    assert stack.http("GET", f"/projects/{code}/contracts", "unit", "U-OTHER").status_code == 403
    assert stack.http("GET", f"/projects/{code}/contracts", "drc").status_code == 403


def test_withholding_blocks_construction_money_until_lifted(stack):
    code = approved(stack)
    contract(stack, code)
    finding = stack.failed_finding(code, UNIT)
    assert (
        stack.http(
            "POST",
            "/sanctions",
            "office",
            json={  # the ladder's first step (第三十四条)
                "project": code,
                "type": "criticism",
                "reason": "逾期未整改",
                "finding": finding,
            },
        ).status_code
        == 201
    )
    sanction = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "withhold_funds", "reason": "逾期未整改", "finding": finding},
    )
    assert sanction.status_code == 201, sanction.text
    sid = sanction.json()["id"]
    wait_for(
        lambda: (
            stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]["withholding_sanctions"]
            == [sid]
        ),
        timeout=20,
        message="finance applied the sanction",
    )
    assert gates(disburse(stack, code, "1.00")) == ["within_budget", "no_withholding"]
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert funds["by_purpose"]["construction"]["province"]["withheld"] == "800000.00"
    assert (
        stack.http("POST", f"/sanctions/{sid}/lifting", "office", json={"reason": "整改完成"}).status_code
        == 200
    )
    wait_for(
        lambda: disburse(stack, code, "100.00").json()["status"] == "paid",
        timeout=20,
        message="paid after lifting",
    )
    assert (
        stack.http("POST", f"/sanctions/{sid}/lifting", "office", json={"reason": "again"}).status_code == 409
    )


def funds(stack, code, role="finance"):
    return stack.http("GET", f"/projects/{code}/funds", role, UNIT if role == "unit" else None)


def test_budgets_by_year_and_surplus_returns_construction_money_only(stack):
    """第十一条: a budget per year and purpose (year defaults to this year); a later year's
    money cannot leave this year; 第十七条: the surplus returned is construction money only."""
    # 800,000 this year (a construction project's O&M money comes after its acceptance:
    # test_acceptance_flow); the services' year is Beijing's, not the host's
    this, code = RealClock().today().year, approved(stack)
    budget = {"construction": {"total": "100000.00", "by_level": {"province": "100000.00"}}}
    assert (
        stack.http(
            "POST", f"/projects/{code}/budget", "finance", json={"year": this + 1, **budget}
        ).status_code
        == 201
    )
    again = stack.http("POST", f"/projects/{code}/budget", "finance", json={"year": this + 1, **budget})
    assert again.status_code == 409 and again.json()["error"]["articles"] == ["第十一条"]
    over = stack.http(
        "POST",
        f"/projects/{code}/budget",
        "finance",
        json={"year": this + 2, "construction": {"total": "0.01", "by_level": {"province": "0.01"}}},
    )
    assert over.status_code == 422 and over.json()["error"]["articles"] == ["第十一条", "第十七条"]
    no_purpose = stack.http("POST", f"/projects/{code}/budget", "finance", json={"year": this})
    assert no_purpose.status_code == 422 and "construction" in no_purpose.json()["error"]["details"]
    before = funds(stack, code).json()
    assert before["by_year"] == {
        str(this): {"construction": {"approved": "800000.00", "disbursed": "0.00"}},
        str(this + 1): {"construction": {"approved": "100000.00", "disbursed": "0.00"}},
    }
    assert contract(stack, code).status_code == 201
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": "HT-BIG",
                "supplier": "浪潮",
                "amount": "900000.00",
                "signed_on": date.today().isoformat(),
                "text_sha256": "b1" * 32,
            },
        ).status_code
        == 201
    )
    assert disburse(stack, code, "800000.00", contract_no="HT-BIG").json()["status"] == "paid"
    # next year's 100,000.00 is approved, yet not money of this year
    assert gates(disburse(stack, code, "0.01", contract_no="HT-BIG")) == ["within_budget"]

    early = stack.http("POST", f"/projects/{code}/surplus-return", "finance")
    assert early.status_code == 409 and early.json()["error"]["articles"] == ["第十七条"]
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/completion",
            "unit",
            UNIT,
            json={"completed_on": date.today().isoformat()},
        ).status_code
        == 201
    )
    returned = wait_for(
        lambda: (lambda r: r if r.status_code == 200 else None)(
            stack.http("POST", f"/projects/{code}/surplus-return", "finance")
        ),
        timeout=20,
        message="finance learned the completion",
    ).json()
    construction = returned["by_purpose"]["construction"]["province"]
    assert construction["returned"] == "100000.00" and construction["available"] == "0.00"
    assert "om" not in returned["by_purpose"]  # none before acceptance; it stays after (acceptance e2e)
    assert (
        stack.http("POST", f"/projects/{code}/surplus-return", "finance").status_code == 409
    )  # nothing left to return


def test_an_om_project_is_paid_after_approval_budget_and_contract_under_the_sharing_gate(stack):
    """运维项目 (第三条): no construction to accept — its O&M money flows after approval, budget
    and contract, under the sharing gate (第二十九条) alone; it has no construction money."""
    code = stack.approved(UNIT, ITEM, amount="60000.00", kind="om", budget={"total": "60000.00"})
    with_construction = {
        "construction": {"total": "1.00", "by_level": {"province": "1.00"}},
        "om": {"total": "60000.00", "by_level": {"province": "60000.00"}},
    }
    [refused] = wait_for(
        lambda: (lambda r: [r] if r.status_code != 409 else None)(
            stack.http("POST", f"/projects/{code}/budget", "finance", json=with_construction)
        ),
        timeout=20,
        message="finance learned the approval",
    )  # (a refused Response is falsy)
    assert refused.status_code == 422 and refused.json()["error"]["articles"] == ["第三条", "第十一条"]
    assert funds(stack, code).json()["ledger"] == []  # changed nothing
    recorded = stack.http("POST", f"/projects/{code}/budget", "finance", json={"om": with_construction["om"]})
    assert recorded.status_code == 201 and recorded.json()["kind"] == "om"
    building = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "YW-C",
            "supplier": "浪潮",
            "amount": "1.00",
            "purpose": "construction",
            "signed_on": date.today().isoformat(),
            "text_sha256": "e1" * 32,
        },
    )
    assert building.status_code == 422 and building.json()["error"]["articles"] == ["第三条", "第十七条"]
    filed = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "YW-1",
            "supplier": "浪潮",
            "amount": "60000.00",
            "signed_on": date.today().isoformat(),
            "text_sha256": "e2" * 32,
        },
    )
    assert filed.status_code == 201 and filed.json()["purpose"] == "om"  # its default
    waiting = disburse(stack, code, "20000.00", purpose="om", contract_no="YW-1")
    assert gates(waiting) == ["sharing_platform"]  # never acceptance_passed
    assert waiting.json()["failed_gates"][0]["articles"] == ["第二十九条"]
    stack.http(
        "POST",
        f"/projects/{code}/sharing-status",
        "office",
        json={"connected": True, "sharing_compliant": True, "checked_on": date.today().isoformat()},
    )
    wait_for(
        lambda: (
            disburse(stack, code, "20000.00", purpose="om", contract_no="YW-1").json()["status"] == "paid"
        ),
        timeout=20,
        message="O&M money paid",
    )
    stays = stack.http("POST", f"/projects/{code}/surplus-return", "finance")
    assert stays.status_code == 409 and "O&M" in stays.json()["error"]["message"]
    after = funds(stack, code, "unit").json()
    assert (after["disbursed"], after["available"]) == ("20000.00", "40000.00")


def test_late_contract_filing_becomes_a_finding(stack):
    code = approved(stack)
    r = contract(stack, code, no="HT-LATE", signed=date.today() - timedelta(days=30))
    assert r.status_code == 201
    [finding] = wait_for(
        lambda: stack.http("GET", "/findings", "office", params={"project": code}).json(),
        timeout=20,
        message="finding",
    )
    assert finding["kind"] == "missed:contract_filing" and finding["articles"] == ["第十三条"]


def test_misappropriation_report_and_no_money_before_approval(stack):
    code = approved(stack)
    r = stack.http(
        "POST",
        f"/projects/{code}/misappropriation",
        "finance",
        json={"description": "挪用建设资金用于办公楼装修", "amount": "12000.00"},
    )
    assert r.status_code == 201
    wait_for(
        lambda: (
            [f["kind"] for f in stack.http("GET", "/findings", "audit", params={"project": code}).json()]
            == ["misappropriation"]
        ),
        timeout=20,
        message="finding",
    )
    draft = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={"name": "未立项", "kind": "om", "level": "city", "budget": {"total": "1.00"}},
    ).json()
    early = disburse(stack, draft["code"], "1.00")
    assert early.status_code == 409 and early.json()["error"]["articles"] == ["第九条"]
