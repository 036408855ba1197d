from datetime import date
from decimal import Decimal

import pytest

from services.approval.incidents import ChangeReview, Incident
from services.planning.domain import Project
from shared.errors import RuleViolation, StateConflict

TODAY = date(2026, 6, 1)


def project(**changes):
    fields = dict(code="SD-2026-000001", name="n", unit="U1", kind="construction",
                  level="province", plan_item="P1", budget_total=Decimal("100.00"),
                  fixed_asset_investment=False, new_civil_works=False, classified=False,
                  regulation_version="shandong/v1", registered_on=TODAY, status="approved")
    return Project(**{**fields, **changes})


def test_change_review_decides_once_and_sets_the_new_amount():
    review = ChangeReview("CR-1", "SD-2026-000001", {"budget": {"total": "150.00"}}, "r", TODAY)
    review.decide("approve", "office", TODAY, "同意")
    assert review.new_approved_amount() == Decimal("150.00")
    with pytest.raises(StateConflict):
        review.decide("reject", "office", TODAY, "")
    rejected = ChangeReview("CR-2", "SD-2026-000001", {"budget": {"total": "150.00"}}, "r",
                            TODAY)
    rejected.decide("reject", "office", TODAY, "")
    assert rejected.new_approved_amount() is None


def incident():
    return Incident("IN-1", "SD-2026-000001", "serious_delay", "d", "u", TODAY)


@pytest.mark.parametrize("action, deadline", [
    ("rectify", None), ("rectify", TODAY), ("suspend", date(2026, 7, 1))])
def test_incident_decision_rules(action, deadline):
    with pytest.raises(RuleViolation) as err:
        incident().decide(action, deadline, "office", TODAY)
    assert "第十九条" in err.value.as_dict()["articles"]


def test_incident_is_decided_once():
    i = incident()
    i.decide("rectify", date(2026, 7, 1), "drc", TODAY)
    assert i.decision["deadline"] == "2026-07-01"
    with pytest.raises(StateConflict):
        i.decide("suspend", None, "office", TODAY)


def test_only_a_suspension_resumes_and_once():
    """第十九条: what the approving body suspended, it lets resume — once; the decision keeps
    the resumption and the days construction stood still."""
    for action, deadline in (("rectify", date(2026, 7, 1)), ("none", None)):
        i = incident()
        i.decide(action, deadline, "office", TODAY)
        with pytest.raises(StateConflict) as err:
            i.resume("恢复", "office", date(2026, 6, 2))
        assert err.value.as_dict()["articles"] == ["第十九条"]
        assert err.value.details["action"] == action
    undecided = incident()
    with pytest.raises(StateConflict):
        undecided.resume("恢复", "office", TODAY)
    suspended = incident()
    suspended.decide("suspend", None, "office", TODAY)
    assert suspended.resume("整改完成", "office", TODAY) == 0       # the same day: no days
    assert suspended.status == "resumed"
    assert suspended.decision["resumption"] == {"reason": "整改完成", "by": "office",
                                                "on": TODAY.isoformat()}
    with pytest.raises(StateConflict) as err:
        suspended.resume("again", "office", date(2026, 7, 1))
    assert err.value.as_dict()["message_zh"]
    later = incident()
    later.decide("suspend", None, "drc", TODAY)
    assert later.resume("r", "drc", date(2026, 6, 11)) == 10


def test_change_requests_only_for_approved_projects_and_not_of_classified_content():
    with pytest.raises(StateConflict):
        project(status="draft").check_change_request({"location": "x"})
    project().check_change_request({"budget": {"total": "1"}})
    with pytest.raises(RuleViolation) as err:
        project(classified=True).check_change_request({"content": "涉密"})
    assert err.value.as_dict()["articles"] == ["第四条", "第十八条"]


def test_approved_change_updates_the_register():
    p = project()
    p.apply_change({"goal": "新目标", "schedule": {"start": "2026-07-01", "end": "2027-06-30"},
                    "budget": {"total": "120.00"}}, Decimal("120.00"))
    assert p.goals == "新目标" and p.schedule_end == date(2027, 6, 30)
    assert p.budget_total == p.approved_amount == Decimal("120.00")


def test_national_consent_before_filing():
    p = project(national_ministry=True)
    with pytest.raises(RuleViolation):
        project().record_national_consent("consent", "office", TODAY)
    assert p.file_national_approval({"ministry": "m"}, "u", TODAY) is False  # no consent
    q = project(national_ministry=True)
    q.record_national_consent("consent", "office", TODAY)
    with pytest.raises(StateConflict):
        q.record_national_consent("refuse", "office", TODAY)
    assert q.file_national_approval({"ministry": "m"}, "u", TODAY) is True
    r = project(national_ministry=True)
    r.record_national_consent("refuse", "office", TODAY)
    assert r.file_national_approval({"ministry": "m"}, "u", TODAY) is False


def test_sharing_status_keeps_the_latest_check():
    p = project()
    p.record_sharing_status(True, True, date(2026, 6, 2))
    with pytest.raises(StateConflict):
        p.record_sharing_status(False, False, date(2026, 6, 1))
    p.record_sharing_status(True, False, date(2026, 6, 3))
    assert p.sharing["sharing_compliant"] is False


def test_suspension_only_of_approved_or_building_projects():
    p = project()
    assert p.suspend() and p.status == "suspended" and p.status_before_suspension == "approved"
    assert not p.suspend()
    assert not project(status="draft").suspend()
