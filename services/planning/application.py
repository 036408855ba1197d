"""Planning's use cases: each one transaction; events go out through the outbox; every state
change lands on the project's timeline with its actor and articles."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.planning import repository
from services.planning.domain import Project, project_code
from services.planning.plans import AnnualPlan, Plan, items_in_force
from shared.authz import Identity, acts_on_project, deny, sees_project
from shared.events import Event
from shared.faults import failpoint
from shared.persistence.store import Store, Transaction
from shared.policy import get_policy, policy_in_force
from shared.timekit import Clock


def _now() -> datetime:
    return datetime.now(UTC)


def _owned(project: Project, caller: Identity, permission: str) -> Project:
    if not acts_on_project(caller, project.unit):
        deny(caller, permission, project.code)
    return project


def register_project(store: Store, clock: Clock, caller: Identity, data: dict) -> Project:
    """Put a project on the register with its lifelong code and pinned regulation (第三条)."""
    today = clock.today()
    policy = policy_in_force(today)
    with store.transaction() as tx:
        code = project_code(today.year, repository.next_sequence(tx.session, today.year))
        project = Project.register(
            code=code, unit=caller.unit, regulation_version=policy.id, registered_on=today,
            **data)
        repository.add(tx.session, project)
        repository.record(tx.session, code, actor=caller.sub, action="registered", articles=[3],
                          on=today, at=_now(), details={"regulation_version": policy.id})
    return project


def file_document(store: Store, clock: Clock, caller: Identity, code: str, doc_type: str,
                  data: dict) -> Project:
    with store.transaction() as tx:
        project = _owned(repository.get(tx.session, code, for_update=True), caller,
                         "project.documents.put")
        document = project.file_document(doc_type, data["title"], data["sha256"], caller.sub,
                                         _now())
        repository.save(tx.session, project, new_document=document)
        repository.record(tx.session, code, actor=caller.sub, action="document_filed",
                          articles=[20], on=clock.today(), at=document.filed_at, details={
                              "doc_type": doc_type, "version": document.version,
                              "sha256": document.sha256})
    return project


def set_catalog(store: Store, clock: Clock, caller: Identity, code: str,
                resources: list[dict[str, Any]]) -> Project:
    with store.transaction() as tx:
        project = _owned(repository.get(tx.session, code, for_update=True), caller,
                         "project.catalog.put")
        project.set_catalog(resources)
        repository.save(tx.session, project)
        repository.record(tx.session, code, actor=caller.sub, action="catalog_set",
                          articles=[27], on=clock.today(), at=_now(),
                          details={"resources": len(resources)})
    return project


def submit_application(store: Store, clock: Clock, caller: Identity, code: str) -> Project:
    """Submit the application for review (第六条, 第七条) → ``application_submitted``."""
    today = clock.today()
    with store.transaction() as tx:
        project = _owned(repository.get(tx.session, code, for_update=True), caller,
                         "project.submit")
        submission = project.submit(get_policy(project.regulation_version),
                                    items_in_force(*repository.all_plans(tx.session), today.year))
        repository.save(tx.session, project)
        repository.record(tx.session, code, actor=caller.sub, action="application_submitted",
                          articles=[6, 7], on=today, at=_now(), details={"submission": submission})
        tx.emit("application_submitted", {
            "name": project.name, "unit": project.unit, "kind": project.kind,
            "level": project.level, "plan_item": project.plan_item,
            "budget_total": project.budget_total,
            "fixed_asset_investment": project.fixed_asset_investment,
            "classified": project.classified, "submission": submission, "submitted_on": today,
        }, project_code=project.code, regulation_version=project.regulation_version,
            articles=[6, 7])
    failpoint("after_commit")  # fault tests: a crash here must not lose the event
    return project


def review_case_opened(clock: Clock):
    def effect(tx: Transaction, event: Event) -> None:
        """Approval opened the review case: the project is now under review (第八条)."""
        project = repository.get(tx.session, event.project_code, for_update=True)
        if project.open_review(event.payload["submission"]):
            repository.save(tx.session, project)
            repository.record(tx.session, project.code, actor="approval",
                              action="review_case_opened", articles=event.articles,
                              on=clock.today(), at=event.occurred_at,
                              details={"case_id": event.payload["case_id"]})
    return effect


def _decision(clock: Clock, apply):
    """An effect that loads the project, applies approval's decision and records it."""
    def effect(tx: Transaction, event: Event) -> None:
        project = repository.get(tx.session, event.project_code, for_update=True)
        data = event.data()
        record = {"kind": event.event_type, "articles": event.articles,
                  "at": event.occurred_at.isoformat(), **event.payload}
        if apply(project, data, record):
            repository.save(tx.session, project)
            repository.record(tx.session, project.code, actor="approval",
                              action=event.event_type, articles=event.articles,
                              on=clock.today(), at=event.occurred_at,
                              details={k: v for k, v in event.payload.items()
                                       if k not in ("necessity", "feasibility", "comments")})
    return effect


def opinion_issued(clock: Clock):
    return _decision(clock, lambda p, d, r: p.apply_opinion(d["submission"], d["decision"], r))


def drc_decided(clock: Clock):
    return _decision(clock, lambda p, d, r: p.apply_drc_decision(d["decision"], r))


def project_approved(clock: Clock):
    return _decision(clock, lambda p, d, r: p.approve(d["approved_amount"], d["approved_on"], r))


def _visible(project: Project, caller: Identity, permission: str) -> Project:
    if not sees_project(caller, project.unit, [c["unit"] for c in project.co_builders]):
        deny(caller, permission, project.code)
    return project


def get_project(store: Store, clock: Clock, caller: Identity,
                code: str) -> tuple[Project, set[str]]:
    """The project, and the plan items in force this year (for its open items)."""
    with store.read() as session:
        project = _visible(repository.get(session, code), caller, "project.read")
        return project, items_in_force(*repository.all_plans(session), clock.today().year)


def list_projects(store: Store, caller: Identity, **filters) -> tuple[int, list[Project]]:
    with store.read() as session:
        return repository.search(session, caller, **filters)


def get_timeline(store: Store, caller: Identity, code: str) -> tuple[Project, list]:
    with store.read() as session:
        project = _visible(repository.get(session, code), caller, "project.timeline")
        return project, repository.timeline(session, code)


# -- plans (第五条, 第六条) ------------------------------------------------------------------

def draft_plan(store: Store, caller: Identity, data: dict) -> Plan:
    with store.transaction() as tx:
        plan = Plan.draft(id=f"PL-{uuid.uuid4().hex[:8].upper()}", **data)
        repository.add_plan(tx.session, plan)
    return plan


def approve_plan(store: Store, clock: Clock, caller: Identity, plan_id: str) -> Plan:
    with store.transaction() as tx:
        plan = repository.get_plan(tx.session, plan_id, for_update=True)
        plan.approve(caller.sub, clock.today())
        repository.save_plan(tx.session, plan)
    return plan


def issue_annual_plan(store: Store, clock: Clock, caller: Identity, data: dict) -> AnnualPlan:
    with store.transaction() as tx:
        plan = repository.get_plan(tx.session, data["plan_id"])
        annual = AnnualPlan.issue(plan, id=f"AP-{data['year']}-{uuid.uuid4().hex[:6].upper()}",
                                  year=data["year"], items=data["items"],
                                  issued_on=clock.today())
        repository.add_annual_plan(tx.session, annual)
    return annual


def list_plans(store: Store) -> tuple[list[Plan], list[AnnualPlan]]:
    with store.read() as session:
        return repository.all_plans(session)
