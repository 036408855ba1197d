"""Planning's use cases: each one transaction; events go out through the outbox; every state
change lands on the project's timeline with its actor and articles."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from services.planning import repository
from services.planning.domain import EDITABLE, Project, project_code
from services.planning.in_force import plan_items_in_force
from services.planning.models import ChangeRequestRow, DocumentRow, platform
from services.planning.plans import AnnualPlan, Plan
from shared.authz import Identity, acts_on_project, deny, require_project
from shared.context import AppContext
from shared.errors import NotFound, StateConflict
from shared.events import Event
from shared.faults import failpoint
from shared.persistence.forget import forget_project_content
from shared.persistence.store import Transaction
from shared.policy import policy_in_force


def _now() -> datetime:
    return datetime.now(UTC)


def _owned(project: Project, caller: Identity, permission: str) -> Project:
    if not acts_on_project(caller, project.unit):
        deny(caller, permission, project.code)
    return project


def review_case_opened(tx: Transaction, event: Event) -> None:
    """Approval opened the review case: the project is now under review (第八条)."""
    project = repository.get(tx.session, event.project_code, for_update=True)
    if project.open_review(event.payload["submission"]):
        repository.save(tx.session, project)


def _decision(apply):
    """An effect that loads the project and applies approval's decision to it."""

    def effect(tx: Transaction, event: Event) -> None:
        project = repository.get(tx.session, event.project_code, for_update=True)
        data = event.data()
        record = {
            "kind": event.event_type,
            "articles": event.articles,
            "at": event.occurred_at.isoformat(),
            "business_date": event.day.isoformat(),
            **event.payload,
        }
        if apply(project, data, record):
            repository.save(tx.session, project)

    return effect


opinion_issued = _decision(lambda p, d, r: p.apply_opinion(d["submission"], d["decision"], r))
drc_decided = _decision(lambda p, d, r: p.apply_drc_decision(d["decision"], r, d["approved_amount"]))
project_approved = _decision(lambda p, d, r: p.approve(d["approved_amount"], d["approved_on"], r))


def _visible(session, caller: Identity, code: str, permission: str) -> Project:
    """The project, if the caller may read it; checked before its existence is told (to a
    unit an unknown code is refused like another unit's project: shared.authz)."""
    try:
        project = repository.get(session, code)
    except NotFound:
        require_project(caller, permission, code, None)
        raise
    require_project(caller, permission, code, project.unit, [c["unit"] for c in project.co_builders])
    return project


# -- major changes (第十八条) --------------------------------------------------------------------


def change_decided(tx: Transaction, event: Event) -> None:
    """The new review's decision (第十八条); a fixed-asset project's approved change waits for
    the DRC's re-approval (第四条) before it changes the register."""
    data = event.data()
    row = repository.get_change(tx.session, data["request_id"])
    if row.status != "pending":
        return  # decided already — or re-approved by the DRC first (separate queues)
    row.decided_on, row.comments = data["decided_on"], data["comments"]
    if data["decision"] == "approve" and data["awaiting_drc"]:
        row.status = "awaiting_drc"
        return
    _take_effect(tx, row, data, event)


def change_reapproved(tx: Transaction, event: Event) -> None:
    """The DRC re-approved (or not) a fixed-asset project's approved change (第四条, 第十八条)."""
    data = event.data()
    row = repository.get_change(tx.session, data["request_id"])
    if row.status in ("pending", "awaiting_drc"):
        _take_effect(tx, row, data, event)


def _take_effect(tx: Transaction, row: ChangeRequestRow, data: dict, event: Event) -> None:
    row.status = "approved" if data["decision"] == "approve" else "rejected"
    if data["decision"] == "approve":
        project = repository.get(tx.session, event.project_code, for_update=True)
        project.apply_change(event.payload["changes"], data["approved_amount"])
        repository.save(tx.session, project)


# -- incidents (第十九条) ------------------------------------------------------------------------


def _suspension_ref(event: Event) -> str:
    """The suspension an event is about, named as finance and supervision name it."""
    data = event.data()
    if "incident_id" in data:
        return f"incident:{data['incident_id']}"  # 第十九条
    return f"sanction:{data['sanction_id']}"  # 第三十四条


def _suspended(tx: Transaction, event: Event) -> None:
    project = repository.get(tx.session, event.project_code, for_update=True)
    if project.suspend(_suspension_ref(event)):
        repository.save(tx.session, project)


def _resumed(tx: Transaction, event: Event) -> None:
    """A suspension lifted; the status returns only when no other stands (domain.resume)."""
    project = repository.get(tx.session, event.project_code, for_update=True)
    if project.resume(_suspension_ref(event)):
        repository.save(tx.session, project)


construction_suspended = _suspended  # 第十九条
construction_resumed = _resumed


# -- construction and sanctions ----------------------------------------------------------------


class NotYet(Exception):
    """The fact this event follows has not arrived yet — the two travel on separate queues and
    this one overtook it: retried through the delay ladder, never dropped."""


def _status_effect(change, before: tuple[str, ...] = ()):
    """Another service's fact that moves the project's status (the timeline is the ledger's).
    ``before``: the statuses the project is still in when the fact this one follows has not
    arrived yet (e.g. went live while acceptance is not heard of): the event is retried."""

    def effect(tx: Transaction, event: Event) -> None:
        project = repository.get(tx.session, event.project_code, for_update=True)
        if project.status in before:
            raise NotYet(
                f"{event.event_type} of {event.project_code} overtook the fact it "
                f"follows (status {project.status})"
            )
        if change(project, event.data()):
            repository.save(tx.session, project)

    return effect


_BUILDING = ("approved", "in_construction")


def sanction_imposed(tx: Transaction, event: Event) -> None:
    """第三十四条: a suspension is kept by its sanction; a termination ends the project."""
    kind = event.data()["type"]
    if kind == "suspend":
        _suspended(tx, event)
    elif kind == "terminate":
        _status_effect(lambda p, d: p.terminate())(tx, event)


def sanction_lifted(tx: Transaction, event: Event) -> None:
    if event.data()["type"] == "suspend":
        _resumed(tx, event)


contract_filed = _status_effect(lambda p, d: p.start_construction())
construction_completed = _status_effect(lambda p, d: p.complete_construction())
# acceptance publishes these one after the other; planning may hear them in any order
acceptance_decided = _status_effect(lambda p, d: d["passed"] and p.accept(), before=_BUILDING)
project_went_live = _status_effect(lambda p, d: p.go_live(), before=(*_BUILDING, "completed"))
# the secrecy bureau's review (第四条): a refusal ends a classified application
secrecy_decided = _status_effect(lambda p, d: d["decision"] == "refuse" and p.reject_classified())


fixed_asset_designated = _status_effect(lambda p, d: p.take_up_as_fixed_asset())  # 第四条


# content a classified project's change requests may carry (第十八条 goal, location, content)
_CLASSIFIED_CHANGES = ("goal", "location", "content")


def project_classified(tx: Transaction, event: Event) -> None:
    """The secrecy bureau declared the project classified (第四条): its content leaves the
    register — goals, content, location, catalog, every document version and what change
    requests said of goal, location and content; security received it in the declaring
    command (``content_to_move``). Nothing of it travels: the completeness checks read what
    is on file with security, and the unit files anything further there."""
    project = repository.get(tx.session, event.project_code, for_update=True)
    if not project.declare_classified():
        return
    repository.save(tx.session, project)
    tx.session.execute(delete(DocumentRow).where(DocumentRow.project_code == project.code))
    for change in repository.changes_of(tx.session, project.code):
        if any(k in change.changes for k in _CLASSIFIED_CHANGES):
            change.changes = {k: v for k, v in change.changes.items() if k not in _CLASSIFIED_CHANGES}
    # and the copies: the answers kept for replays, the events it wrote (titles, changes)
    forget_project_content(tx.session, platform, project.code)


def content_to_move(session, code: str) -> dict | None:
    """What the register holds of a project's content (第四条: goals, content, location, the
    catalog, every document version and what change requests said of goal, location and
    content) — what the bureau's declaration moves to the security service, read by the
    gateway for that one command and never published. None once the project is classified:
    nothing of it is here any more."""
    project = repository.get(session, code)
    if project.classified:
        return None
    documents: dict[str, list[dict]] = {}
    for row in session.scalars(
        select(DocumentRow)
        .where(DocumentRow.project_code == code)
        .order_by(DocumentRow.doc_type, DocumentRow.version)
    ):
        documents.setdefault(row.doc_type, []).append(
            {
                "version": row.version,
                "title": row.title,
                "sha256": row.sha256,
                "filed_by": row.filed_by,
                "filed_at": row.filed_at.isoformat(),
            }
        )
    changes = [
        {"request_id": c.id, **{k: c.changes[k] for k in _CLASSIFIED_CHANGES if k in c.changes}}
        for c in repository.changes_of(session, code)
        if any(k in c.changes for k in _CLASSIFIED_CHANGES)
    ]
    return {
        "goals": project.goals,
        "content": project.content,
        "location": project.location,
        "catalog": list(project.catalog),
        "documents": documents,
        "changes": changes,
    }


def _classified_material(project: Project, data: dict) -> bool:
    """Which documents a classified project has on file with security — types, never content."""
    project.classified_material = {"doc_types": sorted(data["doc_types"]), "catalog": data["catalog"]}
    return True


classified_material_filed = _status_effect(_classified_material)


class PlanningUseCases:
    """The register's use cases — plans, applications, national-ministry projects, sharing,
    major changes — against one context (store, clock, policy): each takes the caller and the
    domain arguments, keyword-only past the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def register_project(self, caller: Identity, *, data: dict) -> Project:
        """Put a project on the register with its lifelong code and pinned regulation (第三条)."""
        today = self.ctx.today()
        policy = policy_in_force(today)
        with self.ctx.store.transaction() as tx:
            code = project_code(today.year, repository.next_sequence(tx.session, today.year))
            project = Project.register(
                code=code, unit=caller.unit, regulation_version=policy.id, registered_on=today, **data
            )
            repository.add(tx.session, project)
            tx.emit(
                "project_registered",
                {  # never the content: see ProjectRegistered
                    "unit": project.unit,
                    "co_builders": [c["unit"] for c in project.co_builders],
                    "kind": project.kind,
                    "level": project.level,
                    "classified": project.classified,
                    "registered_on": today,
                    "schedule_end": project.schedule_end,
                },
                project_code=code,
                regulation_version=policy.id,
                articles=[3],
            )
        return project

    def file_document(self, caller: Identity, *, code: str, doc_type: str, data: dict) -> Project:
        with self.ctx.store.transaction() as tx:
            project = _owned(
                repository.get(tx.session, code, for_update=True), caller, "project.documents.put"
            )
            change = (
                repository.change_to_replace(tx.session, code, doc_type)
                if project.needs_a_change_to_replace(doc_type)
                else None
            )
            document = project.file_document(
                doc_type,
                data["title"],
                data["sha256"],
                caller.sub,
                _now(),
                change=change.id if change else None,
            )
            if change is not None:  # each approved change replaces each document once (第十八条)
                change.documents_replaced = [*(change.documents_replaced or []), doc_type]
            repository.save(tx.session, project, new_document=document)
            tx.emit(
                "document_filed",
                {  # into the electronic archive kept by acceptance (第二十条)
                    "doc_type": doc_type,
                    "version": document.version,
                    "title": None if project.classified else document.title,
                    "sha256": document.sha256,
                    "filed_by": caller.sub,
                    "filed_at": document.filed_at,
                },
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[20],
            )
        return project

    def set_catalog(self, caller: Identity, *, code: str, resources: list[dict[str, Any]]) -> Project:
        with self.ctx.store.transaction() as tx:
            project = _owned(repository.get(tx.session, code, for_update=True), caller, "project.catalog.put")
            project.set_catalog(resources)
            repository.save(tx.session, project)
            tx.emit(
                "catalog_set",
                {
                    "resources": len(resources),
                    "by_sharing_type": dict(Counter(r["sharing_type"] for r in resources)),
                },
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[27],
            )
        return project

    def submit_application(self, caller: Identity, *, code: str) -> Project:
        """Submit the application for review (第六条, 第七条) → ``application_submitted``."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            project = _owned(repository.get(tx.session, code, for_update=True), caller, "project.submit")
            submission = project.submit(
                self.ctx.policy(project.regulation_version),
                plan_items_in_force(tx.session, today.year),
            )
            repository.save(tx.session, project)
            tx.emit(
                "application_submitted",
                {
                    "name": project.name,
                    "unit": project.unit,
                    "kind": project.kind,
                    "level": project.level,
                    "plan_item": project.plan_item,
                    "budget_total": project.budget_total,
                    "fixed_asset_investment": project.fixed_asset_investment,
                    "classified": project.classified,
                    "submission": submission,
                    "submitted_on": today,
                },
                project_code=project.code,
                regulation_version=project.regulation_version,
                articles=[6, 7],
            )
        failpoint("after_commit")  # fault tests: a crash here must not lose the event
        return project

    def plan_items(self) -> AbstractSet[str]:
        """The plan items in force this year: what an application must implement (第六条)."""
        with self.ctx.store.read() as session:
            year = self.ctx.today().year
            return plan_items_in_force(session, year)

    def get_project(self, caller: Identity, *, code: str) -> tuple[Project, AbstractSet[str]]:
        """The project, and the plan items in force this year as far as its open items ask
        (第六条): read only for an application still open (draft or returned) naming an item —
        past submission it has no open items, and no item is in force under no code (issue 19:
        the project view's read)."""
        with self.ctx.store.read() as session:
            project = _visible(session, caller, code, "project.read")
            if project.plan_item is None or project.status not in EDITABLE:
                return project, set()
            year = self.ctx.today().year
            return project, plan_items_in_force(session, year)

    def content_to_classify(self, caller: Identity, *, code: str) -> dict | None:
        """The secrecy bureau declaring the project classified (第四条) takes what the register
        holds of its content to the security service (the gateway passes it on in the same
        command): the bureau alone reads it, and only while it is still here."""
        with self.ctx.store.read() as session:
            _visible(session, caller, code, "secrecy.classify")
            return content_to_move(session, code)

    def list_projects(self, caller: Identity, **filters: Any) -> tuple[int | None, list[Project]]:
        with self.ctx.store.read() as session:
            return repository.search(session, caller, **filters)

    def draft_plan(self, caller: Identity, *, data: dict) -> Plan:
        with self.ctx.store.transaction() as tx:
            plan = Plan.draft(id=f"PL-{uuid.uuid4().hex[:8].upper()}", **data)
            repository.add_plan(tx.session, plan)
        return plan

    def approve_plan(self, caller: Identity, *, plan_id: str) -> Plan:
        with self.ctx.store.transaction() as tx:
            plan = repository.get_plan(tx.session, plan_id, for_update=True)
            plan.approve(caller.sub, self.ctx.today())
            repository.save_plan(tx.session, plan)
        return plan

    def issue_annual_plan(self, caller: Identity, *, data: dict) -> AnnualPlan:
        with self.ctx.store.transaction() as tx:
            plan = repository.get_plan(tx.session, data["plan_id"])
            annual = AnnualPlan.issue(
                plan,
                id=f"AP-{data['year']}-{uuid.uuid4().hex[:6].upper()}",
                year=data["year"],
                items=data["items"],
                issued_on=self.ctx.today(),
            )
            repository.add_annual_plan(tx.session, annual)
        return annual

    def list_plans(
        self, *, limit: int | None = None, after: list | None = None
    ) -> tuple[list[Plan], list[AnnualPlan]]:
        with self.ctx.store.read() as session:
            return repository.all_plans(session, limit, after)

    # -- national-ministry projects (第十条) --------------------------------------------------

    def record_national_consent(self, caller: Identity, *, code: str, decision: str) -> Project:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            project = repository.get(tx.session, code, for_update=True)
            project.record_national_consent(decision, caller.sub, today)
            repository.save(tx.session, project)
            tx.emit(
                "national_consent_recorded",
                {"decision": decision, "decided_on": today},
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[10],
            )
        return project

    def file_national_approval(self, caller: Identity, *, code: str, filing: dict) -> Project:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            project = _owned(
                repository.get(tx.session, code, for_update=True), caller, "project.national.file"
            )
            record = {
                "ministry": filing["ministry"],
                "document_no": filing["document_no"],
                "approved_on": filing["approved_on"].isoformat(),
            }
            consented = project.file_national_approval(record, caller.sub, today)
            repository.save(tx.session, project)
            tx.emit(
                "national_approval_filed",
                {
                    "ministry": filing["ministry"],
                    "document_no": filing["document_no"],
                    "approved_on": filing["approved_on"],
                    "filed_on": today,
                    "consented": consented,
                },
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[10],
            )
            if not consented:
                tx.emit(
                    "national_approval_filed_without_consent",
                    {
                        "ministry": filing["ministry"],
                        "document_no": filing["document_no"],
                        "approved_on": filing["approved_on"],
                        "consent": project.national.get("consent", {}).get("decision"),
                        "filed_on": today,
                    },
                    project_code=code,
                    regulation_version=project.regulation_version,
                    articles=[10],
                )
        return project

    # -- sharing platform (第二十九条) ----------------------------------------------------------

    def record_sharing_status(self, caller: Identity, *, code: str, data: dict) -> Project:
        with self.ctx.store.transaction() as tx:
            project = repository.get(tx.session, code, for_update=True)
            project.record_sharing_status(
                data["connected"],
                data["sharing_compliant"],
                data["checked_on"],
                data.get("catalog_registered"),
            )
            repository.save(tx.session, project)
            tx.emit(
                "sharing_status_recorded",
                {
                    "connected": data["connected"],
                    "sharing_compliant": data["sharing_compliant"],
                    "checked_on": data["checked_on"],
                    "catalog_registered": data.get("catalog_registered"),
                },
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[29],
            )
        return project

    # -- major changes (第十八条) ----------------------------------------------------------------

    def request_change(self, caller: Identity, *, code: str, data: dict) -> ChangeRequestRow:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            project = _owned(
                repository.get(tx.session, code, for_update=True), caller, "project.change.request"
            )
            project.check_change_request(data["changes"])
            pending = repository.pending_change(tx.session, code)
            if pending is not None:
                raise StateConflict(
                    "an adjustment application of this project is still pending",
                    "该项目已有待审核的调整申请",
                    articles=[18],
                    details={"pending": pending.id},
                )
            row = ChangeRequestRow(
                id=f"CR-{uuid.uuid4().hex[:8].upper()}",
                project_code=code,
                changes=data["changes"],
                reason=data["reason"],
                status="pending",
                requested_by=caller.sub,
                requested_on=today,
            )
            tx.session.add(row)
            tx.emit(
                "change_requested",
                {
                    "request_id": row.id,
                    "changes": data["changes"],
                    "reason": data["reason"],
                    "requested_on": today,
                },
                project_code=code,
                regulation_version=project.regulation_version,
                articles=[18],
            )
        return row

    def change_requests(
        self, caller: Identity, *, code: str, limit: int | None = None, after: list | None = None
    ) -> list[ChangeRequestRow]:
        with self.ctx.store.read() as session:
            _visible(session, caller, code, "project.read")
            return repository.changes_of(session, code, limit, after)
