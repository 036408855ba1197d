from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.finance import domain
from services.finance.domain import ContractOnFile, Entry, FundingFile, failing_gates
from shared.errors import RuleViolation, StateConflict


def ok_file(**changes):
    return FundingFile(
        **{
            "project_code": "SD-2026-000001",
            "favourable_opinion": True,
            "approved": True,
            "approved_fen": 100_000,
            **changes,
        }
    )


def on_file(purpose="construction", amount_fen=1_000_000, paid_fen=0):
    return ContractOnFile(purpose, amount_fen, paid_fen)


def gates(file=None, purpose="construction", fen=1000, available=1000, filed=True, contract=None):
    contract = contract or (on_file(purpose) if filed else None)
    return [g.gate for g in failing_gates(file or ok_file(), purpose, fen, available, contract)]


def test_money_is_exact():
    assert domain.to_fen("1250000.10") == 125000010 and domain.to_yuan(125000010) == "1250000.10"
    assert domain.to_yuan(-5) == "-0.05"
    with pytest.raises(ValueError):
        domain.to_fen("0.001")


def test_all_gates_open():
    assert gates() == []


@pytest.mark.parametrize(
    "changes, purpose, expected",
    [
        ({"favourable_opinion": False}, "construction", "review_opinion"),
        ({"fixed_asset_investment": True}, "construction", "drc_approval"),
        ({"withholding_sanctions": ["SN-1"]}, "construction", "no_withholding"),
        ({"suspensions": ["sanction:SN-2"]}, "construction", "not_suspended"),
        ({"terminated": True}, "om", "not_suspended"),
        ({"construction_completed": True}, "construction", "acceptance_passed"),
        ({}, "om", "acceptance_passed"),
    ],
)
def test_each_gate_refuses_with_its_article(changes, purpose, expected):
    failed = failing_gates(ok_file(**changes), purpose, 1, 1000, on_file(purpose))
    assert expected in [g.gate for g in failed]
    for g in failed:
        body = g.as_dict()
        assert body["articles"] and body["message"] and body["message_zh"]


def test_budget_boundary_just_inside_and_just_past():
    assert "within_budget" not in gates(fen=1000, available=1000)
    assert "within_budget" in gates(fen=1001, available=1000)


def test_a_contract_pays_up_to_its_amount_and_not_one_fen_more():
    """Paid so far + this payment <= the contract's amount (第十三条, 第十七条): the unit's
    control of funds and contracts (第十二条), cited with them."""
    contract = on_file(amount_fen=60_000_000, paid_fen=50_000_000)
    assert gates(fen=10_000_000, available=10**9, contract=contract) == []
    [gate] = failing_gates(ok_file(), "construction", 10_000_001, 10**9, contract)
    assert gate.gate == "within_contract"
    body = gate.as_dict()
    assert body["articles"] == ["第十二条", "第十三条", "第十七条"]
    assert "100000.00" in body["message"] and "尚余 100000.00 元" in body["message_zh"]


def test_a_contract_pays_only_the_purpose_it_serves():
    """O&M money against a construction contract is refused, and the other way round."""
    done = ok_file(
        construction_completed=True, acceptance_passed=True, sharing_connected=True, sharing_compliant=True
    )
    assert gates(done, "om", contract=on_file("om")) == []
    assert gates(done, "om", contract=on_file("construction")) == ["contract_purpose"]
    assert gates(done, "construction", contract=on_file("om")) == ["contract_purpose"]
    [gate] = failing_gates(done, "om", 1, 1000, on_file("construction"))
    assert gate.as_dict()["articles"] == ["第十七条"]
    assert gate.message_zh == "该合同用于建设，不能支付运行维护资金"


def test_every_failing_gate_is_listed_at_once():
    file = FundingFile(
        "SD-2026-000001", fixed_asset_investment=True, withholding_sanctions=["SN-1"], terminated=True
    )
    assert gates(file, "om", 2, 1, False) == [
        "review_opinion",
        "drc_approval",
        "within_budget",
        "not_suspended",
        "acceptance_passed",
        "sharing_platform",
        "contract_filed",
    ]


def test_withholding_blocks_construction_but_not_om():
    file = ok_file(
        withholding_sanctions=["SN-1"], acceptance_passed=True, sharing_connected=True, sharing_compliant=True
    )
    assert "no_withholding" in gates(file, "construction")
    assert gates(file, "om") == []


def test_sharing_gate_after_completion_and_for_om():
    done = ok_file(construction_completed=True, acceptance_passed=True)
    assert gates(done) == ["sharing_platform"]
    shared = ok_file(
        construction_completed=True, acceptance_passed=True, sharing_connected=True, sharing_compliant=False
    )
    assert gates(shared, "om") == ["sharing_platform"]
    assert gates(ok_file(), "construction") == []  # before completion: not yet a gate


def test_paying_level():
    assert domain.pick_level({"province": 100, "city": 0}, None) == "province"
    assert domain.pick_level({"province": 100, "city": 50}, "city") == "city"
    with pytest.raises(RuleViolation) as err:
        domain.pick_level({"province": 100, "city": 50}, None)
    assert err.value.as_dict()["articles"] == ["第二十五条"]


def test_contract_cannot_be_filed_before_signing():
    with pytest.raises(RuleViolation) as err:
        domain.check_contract_dates(date(2026, 3, 2), date(2026, 3, 1))
    assert err.value.as_dict()["articles"] == ["第十三条"]
    domain.check_contract_dates(date(2026, 3, 2), date(2026, 3, 2))


# -- the ledger: balances always equal the sums of their entries ---------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("budget"),
            st.sampled_from(domain.PURPOSES),
            st.sampled_from(domain.LEVELS),
            st.integers(1, 10**9),
        ),
        st.tuples(
            st.just("pay"),
            st.sampled_from(domain.PURPOSES),
            st.sampled_from(domain.LEVELS),
            st.integers(1, 10**9),
        ),
        st.tuples(
            st.just("withhold"), st.just("construction"), st.sampled_from(domain.LEVELS), st.integers(0, 5)
        ),
        st.tuples(
            st.just("lift"), st.just("construction"), st.sampled_from(domain.LEVELS), st.integers(0, 5)
        ),
        st.tuples(
            st.just("return"), st.sampled_from(domain.PURPOSES), st.sampled_from(domain.LEVELS), st.just(0)
        ),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_balances_equal_the_sums_of_their_entries(ops):
    """Random sequences of budgets, payments, withholdings, liftings and returns, each gated
    as the service gates them: the balances are the sums, and money never goes negative."""
    entries: list[Entry] = []
    held: dict[tuple, int] = {}

    def available(purpose, level):
        return domain.balances(entries).get(purpose, {}).get(level, {}).get("available", 0)

    for op, purpose, level, n in ops:
        if op == "budget":
            entries.append(Entry(purpose, level, "budget", n, f"b{len(entries)}"))
        elif op == "pay":
            withheld = any(held.values()) and purpose == "construction"
            if n <= available(purpose, level) and not withheld:
                entries.append(Entry(purpose, level, "payment", n, f"p{len(entries)}"))
        elif op == "withhold" and (purpose, level, n) not in held:
            amount = available(purpose, level)
            if amount > 0:
                held[(purpose, level, n)] = amount
                entries.append(Entry(purpose, level, "withholding", amount, f"s{n}"))
        elif op == "lift" and (purpose, level, n) in held:
            entries.append(Entry(purpose, level, "release", held.pop((purpose, level, n)), f"s{n}"))
        elif op == "return" and available(purpose, level) > 0:
            entries.append(Entry(purpose, level, "surplus_return", available(purpose, level), "r"))
    for purpose, levels in domain.balances(entries).items():
        for level, b in levels.items():
            mine = [e for e in entries if (e.purpose, e.level) == (purpose, level)]

            def total(kind, mine=mine):
                return sum(e.fen for e in mine if e.kind == kind)

            assert b["approved"] == total("budget")
            assert b["disbursed"] == total("payment")
            assert b["withheld"] == total("withholding") - total("release")
            assert b["returned"] == total("surplus_return")
            assert b["available"] == (b["approved"] - b["disbursed"] - b["withheld"] - b["returned"])
            assert b["available"] >= 0 and b["disbursed"] <= b["approved"]
    assert Decimal(domain.to_yuan(sum(e.fen for e in entries if e.kind == "payment"))) >= 0


def test_totals_are_the_sums_over_every_purpose_and_level():
    """GET /funds totals (docs/api.md): approved, disbursed, withheld, available, from the ledger."""
    entries = [
        Entry("construction", "province", "budget", 80_000, "b"),
        Entry("construction", "city", "budget", 20_000, "b"),
        Entry("om", "province", "budget", 5_000, "b"),
        Entry("construction", "province", "payment", 30_000, "p"),
        Entry("om", "province", "payment", 1_000, "p"),
        Entry("construction", "city", "withholding", 20_000, "s"),
        Entry("construction", "province", "surplus_return", 10_000, "r"),
    ]
    assert domain.totals(domain.balances(entries)) == {
        "approved": 105_000,
        "disbursed": 31_000,
        "withheld": 20_000,
        "available": 44_000,
    }
    assert domain.totals({}) == {"approved": 0, "disbursed": 0, "withheld": 0, "available": 0}


# -- O&M projects and annual budgets (第三条, 第十一条, 第十七条, 第二十三条, 第二十九条) -------------


def test_an_om_projects_om_money_waits_for_no_acceptance_but_for_sharing():
    """第二十三条 binds a construction project's O&M money; an O&M project has no construction
    to accept. The sharing gate (第二十九条) binds both."""
    om_project = ok_file(kind="om")
    assert gates(om_project, "om", contract=on_file("om")) == ["sharing_platform"]
    shared = ok_file(kind="om", sharing_connected=True, sharing_compliant=True)
    assert gates(shared, "om", contract=on_file("om")) == []
    # a construction project's O&M money still waits for its acceptance
    assert gates(ok_file(sharing_connected=True, sharing_compliant=True), "om", contract=on_file("om")) == [
        "acceptance_passed"
    ]


def budget(file=None, year=2026, construction=0, om=0, recorded=(), so_far=0):
    domain.check_budget(
        file or ok_file(),
        year,
        {"province": construction} if construction else {},
        {"province": om} if om else {},
        set(recorded),
        so_far,
    )


def test_a_budget_is_recorded_once_per_year_and_purpose():
    accepted = ok_file(acceptance_passed=True)
    budget(accepted, construction=60_000, om=5_000)
    budget(accepted, om=5_000, recorded={"construction"})  # the year's O&M, later
    budget(accepted, year=2027, om=5_000, recorded=set())  # next year's O&M
    budget(accepted, construction=0, om=5_000, recorded={"construction"})  # a zero purpose records nothing
    with pytest.raises(StateConflict) as err:
        budget(accepted, construction=1, om=5_000, recorded={"om"})
    body = err.value.as_dict()
    assert body["articles"] == ["第十一条"] and body["details"]["recorded"] == ["om"]
    assert "2026 年度运行维护资金" in body["message_zh"]


def test_a_construction_projects_om_money_is_budgeted_only_after_its_acceptance():
    """第十一条 (by year) and 第二十三条 (no O&M money for an unaccepted project): the refusal names
    the field; construction money alone, and an O&M project's O&M money, are not concerned."""
    with pytest.raises(StateConflict) as err:
        budget(construction=60_000, om=1)
    body = err.value.as_dict()
    assert body["articles"] == ["第十一条", "第二十三条"] and "竣工验收" in body["message_zh"]
    assert "om" in body["details"] and body["details"]["gate"] == "acceptance"
    budget(construction=60_000)  # construction money only: no acceptance needed
    budget(ok_file(construction_completed=True), construction=60_000, om=0)
    with pytest.raises(StateConflict):  # completed is not accepted
        budget(ok_file(construction_completed=True), om=5_000)
    budget(ok_file(acceptance_passed=True), om=5_000)  # accepted: the year's O&M
    budget(ok_file(kind="om"), om=5_000)  # an O&M project has no construction to accept


def test_construction_money_over_every_year_stays_within_the_approved_amount():
    budget(year=2027, construction=40_000, so_far=60_000)  # exactly 100,000 fen
    with pytest.raises(RuleViolation) as err:
        budget(year=2027, construction=40_001, so_far=60_000)
    assert err.value.as_dict()["articles"] == ["第十一条", "第十七条"]


def test_an_om_project_has_no_construction_money_nor_construction_contracts():
    budget(ok_file(kind="om"), om=5_000)
    with pytest.raises(RuleViolation) as err:
        budget(ok_file(kind="om"), construction=1, om=5_000)
    assert err.value.as_dict()["articles"] == ["第三条", "第十一条"]
    assert "construction" in err.value.as_dict()["details"]
    domain.check_contract_purpose("om", "om")
    domain.check_contract_purpose("construction", "construction")
    with pytest.raises(RuleViolation) as err:
        domain.check_contract_purpose("om", "construction")
    assert err.value.as_dict()["articles"] == ["第三条", "第十七条"]


def test_surplus_is_construction_money_returned_at_completion_or_termination():
    domain.check_surplus_return(ok_file(construction_completed=True))
    domain.check_surplus_return(ok_file(terminated=True))
    for file in (ok_file(), ok_file(kind="om"), ok_file(kind="om", construction_completed=True)):
        with pytest.raises(StateConflict) as err:
            domain.check_surplus_return(file)
        assert err.value.as_dict()["articles"] == ["第十七条"]


def test_a_later_years_budget_is_not_money_of_this_year():
    entries = [
        Entry("om", "province", "budget", 5_000, "b", 2026),
        Entry("om", "province", "budget", 7_000, "b", 2027),
        Entry("om", "province", "payment", 1_000, "p", 2026),
        Entry("construction", "province", "budget", 9_000, "old"),
    ]  # before years
    now = domain.balances(domain.spendable(entries, 2026))
    assert now["om"]["province"]["available"] == 4_000
    assert now["construction"]["province"]["available"] == 9_000
    assert domain.balances(domain.spendable(entries, 2027))["om"]["province"]["available"] == 11_000
    assert domain.by_year(entries) == {
        2026: {"om": {"approved": 5_000, "disbursed": 1_000}},
        2027: {"om": {"approved": 7_000, "disbursed": 0}},
    }


# -- a fixed-asset project's approved amount is the DRC's (第四条, 第十七条) --------------------------


def drc_file(approved_fen=300_000):
    """Taken up as fixed-asset after the office's approval, then approved by the DRC at less."""
    return ok_file(fixed_asset_investment=True, drc_approved=True, approved_fen=approved_fen)


def test_a_fixed_asset_projects_construction_payments_stay_within_the_drcs_approval():
    """Paid so far + this payment <= the approved amount (the DRC's approval, 第四条; built
    within it, 第十七条) — even when a budget recorded before the take-up leaves more."""
    file, contract = drc_file(), on_file(amount_fen=10**9)
    assert failing_gates(file, "construction", 100_000, 10**9, contract, 200_000) == []
    [gate] = failing_gates(file, "construction", 100_001, 10**9, contract, 200_000)
    assert gate.gate == "within_drc_approval"
    body = gate.as_dict()
    assert body["articles"] == ["第四条", "第十七条"]
    assert "1000.00 of 3000.00 left" in body["message"] and "尚余 1000.00 元" in body["message_zh"]
    # O&M money is not the approved construction investment; nor binds this a project the
    # office approves, nor one whose DRC approval is still missing (that gate says why)
    done = ok_file(
        fixed_asset_investment=True,
        drc_approved=True,
        approved_fen=0,
        acceptance_passed=True,
        sharing_connected=True,
        sharing_compliant=True,
    )
    assert failing_gates(done, "om", 100_001, 10**9, on_file("om"), 10**9) == []
    assert failing_gates(ok_file(approved_fen=0), "construction", 1, 10**9, contract, 10**9) == []
    waiting = ok_file(fixed_asset_investment=True, approved_fen=0)
    assert [g.gate for g in failing_gates(waiting, "construction", 1, 10**9, contract)] == ["drc_approval"]


def test_a_fixed_asset_projects_budget_stays_within_the_drcs_approval():
    """Every year's construction budget together <= the DRC's approved amount; the refusal
    says so citing 第四条 with 第十一条 and 第十七条, and the figures."""
    domain.check_budget(drc_file(), 2027, {"province": 100_000}, {}, set(), 200_000)
    with pytest.raises(RuleViolation) as err:
        domain.check_budget(drc_file(), 2027, {"province": 100_001}, {}, set(), 200_000)
    body = err.value.as_dict()
    assert body["articles"] == ["第四条", "第十一条", "第十七条"]
    assert "发展改革委" in body["message_zh"] and "DRC" in body["message"]
    assert body["details"] == {
        "approved": "3000.00",
        "construction_so_far": "2000.00",
        "construction": "1000.01",
    }
    # an office-approved project is refused as before, without 第四条
    with pytest.raises(RuleViolation) as office:
        domain.check_budget(ok_file(approved_fen=300_000), 2027, {"province": 100_001}, {}, set(), 200_000)
    assert office.value.as_dict()["articles"] == ["第十一条", "第十七条"]
