"""Wire formats of approval's commands and views (shape only; rules are in domain.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from services.approval.domain import DECISIONS
from services.approval.incidents import ACTIONS, INCIDENT_KINDS
from shared.events.schemas import Money
from shared.paging import Cursor
from shared.wire import Items, Length, Range, Strict, load, view  # noqa: F401  (load: the service's loader)


class ReviewCasePage(Strict):
    """Review cases in pages, by project code and submission (keyset pagination): ``after``
    is the `X-Next-Cursor` of the page before."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("str", "int")


class IncidentPage(ReviewCasePage):
    """A project's incidents in pages, by the day reported and id: ``after`` is the
    `X-Next-Cursor` of the page before."""

    after = Cursor("date", "str")


class RoundOpening(Strict):
    title = fields.String(required=True, validate=Length(min=1, max=300))
    projects = fields.List(
        fields.String(validate=Length(min=1, max=32)), required=True, validate=Items(min=1, max=500)
    )


class OpinionFiling(Strict):
    project = fields.String(required=True, validate=Length(min=1, max=32))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    necessity = fields.String(required=True, validate=Length(min=1, max=5000))
    feasibility = fields.String(required=True, validate=Length(min=1, max=5000))
    approved_amount = Money(load_default=None, allow_none=True)
    comments = fields.String(load_default="", validate=Length(max=5000))


class DrcDecision(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    approved_investment = Money(load_default=None, allow_none=True)
    document_no = fields.String(required=True, validate=Length(min=1, max=100))


class FixedAssetTakeUp(Strict):
    """The DRC takes a project up as a fixed-asset project (第四条): why."""

    comments = fields.String(required=True, validate=Length(min=1, max=2000))


class ChangeDecision(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    # the reviewed amount: required when approving a change of the budget, which it may set
    # differently from the request (第十八条)
    approved_amount = Money(load_default=None, allow_none=True)
    comments = fields.String(load_default="", validate=Length(max=5000))


class ChangeReapproval(Strict):
    """The DRC's re-approval of a fixed-asset project's approved change (第四条, 第十八条)."""

    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    document_no = fields.String(required=True, validate=Length(min=1, max=100))


class IncidentReport(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(INCIDENT_KINDS))
    description = fields.String(required=True, validate=Length(min=1, max=5000))


class IncidentDecision(Strict):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    deadline = fields.Date(load_default=None, allow_none=True)


class IncidentResumption(Strict):
    reason = fields.String(required=True, validate=Length(min=1, max=5000))


def change_review_view(review) -> dict:
    return view(
        review,
        *("id", "project_code", "changes", "reason", "requested_on", "status", "decided_by"),
        *("decided_on", "comments", "approved_amount", "drc"),
        approved_amount=_money(review.approved_amount),
    )


def incident_view(incident) -> dict:
    return view(
        incident,
        *("id", "project_code", "kind", "description", "reported_by", "reported_on", "status"),
        decision=incident.decision or None,
    )


def _money(value) -> str | None:
    return f"{value:.2f}" if value is not None else None


def case_view(case) -> dict:
    opinion = case.opinion
    return {
        "id": case.id,
        "project_code": case.project_code,
        "submission": case.submission,
        "unit": case.unit,
        "name": None if case.classified else case.name,
        "budget_total": _money(case.budget_total),
        "fixed_asset_investment": case.fixed_asset_investment,
        "classified": case.classified,
        "regulation_version": case.regulation_version,
        "opened_on": case.opened_on.isoformat(),
        "status": case.status,
        "round_id": case.round_id,
        "opinion": None
        if opinion is None
        else {
            "decision": opinion.decision,
            "necessity": opinion.necessity,
            "feasibility": opinion.feasibility,
            "approved_amount": _money(opinion.approved_amount),
            "comments": opinion.comments,
            "reviewer": opinion.reviewer,
            "issued_on": case.issued_on.isoformat() if case.issued_on else None,
        },
        "drc": None
        if case.drc_decision is None
        else {
            "decision": case.drc_decision,
            "approved_investment": _money(case.drc_investment),
            "document_no": case.drc_document_no,
        },
        "waiting_for": case.waiting_for() if case.favourable and not case.approved_on else [],
        "approved_on": case.approved_on.isoformat() if case.approved_on else None,
        "approved_amount": _money(case.approved_amount) if case.approved_on else None,
    }


def round_view(round_, cases) -> dict:
    return view(
        round_,
        *("id", "title", "status", "opened_on", "opened_by", "closed_on"),
        cases=[case_view(c) for c in cases],
    )
