"""Planning's use cases: each one transaction; events go out through the outbox."""
from __future__ import annotations

from datetime import date

from services.planning import repository
from services.planning.domain import Project, project_code
from shared.events import Event
from shared.faults import failpoint
from shared.persistence.store import Store, Transaction
from shared.policy import policy_in_force


def register_project(store: Store, today: date, unit: str, data: dict) -> Project:
    """Put a project on the register with its lifelong code and pinned regulation (第三条)."""
    policy = policy_in_force(today)
    with store.transaction() as tx:
        code = project_code(today.year, repository.next_sequence(tx.session, today.year))
        project = Project.register(
            code=code, name=data["name"], unit=unit, kind=data["kind"], level=data["level"],
            plan_item=data["plan_item"], budget_total=data["budget"]["total"],
            fixed_asset_investment=data["fixed_asset_investment"],
            new_civil_works=data["new_civil_works"], classified=data["classified"],
            regulation_version=policy.id, registered_on=today)
        repository.add(tx.session, project)
    return project


def submit_application(store: Store, today: date, code: str) -> Project:
    """Submit the application for review (第六条, 第七条) → ``application_submitted``."""
    with store.transaction() as tx:
        project = repository.get(tx.session, code, for_update=True)
        submission = project.submit()
        repository.save(tx.session, project)
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


def review_case_opened(tx: Transaction, event: Event) -> None:
    """Approval opened the review case: the project is now under review (第八条)."""
    project = repository.get(tx.session, event.project_code, for_update=True)
    if project.open_review(event.payload["submission"]):
        repository.save(tx.session, project)


def get_project(store: Store, code: str) -> Project:
    with store.read() as session:
        return repository.get(session, code)


def list_projects(store: Store, unit: str | None = None) -> list[Project]:
    with store.read() as session:
        return repository.list_all(session, unit)
