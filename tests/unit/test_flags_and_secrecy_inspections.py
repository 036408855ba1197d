"""Flags are not only self-declared (第四条): the DRC takes a project up as a fixed-asset project,
the secrecy bureau declares it classified — and the gates that follow re-open; the bureau's own
inspections of a classified project's secrecy work (第四条). Rules at their boundaries."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.approval.domain import Opinion, ReviewCase
from services.finance import domain as finance
from services.finance.domain import ContractOnFile, FundingFile, failing_gates
from services.planning.domain import Project, project_code
from services.security.domain import check_classification, check_inspection
from shared.authz import PERMISSIONS
from shared.errors import RuleViolation, StateConflict

TODAY = date(2026, 6, 1)
CODE = "SD-2026-000001"


def case(fixed_asset=False):
    return ReviewCase.open_for(
        CODE,
        "shandong/v1",
        {
            "submission": 1,
            "unit": "U1",
            "name": "n",
            "budget_total": "1000.00",
            "fixed_asset_investment": fixed_asset,
            "classified": False,
        },
        TODAY,
    )


# -- the DRC takes a project up (第四条) ----------------------------------------------------------


def test_the_drc_takes_up_a_submitted_project_once():
    ReviewCase.check_take_up(CODE, case())  # under review: yes
    with pytest.raises(StateConflict) as none:
        ReviewCase.check_take_up(CODE, None)  # never submitted: nothing to take up
    assert none.value.as_dict()["articles"] == ["第四条"]
    assert "申报" in none.value.as_dict()["message_zh"]
    with pytest.raises(StateConflict) as again:
        ReviewCase.check_take_up(CODE, case(fixed_asset=True))
    assert again.value.as_dict()["details"]["approving_body"] == "drc"


def test_taken_up_before_approval_the_approval_waits_for_the_drc():
    c = case()
    c.status, c.round_id = "in_round", "RR-1"
    c.record_opinion("RR-1", Opinion("approve", "必要", "可行", Decimal("800.00"), "", "o"))
    c.fixed_asset_investment = True  # taken up before the round closed
    c.issue(TODAY)
    assert c.waiting_for() == ["drc"] and not c.approve_if_complete(TODAY)
    c.record_drc_decision("approve", Decimal("700.00"), "鲁发改投资〔2026〕1号")
    assert c.approve_if_complete(TODAY) and c.approved_amount == Decimal("700.00")


def test_taken_up_after_approval_the_drcs_approval_sets_the_approved_amount():
    """Approval owns the approved amount (第四条): a DRC approval of a project the office had
    approved tells the amount — the DRC's investment where lower, never above the office's —
    and nothing when the project was not approved before (project_approved carries it then)."""
    c = case()
    c.status, c.round_id = "in_round", "RR-1"
    c.record_opinion("RR-1", Opinion("approve", "必要", "可行", Decimal("800.00"), "", "o"))
    c.issue(TODAY)
    assert c.approve_if_complete(TODAY) and c.approved_amount == Decimal("800.00")
    assert c.approved_amount_after_take_up() is None  # not taken up: the office's amount stands
    c.fixed_asset_investment = True  # taken up after the approval
    assert c.approved_amount_after_take_up() is None  # the DRC has not approved yet
    c.record_drc_decision("approve", Decimal("799.99"), "鲁发改投资〔2026〕2号")
    assert c.approved_amount_after_take_up() == Decimal("799.99")
    higher = case()
    higher.status, higher.round_id = "in_round", "RR-1"
    higher.record_opinion("RR-1", Opinion("approve", "必要", "可行", Decimal("800.00"), "", "o"))
    higher.issue(TODAY)
    higher.approve_if_complete(TODAY)
    higher.fixed_asset_investment = True
    higher.record_drc_decision("approve", Decimal("900.00"), "鲁发改投资〔2026〕3号")
    assert higher.approved_amount_after_take_up() == Decimal("800.00")


def approved_file(**changes):
    return FundingFile(
        **{
            "project_code": CODE,
            "favourable_opinion": True,
            "approved": True,
            "approved_fen": 100_000,
            **changes,
        }
    )


def test_taken_up_after_approval_no_budget_and_no_money_before_the_drc():
    taken_up = approved_file(fixed_asset_investment=True, drc_approved=False)
    with pytest.raises(StateConflict) as err:
        finance.check_budget(taken_up, 2026, {"province": 1_000}, {}, set(), 0)
    body = err.value.as_dict()
    assert body["articles"] == ["第四条", "第十一条"] and body["details"]["gate"] == "drc_approval"
    contract = ContractOnFile("construction", 10_000, 0)
    assert [g.gate for g in failing_gates(taken_up, "construction", 100, 1_000, contract)] == ["drc_approval"]
    # once the DRC approved it, both open again
    approved = approved_file(fixed_asset_investment=True, drc_approved=True)
    finance.check_budget(approved, 2026, {"province": 1_000}, {}, set(), 0)
    assert failing_gates(approved, "construction", 100, 1_000, contract) == []


def test_the_register_shows_the_drc_as_approving_body_once():
    p = register()
    assert p.take_up_as_fixed_asset() and p.fixed_asset_investment
    assert not p.take_up_as_fixed_asset()  # the same fact again: no change


# -- the secrecy bureau declares a project classified (第四条) ------------------------------------


def register(**changes):
    return Project.register(
        **{
            "code": project_code(2026, 7),
            "name": "政务云",
            "unit": "U1",
            "kind": "construction",
            "level": "province",
            "plan_item": "P1",
            "budget_total": Decimal("100.00"),
            "fixed_asset_investment": False,
            "new_civil_works": False,
            "classified": False,
            "regulation_version": "shandong/v1",
            "registered_on": date(2026, 1, 5),
            "goals": "目标",
            "content": "内容",
            "location": "地点",
            **changes,
        }
    )


def test_declared_classified_the_content_leaves_the_register():
    p = register()
    p.file_document("construction_plan", "方案", "a" * 64, "u", datetime(2026, 1, 6, tzinfo=UTC))
    p.set_catalog(
        [
            {
                "name": "r",
                "source": "s",
                "format": "JSON",
                "update_frequency": "daily",
                "sharing_type": "unconditional",
                "open_type": "none",
            }
        ]
    )
    assert p.declare_classified()
    assert p.classified and (p.goals, p.content, p.location) == (None, None, None)
    assert p.catalog == [] and p.documents == {}
    assert not p.declare_classified()  # once
    with pytest.raises(RuleViolation):  # documents now go to security
        p.file_document("construction_plan", "方案", "a" * 64, "u", datetime(2026, 1, 7, tzinfo=UTC))


def test_the_bureau_declares_a_project_classified_once():
    check_classification(False)
    with pytest.raises(StateConflict) as err:
        check_classification(True)
    assert err.value.as_dict()["articles"] == ["第四条"]


# -- the bureau's inspections of secrecy work (第四条) --------------------------------------------

FINDING = {"description": "涉密计算机违规连接互联网", "rectify_by": date(2026, 6, 30)}


def test_an_inspection_concerns_a_classified_project_only():
    check_inspection(True, TODAY, TODAY, "non_compliant", [FINDING])  # inspected today: yes
    with pytest.raises(RuleViolation) as err:
        check_inspection(False, TODAY, TODAY, "compliant", [])
    assert err.value.as_dict()["articles"] == ["第四条"]


@pytest.mark.parametrize(
    "inspected_on, conclusion, findings, field",
    [
        (date(2026, 6, 2), "compliant", [], "inspected_on"),  # after today
        (TODAY, "non_compliant", [], "findings"),  # names none
        (TODAY, "compliant", [FINDING], "conclusion"),  # names one: not compliant
        (TODAY, "non_compliant", [{**FINDING, "rectify_by": TODAY}], "findings"),  # not after it
    ],
)
def test_an_inconsistent_inspection_is_refused_naming_the_field(inspected_on, conclusion, findings, field):
    with pytest.raises(RuleViolation) as err:
        check_inspection(True, inspected_on, TODAY, conclusion, findings)
    assert field in err.value.as_dict()["details"]


def test_a_compliant_inspection_and_a_rectification_the_day_after_are_fine():
    check_inspection(True, date(2026, 5, 31), TODAY, "compliant", [])
    check_inspection(
        True,
        TODAY,
        TODAY,
        "non_compliant",
        [{**FINDING, "rectify_by": date(2026, 6, 2)}, {"description": "x", "rectify_by": None}],
    )


def test_who_may_declare_take_up_and_inspect():
    assert PERMISSIONS["drc.take_up"] == {"drc"}
    assert PERMISSIONS["secrecy.classify"] == PERMISSIONS["secrecy.inspect"] == {"secrecy"}
    assert PERMISSIONS["secrecy.inspection.read"] == {"unit", "secrecy"}


def test_the_register_takes_the_drcs_approved_amount_of_a_taken_up_project():
    """Approved by the office, in construction, taken up and approved by the DRC at less: the
    register's approved amount is approval's new figure (第四条); a DRC decision without one
    (the project approved only now, by project_approved) leaves it."""
    p = register()
    p.status, p.approved_amount, p.approved_on = "in_construction", Decimal("100.00"), TODAY
    assert p.apply_drc_decision("approve", {"kind": "drc_decision_recorded"}, Decimal("80.00"))
    assert p.approved_amount == Decimal("80.00") and p.status == "in_construction"
    waiting = register()
    waiting.status = "awaiting_approval"
    assert waiting.apply_drc_decision("approve", {"kind": "drc_decision_recorded"}, None)
    assert waiting.approved_amount is None
