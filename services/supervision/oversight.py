"""Inspections (第三十四条), audit engagements and their findings (第三十五条), referrals
(第三十七条–第三十九条)."""

from __future__ import annotations

import uuid

from services.supervision import findings
from services.supervision.models import AuditRow, FindingRow, ReferralRow
from services.supervision.views import finding_view
from shared.authz import Identity
from shared.errors import NotFound
from shared.persistence.store import Store
from shared.policy import cited
from shared.timekit import Clock


def _kind(found_by: str, articles: list[int]) -> str:
    """Not accepting the supervision of the office and the other bodies (第三十三条) — refusing
    an inspection, say — and refusing, hiding or misreporting materials (第三十六条) are a
    violation of their own: non-cooperation, whatever found it."""
    return "non_cooperation" if 33 in articles or 36 in articles else found_by


def inspect(store: Store, clock: Clock, caller: Identity, data: dict) -> list[dict]:
    with store.transaction() as tx:
        findings.project(tx, data["project"])
        rows = [
            findings.add_finding(
                tx,
                data["project"],
                source=f"inspection:{caller.sub}",
                kind=_kind("inspection", item["articles"]),
                articles=item["articles"],
                description=item["description"],
                details={},
                today=clock.today(),
            )
            for item in data["findings"]
        ]
    return [finding_view(r) for r in rows]


def open_audit(store: Store, clock: Clock, caller: Identity, data: dict) -> dict:
    with store.transaction() as tx:
        findings.project(tx, data["project"])
        row = AuditRow(
            id=f"AU-{uuid.uuid4().hex[:8].upper()}",
            project_code=data["project"],
            scope=data["scope"],
            opened_by=caller.sub,
            opened_on=clock.today(),
        )
        tx.session.add(row)
        findings.publish(
            tx,
            row.project_code,
            "audit_opened",
            {"audit_id": row.id, "scope": row.scope, "on": row.opened_on},
            [35],
        )
    return {
        "id": row.id,
        "project": row.project_code,
        "scope": row.scope,
        "opened_on": row.opened_on.isoformat(),
    }


def audit_finding(store: Store, clock: Clock, caller: Identity, audit_id: str, data: dict) -> dict:
    with store.transaction() as tx:
        audit = tx.session.get(AuditRow, audit_id)
        if audit is None:
            raise NotFound(f"no audit {audit_id}", f"审计项目 {audit_id} 不存在", details={"audit": audit_id})
        row = findings.add_finding(
            tx,
            audit.project_code,
            source=f"audit:{audit.id}",
            kind=_kind("audit", data["articles"]),
            articles=data["articles"],
            description=data["description"],
            details={"amount": str(data["amount"]) if data.get("amount") is not None else None},
            today=clock.today(),
        )
    return finding_view(row)


def refer(store: Store, clock: Clock, caller: Identity, data: dict) -> dict:
    with store.transaction() as tx:
        findings.project(tx, data["project"])
        if data.get("finding"):
            finding = tx.session.get(FindingRow, data["finding"])
            if finding is None or finding.project_code != data["project"]:
                raise NotFound(
                    f"no finding {data['finding']} of project {data['project']}",
                    f"项目 {data['project']} 没有问题 {data['finding']}",
                    details={"finding": data["finding"]},
                )
        row = ReferralRow(
            id=f"RF-{uuid.uuid4().hex[:8].upper()}",
            project_code=data["project"],
            kind=data["kind"],
            articles=data["articles"],
            description=data["description"],
            finding=data.get("finding"),
            referred_by=caller.sub,
            referred_on=clock.today(),
        )
        tx.session.add(row)
        findings.publish(
            tx,
            row.project_code,
            "referral_recorded",
            {
                "referral_id": row.id,
                "kind": row.kind,
                "finding": row.finding,
                "description": row.description,
                "on": row.referred_on,
            },
            row.articles,
        )
    return cited(
        {
            "id": row.id,
            "project": row.project_code,
            "kind": row.kind,
            "articles": row.articles,
            "finding": row.finding,
            "referred_on": row.referred_on.isoformat(),
        }
    )
