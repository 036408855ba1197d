from datetime import date
from decimal import Decimal

import pytest

from services.approval.incidents import ChangeReview, Incident
from services.planning.domain import UNNAMED_SUSPENSION, Project, SuspensionNotKnown
from shared.errors import RuleViolation, StateConflict

TODAY = date(2026, 6, 1)


def project(**changes):
    fields = dict(
        code="SD-2026-000001",
        name="n",
        unit="U1",
        kind="construction",
        level="province",
        plan_item="P1",
        budget_total=Decimal("100.00"),
        fixed_asset_investment=False,
        new_civil_works=False,
        classified=False,
        regulation_version="shandong/v1",
        registered_on=TODAY,
        status="approved",
    )
    return Project(**{**fields, **changes})


def change(changes=None, id="CR-1"):
    return ChangeReview(id, "SD-2026-000001", changes or {"budget": {"total": "150.00"}}, "r", TODAY)


def test_change_review_decides_once_and_sets_the_reviewed_amount():
    """第十八条: reviewed, not granted — the reviewer's amount, which may differ from the
    request, is the new approved amount."""
    review = change()
    review.decide("approve", "office", TODAY, "同意", Decimal("120.00"))
    assert review.status == "approved" and review.new_approved_amount() == Decimal("120.00")
    with pytest.raises(StateConflict):
        review.decide("reject", "office", TODAY, "")
    rejected = change(id="CR-2")
    rejected.decide("reject", "office", TODAY, "")
    assert rejected.new_approved_amount() is None


@pytest.mark.parametrize(
    "changes, decision, amount",
    [
        ({"budget": {"total": "150.00"}}, "approve", None),  # a budget change: required
        ({"location": "烟台"}, "approve", Decimal("1.00")),  # no budget change: none
        ({"budget": {"total": "150.00"}}, "reject", Decimal("1.00")),  # a refusal sets no amount
    ],
)
def test_the_approved_amount_is_set_exactly_when_a_budget_change_is_approved(changes, decision, amount):
    review = change(changes)
    with pytest.raises(RuleViolation) as err:
        review.decide(decision, "office", TODAY, "", amount)
    body = err.value.as_dict()
    assert body["articles"] == ["第十八条"] and list(body["details"]) == ["approved_amount"]
    assert review.status == "pending"  # nothing decided
    review.decide("reject", "office", TODAY, "")  # still decidable


def test_a_fixed_asset_projects_change_waits_for_the_drcs_reapproval():
    """第四条: the DRC approved the project, so it re-approves the change; nothing before."""
    review = change()
    with pytest.raises(StateConflict):
        review.reapprove("approve", "鲁发改投资〔2026〕9号", "drc", TODAY)  # not yet reviewed
    review.decide("approve", "office", TODAY, "", Decimal("130.00"), fixed_asset=True)
    assert review.status == "awaiting_drc" and review.new_approved_amount() == Decimal("130.00")
    review.reapprove("approve", "鲁发改投资〔2026〕9号", "drc", TODAY)
    assert review.status == "approved" and review.drc["document_no"] == "鲁发改投资〔2026〕9号"
    with pytest.raises(StateConflict) as err:
        review.reapprove("reject", "x", "drc", TODAY)  # once
    assert err.value.as_dict()["articles"] == ["第四条", "第十八条"]
    refused = change(id="CR-3")
    refused.decide("approve", "office", TODAY, "", Decimal("130.00"), fixed_asset=True)
    refused.reapprove("reject", "x", "drc", TODAY)
    assert refused.status == "rejected" and refused.new_approved_amount() is None
    plain = change({"location": "烟台"}, id="CR-4")
    plain.decide("approve", "office", TODAY, "")  # not fixed-asset
    assert plain.status == "approved"


def test_after_approval_the_plan_and_budget_are_replaced_only_under_an_approved_change():
    """第十七条/第十八条: before approval a document is revised freely; after it, a new version
    of the construction plan or the investment budget needs an approved change."""
    from datetime import UTC, datetime

    at = datetime(2026, 6, 1, tzinfo=UTC)
    draft = project(status="draft")
    draft.file_document("construction_plan", "方案", "ab" * 32, "u", at)
    draft.file_document("construction_plan", "方案二", "cd" * 32, "u", at)  # a draft: freely
    approved = project()
    approved.file_document("construction_plan", "方案", "ab" * 32, "u", at)  # the first: fine
    assert approved.needs_a_change_to_replace("construction_plan")
    for doc_type in ("construction_plan",):
        with pytest.raises(RuleViolation) as err:
            approved.file_document(doc_type, "新方案", "ef" * 32, "u", at)
        assert err.value.as_dict()["articles"] == ["第十七条", "第十八条"]
    assert approved.documents["construction_plan"].version == 1  # nothing changed
    approved.file_document("construction_plan", "新方案", "ef" * 32, "u", at, change="CR-1")
    assert approved.documents["construction_plan"].version == 2
    approved.file_document("construction_summary", "总结", "01" * 32, "u", at)
    approved.file_document("construction_summary", "总结二", "02" * 32, "u", at)  # not locked


def incident():
    return Incident("IN-1", "SD-2026-000001", "serious_delay", "d", "u", TODAY)


@pytest.mark.parametrize(
    "action, deadline", [("rectify", None), ("rectify", TODAY), ("suspend", date(2026, 7, 1))]
)
def test_incident_decision_rules(action, deadline):
    with pytest.raises(RuleViolation) as err:
        incident().decide(action, deadline, "office", TODAY)
    assert "第十九条" in err.value.as_dict()["articles"]


def test_a_finished_project_is_not_suspended_but_may_still_be_ordered_to_rectify():
    """第十九条 暂停项目建设: once acceptance announced the completion, a suspension is refused,
    before the incident's own state is looked at; nothing of the incident changes."""
    i = incident()
    with pytest.raises(StateConflict) as err:
        i.decide("suspend", None, "office", TODAY, completed_on=TODAY)
    assert err.value.as_dict()["articles"] == ["第十九条"] and err.value.as_dict()["message_zh"]
    assert err.value.as_dict()["details"]["completed_on"] == "2026-06-01"
    assert i.status == "open" and i.decision == {}
    i.decide("suspend", None, "office", TODAY)  # under construction: suspended
    assert i.decision["action"] == "suspend"
    ordered = incident()
    ordered.decide("rectify", date(2026, 7, 1), "office", TODAY, completed_on=TODAY)
    assert ordered.status == "decided"


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
    assert suspended.resume("整改完成", "office", TODAY) == 0  # the same day: no days
    assert suspended.status == "resumed"
    assert suspended.decision["resumption"] == {"reason": "整改完成", "by": "office", "on": TODAY.isoformat()}
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
    p.apply_change(
        {
            "goal": "新目标",
            "schedule": {"start": "2026-07-01", "end": "2027-06-30"},
            "budget": {"total": "120.00"},
        },
        Decimal("120.00"),
    )
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
    assert p.suspend("incident:IN-1") and p.status == "suspended" and p.status_before_suspension == "approved"
    assert not p.suspend("incident:IN-1")  # the same suspension heard again
    draft = project(status="draft")
    assert draft.suspend("sanction:S-1") and draft.status == "draft"  # kept, the status stays
    assert draft.resume("sanction:S-1") and draft.status == "draft" and draft.suspensions == []


def test_overlapping_suspensions_resume_only_when_both_are_lifted():
    """第三十四条 and 第十九条 suspensions overlap: lifting the first leaves the project suspended."""
    p = project(status="in_construction")
    p.suspend("sanction:S-1")
    p.suspend("incident:IN-1")
    assert p.resume("sanction:S-1") and p.status == "suspended" and p.suspensions == ["incident:IN-1"]
    assert p.resume("incident:IN-1") and p.status == "in_construction" and p.suspensions == []
    assert p.status_before_suspension is None


def test_a_lifting_before_its_suspension_waits_for_it():
    p = project(status="in_construction")
    with pytest.raises(SuspensionNotKnown):
        p.resume("incident:IN-1")
    p.suspend("sanction:S-1")
    with pytest.raises(SuspensionNotKnown):
        p.resume("incident:IN-1")
    assert p.status == "suspended"


def test_a_suspension_from_before_the_register_kept_each_is_lifted_by_its_lifting():
    p = project(status="suspended", status_before_suspension="in_construction")
    p.suspensions = [UNNAMED_SUSPENSION]  # as migration planning_0010 leaves it
    assert p.resume("incident:IN-1") and p.status == "in_construction" and p.suspensions == []


def test_an_unnamed_suspension_stands_beside_one_named_later():
    """Suspended before the upgrade (unnamed), then sanctioned: lifting the sanction leaves the
    project suspended; the older suspension's lifting, unknown by name, ends it."""
    p = project(status="suspended", status_before_suspension="in_construction")
    p.suspensions = [UNNAMED_SUSPENSION]
    p.suspend("sanction:S-2")
    assert p.resume("sanction:S-2") and p.status == "suspended"
    assert p.resume("incident:IN-1") and p.status == "in_construction" and p.suspensions == []
    with pytest.raises(SuspensionNotKnown):
        p.resume("incident:IN-9")


def test_a_suspended_project_terminated_stays_terminated_when_lifted():
    p = project(status="in_construction")
    p.suspend("sanction:S-1")
    p.terminate()
    assert p.resume("sanction:S-1") and p.status == "terminated"
