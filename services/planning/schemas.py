"""Wire formats of planning's commands and views (shape only; rules are in domain.py).

The gateway validates requests with these same schemas at the edge; the service loads them
again, because a service never trusts its caller's validation.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from marshmallow import fields, validate

from services.planning.domain import (
    EDITABLE,
    KINDS,
    LEVELS,
    Project,
)
from shared.authz import Identity, approving_body, classified_stub, sees_classified_content
from shared.errors import ValidationFailed
from shared.events.schemas import Money
from shared.paging import Cursor
from shared.policy import cited, get_policy
from shared.wire import (  # noqa: F401  (re-exported: the register's wire formats)
    ByLevel,
    Catalog,
    DocType,
    DocumentFiling,
    Items,
    Length,
    Range,
    Resource,
    Strict,
    load,
    view,
)


class CoBuilder(Strict):
    unit = fields.String(required=True, validate=Length(min=1, max=64))
    scope = fields.String(required=True, validate=Length(min=1, max=2000))


class Budget(Strict):
    total = Money(required=True)
    shares = fields.Nested(ByLevel, load_default=None)


class Schedule(Strict):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class ProjectRegistration(Strict):
    name = fields.String(required=True, validate=Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    plan_item = fields.String(load_default=None, allow_none=True, validate=Length(max=64))
    fixed_asset_investment = fields.Boolean(load_default=False)
    new_civil_works = fields.Boolean(load_default=False)
    classified = fields.Boolean(load_default=False)
    national_ministry = fields.Boolean(load_default=False)
    co_builders = fields.List(fields.Nested(CoBuilder), load_default=list, validate=Items(max=50))
    budget = fields.Nested(Budget, required=True)
    schedule = fields.Nested(Schedule, load_default=None)
    location = fields.String(load_default=None, allow_none=True, validate=Length(max=500))
    goals = fields.String(load_default=None, allow_none=True, validate=Length(max=5000))
    content = fields.String(load_default=None, allow_none=True, validate=Length(max=20000))


class ProjectFilters(Strict):
    status = fields.String(load_default=None, validate=Length(max=32))
    unit = fields.String(load_default=None, validate=Length(max=64))
    year = fields.Integer(load_default=None, validate=Range(min=2000, max=2200))
    limit = fields.Integer(load_default=50, validate=Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=1_000_000))
    after = Cursor("str")  # the code of the page before's last project (keyset pagination)


class PlanPage(Strict):
    """Plans in pages by id, each page with the annual plans issued from its plans (keyset
    pagination, shared/paging.py): ``after`` is the `next` of the page before."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("str")


class ChangeRequestPage(PlanPage):
    """A project's change requests in pages, by the day requested and id: ``after`` is the
    `X-Next-Cursor` of the page before."""

    after = Cursor("date", "str")


def registration_fields(data: dict) -> dict:
    """Request → Project fields."""
    budget = data["budget"]
    shares = {k: v for k, v in (budget.get("shares") or {}).items() if v is not None}
    schedule = data.get("schedule") or {}
    return {
        "name": data["name"],
        "kind": data["kind"],
        "level": data["level"],
        "plan_item": data["plan_item"],
        "budget_total": budget["total"],
        "fixed_asset_investment": data["fixed_asset_investment"],
        "new_civil_works": data["new_civil_works"],
        "classified": data["classified"],
        "national_ministry": data["national_ministry"],
        "co_builders": data["co_builders"],
        "shares": shares,
        "schedule_start": schedule.get("start"),
        "schedule_end": schedule.get("end"),
        "location": data["location"],
        "goals": data["goals"],
        "content": data["content"],
    }


def _stub(project: Project) -> dict:
    """The head of the project's view; of a classified one, what shared.authz.classified_stub
    keeps is all anyone but its unit and the secrecy bureau sees (docs/regulation.md §13)."""
    return {
        "code": project.code,
        "unit": project.unit,
        "status": project.status,
        "stage": project.status,
        "classified": True,
        "kind": project.kind,
        "level": project.level,
        "budget": {"total": f"{project.budget_total:.2f}"},
        "approved_amount": (
            f"{project.approved_amount:.2f}" if project.approved_amount is not None else None
        ),
        "regulation_version": project.regulation_version,
        "registered_on": project.registered_on.isoformat(),
        # the 项目审批部门 that decides acceptance, extensions and incidents (第四条, 第九条)
        "approving_body": approving_body(project.fixed_asset_investment),
    }


class PlanItem(Strict):
    code = fields.String(required=True, validate=Length(min=1, max=64))
    title = fields.String(required=True, validate=Length(min=1, max=300))


class PlanDraft(Strict):
    title = fields.String(required=True, validate=Length(min=1, max=300))
    start_year = fields.Integer(required=True, validate=Range(min=2000, max=2200))
    end_year = fields.Integer(required=True, validate=Range(min=2000, max=2200))
    items = fields.List(fields.Nested(PlanItem), required=True, validate=Items(max=500))


class AnnualPlanIssue(Strict):
    year = fields.Integer(required=True, validate=Range(min=2000, max=2200))
    plan_id = fields.String(required=True, validate=Length(min=1, max=64))
    items = fields.List(fields.Nested(PlanItem), required=True, validate=Items(max=500))


class NationalConsent(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("consent", "refuse")))


class NationalFiling(Strict):
    ministry = fields.String(required=True, validate=Length(min=1, max=200))
    document_no = fields.String(required=True, validate=Length(min=1, max=100))
    approved_on = fields.Date(required=True)


class SharingStatus(Strict):
    connected = fields.Boolean(required=True)
    sharing_compliant = fields.Boolean(required=True)
    checked_on = fields.Date(required=True)
    # 第二十八条: the project's catalog is in the platform's catalog management system (an
    # acceptance item); not stated: unknown
    catalog_registered = fields.Boolean(load_default=None, allow_none=True)


class Changes(Strict):
    goal = fields.String(validate=Length(min=1, max=5000))
    location = fields.String(validate=Length(min=1, max=500))
    budget = fields.Nested(Budget)
    content = fields.String(validate=Length(min=1, max=20000))
    schedule = fields.Nested(Schedule)


class ChangeRequest(Strict):
    changes = fields.Nested(Changes, required=True)
    reason = fields.String(required=True, validate=Length(min=1, max=5000))


def load_change_request(data) -> dict:
    """Shape-check, then keep the wire form (JSON types) of what changes."""
    loaded = load(ChangeRequest, data)
    if not loaded["changes"]:
        raise ValidationFailed(
            "invalid input: changes",
            "输入不合法：changes",
            details={"changes": ["name at least one change / 至少一项调整"]},
        )
    return {"changes": {k: data["changes"][k] for k in loaded["changes"]}, "reason": loaded["reason"]}


def change_view(row) -> dict:
    return view(
        row,
        *("id", "project_code", "changes", "reason", "status", "requested_by", "requested_on"),
        *("decided_on", "comments"),
        documents_replaced=row.documents_replaced or [],
    )


def plan_view(plan) -> dict:
    return view(
        plan, "id", "title", "start_year", "end_year", "items", "status", "approved_on", "approved_by"
    )


def annual_plan_view(annual) -> dict:
    return view(annual, "id", "year", "plan_id", "items", "issued_on")


def project_view(
    project: Project, caller: Identity, detail: bool = True, plan_items: AbstractSet[str] | None = None
) -> dict:
    if project.classified and not sees_classified_content(caller, project.unit):
        return classified_stub(_stub(project))
    view = {
        **_stub(project),
        "name": project.name,
        "classified": project.classified,
        "plan_item": project.plan_item,
        "budget": {
            "total": f"{project.budget_total:.2f}",
            "shares": {k: f"{v:.2f}" for k, v in project.shares.items()},
        },
        "fixed_asset_investment": project.fixed_asset_investment,
        "new_civil_works": project.new_civil_works,
        "national_ministry": project.national_ministry,
        "co_builders": project.co_builders,
        "schedule": (
            {"start": project.schedule_start.isoformat(), "end": project.schedule_end.isoformat()}
            if project.schedule_start and project.schedule_end
            else None
        ),
        "location": project.location,
        "goals": project.goals,
        "content": project.content,
        "submissions": project.submissions,
        "approved_on": project.approved_on.isoformat() if project.approved_on else None,
    }
    if detail:
        view["documents"] = [
            {
                "doc_type": d.doc_type,
                "title": d.title,
                "sha256": d.sha256,
                "version": d.version,
                "filed_by": d.filed_by,
                "filed_at": d.filed_at.isoformat(),
            }
            for d in project.documents.values()
        ]
        view["catalog"] = project.catalog
        view["decisions"] = [cited(d) for d in project.decisions]
        view["national"] = project.national
        view["sharing"] = project.sharing
        # each suspension standing (第十九条 incident:<id>, 第三十四条 sanction:<id>)
        view["suspensions"] = list(project.suspensions)
        view["open_items"] = (
            project.missing_for_submission(get_policy(project.regulation_version), plan_items)
            if project.status in EDITABLE
            else []
        )
    return view
