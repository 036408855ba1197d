from datetime import date

import pytest

from services.planning.plans import AnnualPlan, Plan, items_in_force
from shared.errors import RuleViolation, StateConflict

ITEMS = [{"code": "A", "title": "一"}, {"code": "B", "title": "二"}]


def plan(**changes):
    return Plan.draft(
        **{"id": "PL-1", "title": "规划", "start_year": 2026, "end_year": 2030, "items": ITEMS, **changes}
    )


def test_plan_takes_effect_only_when_the_government_approves_it():
    p = plan()
    assert not p.in_force(2027)
    p.approve("group", date(2026, 2, 1))
    assert p.in_force(2026) and p.in_force(2030) and not p.in_force(2031)
    with pytest.raises(StateConflict):
        p.approve("group", date(2026, 3, 1))


@pytest.mark.parametrize(
    "changes", [{"start_year": 2031}, {"items": []}, {"items": [{"code": "A", "title": "x"}] * 2}]
)
def test_plan_shape_rules_cite_article_5(changes):
    with pytest.raises(RuleViolation) as err:
        plan(**changes)
    assert err.value.as_dict()["articles"] == ["第五条"]


def test_annual_plan_needs_a_plan_in_force_that_year():
    p = plan()
    with pytest.raises(RuleViolation):
        AnnualPlan.issue(p, id="AP-1", year=2027, items=[{"code": "C", "title": "三"}])
    p.approve("group", date(2026, 2, 1))
    with pytest.raises(RuleViolation):
        AnnualPlan.issue(p, id="AP-1", year=2031, items=[{"code": "C", "title": "三"}])
    annual = AnnualPlan.issue(p, id="AP-1", year=2027, items=[{"code": "C", "title": "三"}])
    assert items_in_force([p], [annual], 2027) == {"A", "B", "C"}
    assert items_in_force([p], [annual], 2028) == {"A", "B"}
    assert items_in_force([plan(id="PL-2")], [], 2027) == set()  # a draft is not in force
