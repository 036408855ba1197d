"""Loading and saving Projects (domain objects) on planning's database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, bindparam, extract, func, or_, select
from sqlalchemy.orm import Session

from services.planning.domain import Document, Project
from services.planning.models import (
    AnnualPlanRow,
    ChangeRequestRow,
    CodeSequence,
    DocumentRow,
    PlanRow,
    ProjectRow,
)
from services.planning.plans import AnnualPlan, Plan
from shared import paging
from shared.authz import OVERSIGHT, Identity
from shared.errors import NotFound
from shared.persistence.lookup import get_or_not_found
from shared.persistence.rows import dataclass_of, row_of
from shared.persistence.upsert import increment

_SCALARS = (
    "code",
    "name",
    "unit",
    "kind",
    "level",
    "plan_item",
    "budget_total",
    "fixed_asset_investment",
    "new_civil_works",
    "classified",
    "national_ministry",
    "schedule_start",
    "schedule_end",
    "location",
    "goals",
    "content",
    "regulation_version",
    "registered_on",
    "status",
    "submissions",
    "approved_amount",
    "approved_on",
    "status_before_suspension",
)


def next_sequence(session: Session, year: int) -> int:
    """The year's next project number (第三条's lifelong code), each exactly once however many
    registrations run at the same time."""
    return increment(session, CodeSequence.__table__, "year", year, "last")


def _to_row(project: Project, row: ProjectRow) -> None:
    for name in _SCALARS:
        setattr(row, name, getattr(project, name))
    row.co_builders = list(project.co_builders)
    row.co_builder_units = "|" + "|".join(c["unit"] for c in project.co_builders) + "|"
    row.shares = {k: f"{v:.2f}" for k, v in project.shares.items()}
    row.catalog = list(project.catalog)
    row.decisions = list(project.decisions)
    row.national = dict(project.national)
    row.sharing = dict(project.sharing) if project.sharing else None
    row.classified_material = dict(project.classified_material)
    row.suspensions = list(project.suspensions)


def _from_row(row: ProjectRow, documents: dict[str, Document] | None = None) -> Project:
    project = Project(**{name: getattr(row, name) for name in _SCALARS})
    project.co_builders = list(row.co_builders)
    project.shares = {k: Decimal(v) for k, v in row.shares.items()}
    project.catalog = list(row.catalog)
    project.decisions = list(row.decisions or [])
    project.national = dict(row.national or {})
    project.sharing = dict(row.sharing) if row.sharing else None
    project.classified_material = dict(row.classified_material or {})
    project.suspensions = list(row.suspensions or [])
    project.documents = documents or {}
    return project


def add(session: Session, project: Project) -> None:
    row = ProjectRow()
    _to_row(project, row)
    session.add(row)
    session.flush()


def get(session: Session, code: str, *, for_update: bool = False) -> Project:
    query = _PROJECT_FOR_UPDATE if for_update else _PROJECT
    row = session.execute(query, {"code": code}).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no project {code}", f"项目 {code} 不存在", details={"code": code})
    return _from_row(row, latest_documents(session, code))


def save(session: Session, project: Project, new_document: Document | None = None) -> None:
    _to_row(project, session.get(ProjectRow, project.code))
    if new_document is not None:
        session.add(
            DocumentRow(
                project_code=project.code,
                doc_type=new_document.doc_type,
                version=new_document.version,
                title=new_document.title,
                sha256=new_document.sha256,
                filed_by=new_document.filed_by,
                filed_at=new_document.filed_at,
            )
        )
    session.flush()


def latest_documents(session: Session, code: str) -> dict[str, Document]:
    """The latest version of each document type: read through the unique index (project,
    type, version), so a project's command costs its document types, not every version it
    ever filed (issue 19)."""
    return {
        r.doc_type: Document(r.doc_type, r.title, r.sha256, r.version, r.filed_by, r.filed_at)
        for r in session.scalars(_LATEST_DOCUMENTS, {"code": code})
    }


# statements built once, their values bound per call (issue 19: building them cost more than
# running them on every read of a project)
_PROJECT = select(ProjectRow).where(ProjectRow.code == bindparam("code"))
_PROJECT_FOR_UPDATE = _PROJECT.with_for_update()
_LATEST = (
    select(DocumentRow.doc_type, func.max(DocumentRow.version).label("version"))
    .where(DocumentRow.project_code == bindparam("code"))
    .group_by(DocumentRow.doc_type)
    .subquery()
)
_LATEST_DOCUMENTS = (
    select(DocumentRow)
    .join(_LATEST, and_(DocumentRow.doc_type == _LATEST.c.doc_type, DocumentRow.version == _LATEST.c.version))
    .where(DocumentRow.project_code == bindparam("code"))
    .order_by(DocumentRow.doc_type)
)


def visible_to(identity: Identity):
    """The SQL filter of projects an identity may list (units: own and co-built)."""
    if identity.role == "unit":
        return or_(
            ProjectRow.unit == identity.unit, ProjectRow.co_builder_units.contains(f"|{identity.unit}|")
        )
    if identity.role in OVERSIGHT:
        return True
    return False  # evaluators see the projects commissioned to them; none are, yet


def search(
    session: Session,
    identity: Identity,
    *,
    status: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    limit: int = 50,
    offset: int = 0,
    after: list | None = None,
    among: list[str] | None = None,
    excluding: list[str] | None = None,
) -> tuple[int | None, list[Project]]:
    """(total, a page of the projects by code). ``after``: the code of the page before's last
    project (keyset pagination, an index range on the primary key); such a page does not count
    the list again (total None: the walk's first page, asked without it, counted)."""
    query = select(ProjectRow).where(visible_to(identity))
    if among is not None:
        query = query.where(ProjectRow.code.in_(among))
    if excluding:
        query = query.where(ProjectRow.code.not_in(excluding))
    if status:
        query = query.where(ProjectRow.status == status)
    if unit:
        query = query.where(ProjectRow.unit == unit)
    if year:
        query = query.where(extract("year", ProjectRow.registered_on) == year)
    total = None if after else session.scalar(select(func.count()).select_from(query.subquery()))
    order = (ProjectRow.code,)
    rows = session.scalars(paging.after(query.order_by(*order), order, after).limit(limit).offset(offset))
    return total, [_from_row(r) for r in rows]


# -- plans ---------------------------------------------------------------------------------


def _plan(row: PlanRow) -> Plan:
    return dataclass_of(Plan, row, items=list(row.items))


def add_plan(session: Session, plan: Plan) -> None:
    session.add(row_of(PlanRow, plan))
    session.flush()


def get_plan(session: Session, plan_id: str, *, for_update: bool = False) -> Plan:
    return _plan(get_or_not_found(session, PlanRow, plan_id, what=("plan", "规划"), for_update=for_update))


def save_plan(session: Session, plan: Plan) -> None:
    row = session.get(PlanRow, plan.id)
    row.status, row.approved_on, row.approved_by = plan.status, plan.approved_on, plan.approved_by
    session.flush()


def add_annual_plan(session: Session, annual: AnnualPlan) -> None:
    session.add(row_of(AnnualPlanRow, annual))
    session.flush()


def all_plans(
    session: Session, limit: int | None = None, after: list | None = None
) -> tuple[list[Plan], list[AnnualPlan]]:
    """The plans by id and the annual plans issued from them, by id — or a page of the plans
    (``limit``; ``after``: the id of the page before's last plan, keyset pagination on the
    primary key) with the annual plans of those plans."""
    order = (PlanRow.id,)
    plans = [
        _plan(r)
        for r in session.scalars(paging.after(select(PlanRow).order_by(*order), order, after).limit(limit))
    ]
    annual = select(AnnualPlanRow).order_by(AnnualPlanRow.id)
    if limit is not None or after:
        annual = annual.where(AnnualPlanRow.plan_id.in_([p.id for p in plans]))
    return plans, [dataclass_of(AnnualPlan, r, items=list(r.items)) for r in session.scalars(annual)]


def plans_of_year(session: Session, year: int) -> tuple[list[Plan], list[AnnualPlan]]:
    """All that ``plans.items_in_force`` can count in ``year`` (第六条): the plans whose period
    covers it and that year's annual plans, by two statements built once (issue 19: a project's
    read and its submission loaded every plan and annual plan ever drafted); the rule stays
    the domain's (approved, derived from a plan in force)."""
    plans = [_plan(r) for r in session.execute(_PLANS_COVERING, {"year": year})]
    annual = [
        dataclass_of(AnnualPlan, r, items=list(r.items)) for r in session.execute(_ANNUAL_OF, {"year": year})
    ]
    return plans, annual


_PLANS_COVERING = (
    select(*PlanRow.__table__.c)
    .where(PlanRow.start_year <= bindparam("year"), PlanRow.end_year >= bindparam("year"))
    .order_by(PlanRow.id)
)
_ANNUAL_OF = (
    select(*AnnualPlanRow.__table__.c)
    .where(AnnualPlanRow.year == bindparam("year"))
    .order_by(AnnualPlanRow.id)
)


# -- change requests (第十八条) --------------------------------------------------------------


def pending_change(session: Session, code: str) -> ChangeRequestRow | None:
    """The change still under review — by the office, or the DRC's re-approval (第十八条)."""
    return session.scalars(
        select(ChangeRequestRow).where(
            ChangeRequestRow.project_code == code, ChangeRequestRow.status.in_(("pending", "awaiting_drc"))
        )
    ).first()


def change_to_replace(session: Session, code: str, doc_type: str) -> ChangeRequestRow | None:
    """An approved change of the project that has not yet replaced ``doc_type`` (第十八条)."""
    approved = session.scalars(
        select(ChangeRequestRow)
        .where(ChangeRequestRow.project_code == code, ChangeRequestRow.status == "approved")
        .order_by(ChangeRequestRow.requested_on, ChangeRequestRow.id)
        .with_for_update()
    )
    return next((c for c in approved if doc_type not in (c.documents_replaced or [])), None)


def get_change(session: Session, request_id: str) -> ChangeRequestRow:
    return get_or_not_found(session, ChangeRequestRow, request_id, what=("change request", "调整申请"))


def changes_of(
    session: Session, code: str, limit: int | None = None, after: list | None = None
) -> list[ChangeRequestRow]:
    """The project's change requests by the day requested and id; ``after``: that key of the
    page before's last one (keyset pagination, index (project_code, requested_on, id))."""
    order = (ChangeRequestRow.requested_on, ChangeRequestRow.id)
    query = select(ChangeRequestRow).where(ChangeRequestRow.project_code == code).order_by(*order)
    return list(session.scalars(paging.after(query, order, after).limit(limit)))
