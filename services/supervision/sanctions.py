"""Sanctions (第三十四条): applied and lifted by the office, published for finance and the
register, which act on them idempotently by sanction id. Each answers a finding whose ordered
rectification was refused, ignored or failed — never none — and the office climbs the ladder
of the policy the project is pinned to, one step at a time (rules.next_sanction)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.supervision import deadlines, findings, rules, visibility
from services.supervision.models import FindingRow, SanctionRow
from services.supervision.views import sanction_view
from shared.authz import Identity
from shared.errors import NotFound
from shared.persistence.store import Store
from shared.policy import get_policy, policy_in_force
from shared.timekit import Clock


def list_sanctions(
    store: Store, caller: Identity, project: str | None, status: str | None, page: tuple[int, int] = (200, 0)
) -> list[dict]:
    with store.read() as session:
        return [
            sanction_view(r)
            for r in visibility.listing(
                session,
                caller,
                SanctionRow,
                (SanctionRow.imposed_on, SanctionRow.id),
                page,
                project_code=project,
                status=status,
            )
        ]


def impose(store: Store, clock: Clock, caller: Identity, body: dict) -> dict:
    """``body``: loaded by the entrypoint (schemas.Imposition)."""
    today = clock.today()
    with store.transaction() as tx:
        project = findings.project(tx, body["project"])
        policy = (
            get_policy(project.regulation_version) if project.regulation_version else policy_in_force(today)
        )
        ladder = policy.param("sanction_ladder", "steps")
        finding = None
        if body["finding"]:
            finding = tx.session.get(FindingRow, body["finding"])
            if finding is None or finding.project_code != body["project"]:
                raise NotFound(
                    f"no finding {body['finding']} of project {body['project']}",
                    f"项目 {body['project']} 没有问题 {body['finding']}",
                    details={"finding": body["finding"]},
                )
        applied = (
            [
                s.type
                for s in tx.session.scalars(select(SanctionRow).where(SanctionRow.finding == body["finding"]))
            ]
            if finding
            else []
        )
        # refused (409, 第三十四条) before anything is written: no finding, or one whose
        # rectification was not refused, ignored or failed
        rules.next_sanction(ladder, applied, finding.status if finding else None, body["type"])
        row = SanctionRow(
            id=f"SN-{uuid.uuid4().hex[:8].upper()}",
            project_code=body["project"],
            type=body["type"],
            finding=body["finding"],
            reason=body["reason"],
            status="active",
            imposed_by=caller.sub,
            imposed_on=today,
        )
        tx.session.add(row)
        if row.type == "suspend":
            deadlines.suspend_deadlines(
                tx, row.project_code, today, caller.sub, row.reason, f"sanction:{row.id}"
            )
        elif row.type == "terminate":
            deadlines.end_deadlines(tx, row.project_code, today, caller.sub, row.reason)
        tx.emit(
            "sanction_imposed",
            {
                "sanction_id": row.id,
                "type": row.type,
                "finding": row.finding,
                "reason": row.reason,
                "imposed_on": today,
            },
            project_code=row.project_code,
            regulation_version=policy.id,
            articles=[34],
        )
    return sanction_view(row)


def lift(store: Store, clock: Clock, caller: Identity, sanction_id: str, body: dict) -> dict:
    """``body``: loaded by the entrypoint (schemas.Lifting)."""
    today = clock.today()
    with store.transaction() as tx:
        row = tx.session.get(SanctionRow, sanction_id, with_for_update=True)
        if row is None:
            raise NotFound(
                f"no sanction {sanction_id}",
                f"处理决定 {sanction_id} 不存在",
                details={"sanction": sanction_id},
            )
        rules.check_liftable(sanction_id, row.status, row.type)
        row.status, row.lifted_on, row.lift_reason = "lifted", today, body["reason"]
        if row.type == "suspend":
            deadlines.resume_deadlines(
                tx, row.project_code, today, caller.sub, body["reason"], f"sanction:{row.id}"
            )
        tx.emit(
            "sanction_lifted",
            {"sanction_id": row.id, "type": row.type, "reason": body["reason"], "lifted_on": today},
            project_code=row.project_code,
            articles=[34],
            regulation_version=findings.project(tx, row.project_code).regulation_version,
        )
    return sanction_view(row)
