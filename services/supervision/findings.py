"""Findings (第三十四条): from other services' violations, missed deadlines, inspections and
audits; ordered rectified by a deadline, reported, verified — or ignored. What a finding is and
how it is recorded, published and stepped, within a transaction; the office's acts on it are
use cases (application.py)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.supervision import deadline_rows
from services.supervision.models import DeadlineRow, FindingRow, SupervisedProjectRow
from shared.events import Event
from shared.persistence.lookup import get_or_not_found
from shared.persistence.store import Transaction
from shared.timekit import Clock

# event type → (kind, English description, Chinese description)
VIOLATIONS = {
    "national_approval_filed_without_consent": (
        "national_filing_without_consent",
        "a national ministry's approval was filed without the office's prior consent",
        "未经省政务服务管理办公室同意即向国家部委申报并备案批复",
    ),
    "security_duty_overdue": (
        "security_duty_overdue",
        "a periodic risk assessment or cryptography evaluation is overdue",
        "未按期开展风险评估或密码应用评估",
    ),
    "misappropriation_reported": (
        "misappropriation",
        "finance reported diverted or misappropriated project funds",
        "财政部门报告项目资金被截留、挪用",
    ),
}


def project(tx: Transaction, code: str) -> SupervisedProjectRow:
    """A project the office acts on must be on the register (known from its events)."""
    return get_or_not_found(
        tx.session, SupervisedProjectRow, code, what=("project", "项目"), detail="project"
    )


def publish(
    tx: Transaction, code: str, event_type: str, payload: dict[str, Any], articles: list[int]
) -> None:
    """Supervision's own steps are events too: they reach the ledger, hence the timeline."""
    known = tx.session.get(SupervisedProjectRow, code)
    tx.emit(
        event_type,
        payload,
        project_code=code,
        articles=articles,
        regulation_version=known.regulation_version if known else None,
    )


def add_finding(
    tx: Transaction,
    code: str,
    *,
    source: str,
    kind: str,
    articles: list[int],
    description: str,
    details: dict[str, Any],
    today: date,
    finding_id: str | None = None,
) -> FindingRow:
    row = FindingRow(
        id=finding_id or f"FD-{uuid.uuid4().hex[:12].upper()}",
        project_code=code,
        source=source,
        kind=kind,
        articles=articles,
        description=description,
        details=details,
        status="open",
        found_on=today,
        history=[],
    )
    tx.session.add(row)
    tx.session.flush()
    publish(
        tx,
        code,
        "finding_recorded",
        {"finding_id": row.id, "on": today, "kind": kind, "source": source, "description": description},
        articles,
    )
    return row


def violation_reported(clock: Clock):
    """Another service's violation becomes a finding — of a project on the register only: one
    whose registration has not arrived yet is retried until it has (never a finding of no
    project; exhausted retries leave it in the dead-letter queue with the reason)."""

    def effect(tx: Transaction, event: Event) -> None:
        if tx.session.get(SupervisedProjectRow, event.project_code) is None:
            raise deadline_rows.NotKnownYet(f"project {event.project_code} is not known yet")
        kind, text_en, text_zh = VIOLATIONS[event.event_type]
        add_finding(
            tx,
            event.project_code,
            source=f"event:{event.source}",
            kind=kind,
            articles=event.articles,
            description=f"{text_en} / {text_zh}",
            details=dict(event.payload),
            today=clock.today(),
            finding_id=f"FD-{event.message_id[:12].upper()}",
        )

    return effect


def for_update(tx: Transaction, finding_id: str) -> FindingRow:
    """The finding, locked for the step about to change it."""
    what = ("finding", "问题")
    return get_or_not_found(tx.session, FindingRow, finding_id, what=what, detail="finding", for_update=True)


def step(row: FindingRow, action: str, by: str, on: date, **details) -> None:
    row.history = [*row.history, {"action": action, "by": by, "on": on.isoformat(), **details}]


RECTIFICATION = "rectification"  # the deadline kind of an order to rectify a finding


def order_ref(row: FindingRow) -> str:
    """Each order of a finding is its own deadline: a failed rectification may be ordered again."""
    orders = sum(1 for done in row.history if done["action"] == "rectification_ordered")
    return f"{row.id}:{orders}"


def ignore(tx: Transaction, deadline: DeadlineRow, as_of: date) -> str | None:
    """The order's deadline passed without a report: the finding is ignored — the unit did not
    accept the office's supervision (第三十三条), which counts as refusing to rectify and opens
    the sanction ladder (第三十四条, ``rules.SANCTIONABLE``). None, nothing changed, while a
    command holds the finding: the scan holds its due deadlines and a report or refusal holds
    the finding and then asks for its deadline — waiting here would deadlock the two (a 500 on
    PostgreSQL); the command goes first and the next scan sees what it left."""
    row = tx.session.get(FindingRow, deadline.id.split(":")[2], with_for_update={"skip_locked": True})
    if row is None:
        return None
    row.status = "ignored"
    step(row, "ignored", "supervision", as_of, deadline=deadline.due_on.isoformat())
    publish(
        tx,
        row.project_code,
        "finding_ignored",
        {"finding_id": row.id, "on": as_of, "deadline": deadline.due_on},
        [33, 34],
    )
    return row.id
