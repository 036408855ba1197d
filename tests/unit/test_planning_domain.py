from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.planning.domain import Project, project_code
from shared.errors import RuleViolation, StateConflict
from shared.policy import get_policy

POLICY = get_policy("shandong/v1")
ITEMS = {"P1"}  # plan items in force
NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
RESOURCE = {
    "name": "r",
    "source": "s",
    "format": "JSON",
    "update_frequency": "daily",
    "sharing_type": "unconditional",
    "sharing_conditions": None,
    "open_type": "none",
}


def project(**changes):
    fields = dict(
        code=project_code(2026, 7),
        name="政务云",
        unit="U1",
        kind="construction",
        level="province",
        plan_item="P1",
        budget_total=Decimal("100.00"),
        fixed_asset_investment=False,
        new_civil_works=False,
        classified=False,
        regulation_version="shandong/v1",
        registered_on=date(2026, 1, 5),
    )
    return Project.register(**{**fields, **changes})


def complete(p):
    for doc in ("construction_plan", "investment_budget"):
        p.file_document(doc, doc, "a" * 64, "u", NOW)
    p.set_catalog([RESOURCE])
    return p


def test_code_format():
    assert project_code(2026, 7) == "SD-2026-000007"


def test_submit_then_review_opened():
    p = complete(project())
    assert p.submit(POLICY, ITEMS) == 1 and p.status == "submitted"
    assert p.open_review(1) and p.status == "under_review"


def test_stale_review_notice_is_ignored():
    p = complete(project())
    p.submit(POLICY, ITEMS)
    assert not p.open_review(2)
    assert p.status == "submitted"


@pytest.mark.parametrize("status", ["submitted", "under_review", "rejected", "approved"])
def test_cannot_submit_outside_draft_or_returned(status):
    p = complete(project())
    p.status = status
    with pytest.raises(StateConflict) as err:
        p.submit(POLICY, ITEMS)
    body = err.value.as_dict()
    assert body["articles"] == ["第六条", "第七条"]
    assert "cannot submit" in body["message"] and "不能提交申报" in body["message_zh"]
    assert p.status == status and p.submissions == 0


def test_returned_project_can_be_resubmitted():
    p = complete(project(status="returned", submissions=1))
    assert p.submit(POLICY, ITEMS) == 2


def test_incomplete_application_lists_every_missing_item_and_changes_nothing():
    p = project(new_civil_works=True, co_builders=[{"unit": "U2", "scope": "数据"}], plan_item="NOT-IN-FORCE")
    with pytest.raises(RuleViolation) as err:
        p.submit(POLICY, ITEMS)
    missing = err.value.details["missing"]
    assert [m["item"] for m in missing] == [
        "plan_item",
        "construction_plan",
        "investment_budget",
        "resource_catalog",
        "feasibility_study",
        "preliminary_design",
        "overall_plan",
    ]
    assert {m["item"]: m["articles"] for m in missing}["resource_catalog"] == ["第二十七条"]
    assert {m["item"]: m["articles"] for m in missing}["overall_plan"] == ["第十四条"]
    assert {m["item"]: m["articles"] for m in missing}["plan_item"] == ["第六条"]
    assert all(m["message"].startswith("missing: ") and m["message_zh"].startswith("缺少") for m in missing)
    assert p.status == "draft" and p.submissions == 0


def test_documents_are_versioned():
    p = project()
    assert p.file_document("construction_plan", "v1", "A" * 64, "u", NOW).version == 1
    second = p.file_document("construction_plan", "v2", "b" * 64, "u", NOW)
    assert second.version == 2 and p.documents["construction_plan"].title == "v2"
    assert p.file_document("construction_plan", "v3", "C" * 64, "u", NOW).sha256 == "c" * 64


def test_unknown_document_type_and_closed_project_are_refused():
    with pytest.raises(RuleViolation):
        project().file_document("love_letter", "x", "a" * 64, "u", NOW)
    with pytest.raises(StateConflict):
        project(status="rejected").file_document("construction_plan", "x", "a" * 64, "u", NOW)


def test_conditional_sharing_needs_conditions():
    with pytest.raises(RuleViolation) as err:
        project().set_catalog([{**RESOURCE, "sharing_type": "conditional"}])
    assert "resources.0.sharing_conditions" in err.value.details
    assert err.value.as_dict()["articles"] == ["第二十七条"]


def test_catalog_is_frozen_once_submitted():
    p = complete(project())
    p.submit(POLICY, ITEMS)
    with pytest.raises(StateConflict):
        p.set_catalog([RESOURCE])


@pytest.mark.parametrize(
    "changes, article",
    [
        ({"kind": "palace"}, "第三条"),
        ({"level": "nation"}, "第四条"),
        ({"budget_total": Decimal("-1")}, "第七条"),
        ({"shares": {"province": Decimal("60"), "city": Decimal("30")}}, "第二十五条"),
        ({"schedule_start": date(2026, 5, 1), "schedule_end": date(2026, 4, 1)}, "第七条"),
        ({"co_builders": [{"unit": "U1", "scope": "x"}]}, "第十四条"),
        ({"co_builders": [{"unit": "U2", "scope": "x"}, {"unit": "U2", "scope": "y"}]}, "第十四条"),
        ({"classified": True, "goals": "涉密目标"}, "第四条"),
    ],
)
def test_registration_rules_cite_articles(changes, article):
    with pytest.raises(RuleViolation) as err:
        project(**changes)
    assert article in err.value.as_dict()["articles"]


def test_shares_that_add_up_are_accepted():
    p = project(shares={"province": Decimal("60"), "city": Decimal("30"), "county": Decimal("10")})
    assert sum(p.shares.values()) == p.budget_total


def under_review():
    p = complete(project())
    p.submit(POLICY, ITEMS)
    p.open_review(1)
    return p


@pytest.mark.parametrize(
    "decision, status", [("approve", "awaiting_approval"), ("reject", "rejected"), ("revise", "returned")]
)
def test_opinions_move_the_application(decision, status):
    p = under_review()
    assert p.apply_opinion(1, decision, {"kind": "review_opinion_issued"})
    assert p.status == status and p.decisions


def test_approval_and_late_or_stale_notices():
    p = under_review()
    assert not p.apply_opinion(2, "approve", {})  # another submission's opinion
    assert p.approve(Decimal("90.00"), date(2026, 6, 1), {"kind": "project_approved"})
    assert p.status == "approved" and p.approved_amount == Decimal("90.00")
    assert not p.apply_opinion(1, "approve", {})  # arrived after the approval
    assert p.status == "approved"


def test_drc_rejection_after_a_favourable_opinion():
    p = under_review()
    p.apply_opinion(1, "approve", {})
    assert p.apply_drc_decision("reject", {"kind": "drc_decision_recorded"})
    assert p.status == "rejected"


def test_returned_application_is_revised_and_resubmitted():
    p = under_review()
    p.apply_opinion(1, "revise", {})
    assert p.submit(POLICY, ITEMS) == 2 and p.status == "submitted"
