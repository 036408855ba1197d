from datetime import date
from decimal import Decimal

import pytest

from services.approval.domain import Opinion, ReviewCase, ReviewRound
from shared.errors import RuleViolation, StateConflict

TODAY = date(2026, 6, 1)


def case(**changes):
    application = {
        "submission": 1,
        "unit": "U1",
        "name": "n",
        "budget_total": "1000.00",
        "fixed_asset_investment": False,
        "classified": False,
        **changes,
    }
    return ReviewCase.open_for("SD-2026-000001", "shandong/v1", application, TODAY)


def opinion(decision="approve", amount="800.00"):
    return Opinion(decision, "必要", "可行", Decimal(amount) if amount else None, "", "office")


def in_round(c, round_id="RR-1"):
    c.status, c.round_id = "in_round", round_id
    return c


def test_round_takes_only_open_cases_once():
    open_case = case()
    ReviewRound.check_cases(["SD-2026-000001"], {"SD-2026-000001": open_case})
    with pytest.raises(RuleViolation) as err:
        ReviewRound.check_cases(
            ["SD-2026-000001", "SD-X"], {"SD-2026-000001": in_round(case()), "SD-X": None}
        )
    problems = err.value.details["projects"]
    assert set(problems) == {"SD-2026-000001", "SD-X"}
    assert err.value.as_dict()["articles"] == ["第八条"]


def test_one_opinion_per_project_in_its_round():
    c = in_round(case())
    with pytest.raises(StateConflict):
        c.record_opinion("RR-2", opinion())
    c.record_opinion("RR-1", opinion())
    with pytest.raises(StateConflict):
        c.record_opinion("RR-1", opinion("reject", None))


@pytest.mark.parametrize(
    "decision, amount, article",
    [
        ("approve", None, "第九条"),
        ("approve", "0", "第九条"),
        ("approve", "1000.01", "第十七条"),
        ("reject", "10.00", "第八条"),
    ],
)
def test_opinion_amount_rules(decision, amount, article):
    with pytest.raises(RuleViolation) as err:
        in_round(case()).record_opinion("RR-1", opinion(decision, amount))
    assert article in err.value.as_dict()["articles"]


def test_closing_needs_every_opinion_then_they_take_effect():
    a, b = in_round(case()), in_round(case(submission=2))
    a.record_opinion("RR-1", opinion())
    round_ = ReviewRound("RR-1", "第一批", TODAY, "office", [a.id, b.id])
    with pytest.raises(RuleViolation) as err:
        round_.close([a, b], TODAY)
    assert err.value.details["missing_opinions"] == ["SD-2026-000001"]
    b.record_opinion("RR-1", opinion("revise", None))
    round_.close([a, b], TODAY)
    assert a.status == b.status == "decided" and a.favourable and not b.favourable
    with pytest.raises(StateConflict):
        round_.close([a, b], TODAY)


def decided(**changes):
    c = in_round(case(**changes))
    c.record_opinion("RR-1", opinion())
    c.issue(TODAY)
    return c


def test_approval_without_drc_follows_the_opinion():
    c = decided()
    assert c.waiting_for() == [] and c.approve_if_complete(TODAY)
    assert c.approved_amount == Decimal("800.00")
    assert not c.approve_if_complete(TODAY)  # once


def test_fixed_asset_project_waits_for_the_drc_after_a_favourable_opinion():
    early = in_round(case(fixed_asset_investment=True))
    with pytest.raises(StateConflict) as err:
        early.record_drc_decision("approve", Decimal("700"), "鲁发改投资〔2026〕1号")
    assert err.value.as_dict()["articles"] == ["第四条", "第九条"]
    c = decided(fixed_asset_investment=True)
    assert c.waiting_for() == ["drc"] and not c.approve_if_complete(TODAY)
    with pytest.raises(RuleViolation):
        c.record_drc_decision("approve", None, "鲁发改投资〔2026〕1号")
    c.record_drc_decision("approve", Decimal("700.00"), "鲁发改投资〔2026〕1号")
    assert c.approve_if_complete(TODAY) and c.approved_amount == Decimal("700.00")
    with pytest.raises(StateConflict):
        c.record_drc_decision("reject", None, "x")


def test_drc_rejection_blocks_approval_and_non_fixed_asset_needs_no_drc():
    c = decided(fixed_asset_investment=True)
    c.record_drc_decision("reject", None, "鲁发改投资〔2026〕2号")
    assert not c.approve_if_complete(TODAY)
    with pytest.raises(RuleViolation) as err:
        decided().record_drc_decision("approve", Decimal("1"), "x")
    assert err.value.as_dict()["articles"] == ["第四条"]


def test_classified_project_waits_for_the_secrecy_bureau():
    c = decided(classified=True)
    assert c.waiting_for() == ["secrecy"] and not c.approve_if_complete(TODAY)
    c.secrecy_confirmed = True
    assert c.approve_if_complete(TODAY)
