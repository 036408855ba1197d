from datetime import date
from decimal import Decimal

import pytest

from services.planning.domain import Project, project_code
from shared.errors import RuleViolation, StateConflict


def project(**changes):
    fields = dict(code=project_code(2026, 7), name="政务云", unit="U1", kind="construction",
                  level="province", plan_item=None, budget_total=Decimal("100.00"),
                  fixed_asset_investment=False, new_civil_works=False, classified=False,
                  regulation_version="shandong/v1", registered_on=date(2026, 1, 5))
    return Project.register(**{**fields, **changes})


def test_code_format():
    assert project_code(2026, 7) == "SD-2026-000007"


def test_submit_then_review_opened():
    p = project()
    assert p.submit() == 1 and p.status == "submitted"
    assert p.open_review(1) and p.status == "under_review"


def test_stale_review_notice_is_ignored():
    p = project()
    p.submit()
    assert not p.open_review(2)
    assert p.status == "submitted"


@pytest.mark.parametrize("status", ["submitted", "under_review", "rejected", "approved"])
def test_cannot_submit_outside_draft_or_returned(status):
    p = project(status=status)
    with pytest.raises(StateConflict) as err:
        p.submit()
    body = err.value.as_dict()
    assert body["articles"] == ["第六条", "第七条"]
    assert "cannot submit" in body["message"] and "不能执行" in body["message_zh"]
    assert p.status == status and p.submissions == 0


def test_returned_project_can_be_resubmitted():
    p = project(status="returned", submissions=1)
    assert p.submit() == 2


@pytest.mark.parametrize("changes, article", [
    ({"kind": "palace"}, "第三条"), ({"level": "nation"}, "第四条"),
    ({"budget_total": Decimal("-1")}, "第七条")])
def test_registration_rules_cite_articles(changes, article):
    with pytest.raises(RuleViolation) as err:
        project(**changes)
    assert err.value.as_dict()["articles"] == [article]
