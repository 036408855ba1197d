"""The deadline engine: deadlines of REQUIREMENTS §11 fed by other services' events, moved only
with a ledger entry, and a scan "as of" a date that turns misses into findings."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.supervision import findings, rules
from services.supervision.models import (
    DeadlineRow,
    FindingRow,
    SanctionRow,
    SupervisedProjectRow,
)
from shared.events import Event
from shared.persistence.store import Store, Transaction
from shared.persistence.upsert import upsert
from shared.policy import article_label_zh
from shared.timekit import Clock

NAMES = {
    "acceptance_application": ("acceptance application within 3 months of completion",
                               "建设完成后 3 个月内申请竣工验收"),
    "incident_rectification": ("rectification ordered by the approving body",
                               "项目审批部门责令的整改"),
    "annual_report": ("annual report before the year's end", "年底前报告年度建设进度和预算执行情况"),
}


def project_registered(tx: Transaction, event: Event) -> None:
    upsert(tx.session, SupervisedProjectRow.__table__, {
        "project_code": event.project_code, "owner_unit": event.payload["unit"]},
        keys=["project_code"])


def _open(tx: Transaction, event: Event, kind: str, ref: str, article: int, due: date,
          why: str) -> None:
    deadline_id = f"{kind}:{event.project_code}:{ref}"
    if tx.session.get(DeadlineRow, deadline_id) is None:
        tx.session.add(DeadlineRow(id=deadline_id, project_code=event.project_code, kind=kind,
                                   article=article, due_on=due, status="open", ledger=[{
                                       "at": event.occurred_at.isoformat(), "by": event.source,
                                       "due": due.isoformat(), "why": why,
                                       "article": article_label_zh(article)}]))


def construction_completed(tx: Transaction, event: Event) -> None:
    data = event.data()
    _open(tx, event, "acceptance_application", "1", 23, data["acceptance_due"],
          f"construction finished {data['completed_on'].isoformat()}")


def acceptance_deadline_extended(tx: Transaction, event: Event) -> None:
    data = event.data()
    row = tx.session.get(DeadlineRow, f"acceptance_application:{event.project_code}:1",
                         with_for_update=True)
    if row is not None and row.status == "open":
        row.due_on = data["acceptance_due"]
        row.ledger = [*row.ledger, {"at": event.occurred_at.isoformat(), "by": event.source,
                                    "due": data["acceptance_due"].isoformat(),
                                    "why": f"extension granted: {data['reason']}",
                                    "article": article_label_zh(23)}]


def acceptance_applied(tx: Transaction, event: Event) -> None:
    row = tx.session.get(DeadlineRow, f"acceptance_application:{event.project_code}:1",
                         with_for_update=True)
    if row is not None and row.status == "open":
        row.status = "met"


def contract_filed(tx: Transaction, event: Event) -> None:
    """A project in construction reports each year before its end (第十六条)."""
    year = event.data()["filed_on"].year
    _open(tx, event, "annual_report", str(year), 16, date(year, 12, 31),
          f"in construction in {year}")


def annual_report_filed(tx: Transaction, event: Event) -> None:
    data = event.data()
    row = tx.session.get(DeadlineRow, f"annual_report:{event.project_code}:{data['year']}",
                         with_for_update=True)
    if row is not None and row.status == "open":
        row.status = "met"
    _open(tx, event, "annual_report", str(data["year"] + 1), 16,
          date(data["year"] + 1, 12, 31), f"reported {data['year']}; {data['year'] + 1} next")


def suspend_clocks(tx: Transaction, code: str, on: date, by: str, why: str) -> None:
    """Construction suspended: the project's running deadlines stop, and the ledger says why."""
    for row in tx.session.scalars(select(DeadlineRow).where(
            DeadlineRow.project_code == code, DeadlineRow.status == "open").with_for_update()):
        row.status = "suspended"
        row.ledger = [*row.ledger, {"at": on.isoformat(), "by": by, "due": row.due_on.isoformat(),
                                    "why": f"suspended: {why}", "suspended_on": on.isoformat(),
                                    "article": article_label_zh(34)}]


def resume_clocks(tx: Transaction, code: str, on: date, by: str, why: str) -> None:
    """Resumed: each deadline moves by the days it stood still."""
    for row in tx.session.scalars(select(DeadlineRow).where(
            DeadlineRow.project_code == code, DeadlineRow.status == "suspended")
            .with_for_update()):
        since = date.fromisoformat(next(e["suspended_on"] for e in reversed(row.ledger)
                                        if "suspended_on" in e))
        row.due_on = row.due_on + (on - since)
        row.status = "open"
        row.ledger = [*row.ledger, {"at": on.isoformat(), "by": by, "due": row.due_on.isoformat(),
                                    "why": f"resumed after {(on - since).days} days: {why}",
                                    "article": article_label_zh(34)}]


def construction_suspended(tx: Transaction, event: Event) -> None:
    data = event.data()
    suspend_clocks(tx, event.project_code, data["suspended_on"], event.source,
                   f"incident {data['kind']}")


def rectification_ordered(tx: Transaction, event: Event) -> None:
    data = event.data()
    _open(tx, event, "incident_rectification", data["incident_id"], 19, data["deadline"],
          f"incident {data['kind']}: rectify by {data['deadline'].isoformat()}")


def scan(store: Store, as_of: date) -> dict:
    """Turn misses into findings, once each; ignored rectification orders become 'ignored'."""
    missed = []
    with store.transaction() as tx:
        for row in tx.session.scalars(select(DeadlineRow).where(
                DeadlineRow.status == "open", DeadlineRow.due_on < as_of).with_for_update()):
            row.status = "missed"
            en, zh = NAMES[row.kind]
            findings.add_finding(
                tx, row.project_code, source="deadline", kind=f"missed:{row.kind}",
                articles=[row.article], description=f"deadline missed: {en} / 逾期：{zh}",
                details={"deadline": row.id, "due_on": row.due_on.isoformat()}, today=as_of)
            missed.append(row.id)
        ignored = findings.ignore_overdue(tx, as_of)
    return {"as_of": as_of.isoformat(), "missed_deadlines": missed,
            "ignored_rectifications": ignored}


def scanner(clock: Clock):
    def run(store: Store) -> dict:
        return scan(store, clock.today())
    return run


def list_deadlines(store: Store, project: str | None, due_before: date | None,
                   overdue: bool | None, today: date) -> list[dict]:
    with store.read() as session:
        query = select(DeadlineRow).order_by(DeadlineRow.due_on)
        if project:
            query = query.where(DeadlineRow.project_code == project)
        if due_before:
            query = query.where(DeadlineRow.due_on < due_before)
        rows = list(session.scalars(query))
    out = []
    for r in rows:
        is_overdue = r.status == "missed" or (r.status == "open" and r.due_on < today)
        if overdue is not None and overdue != is_overdue:
            continue
        out.append({"id": r.id, "project": r.project_code, "kind": r.kind,
                    "article": article_label_zh(r.article), "due_on": r.due_on.isoformat(),
                    "status": r.status, "overdue": is_overdue, "ledger": r.ledger})
    return out


def overview(store: Store, today: date) -> dict:
    with store.read() as session:
        owners = dict(session.execute(select(SupervisedProjectRow.project_code,
                                             SupervisedProjectRow.owner_unit)).all())
        rows: dict[str, dict] = {}

        def bucket(code):
            return rows.setdefault(code, {"project": code, "unit": owners.get(code),
                                          "open_findings": 0, "overdue": 0,
                                          "active_sanctions": 0})
        for code, n in session.execute(select(FindingRow.project_code, func.count()).where(
                FindingRow.status != "resolved").group_by(FindingRow.project_code)):
            bucket(code)["open_findings"] = n
        for code, n in session.execute(select(DeadlineRow.project_code, func.count()).where(
                (DeadlineRow.status == "missed") | ((DeadlineRow.status == "open")
                                                    & (DeadlineRow.due_on < today)))
                .group_by(DeadlineRow.project_code)):
            bucket(code)["overdue"] = n
        for code, n in session.execute(select(SanctionRow.project_code, func.count()).where(
                SanctionRow.status == "active").group_by(SanctionRow.project_code)):
            bucket(code)["active_sanctions"] = n
    projects = sorted(rows.values(), key=lambda r: r["project"])
    return {"as_of": today.isoformat(), "by_project": projects,
            "by_unit": rules.overview(projects, "unit")}
