"""The deadline rows every part of supervision starts, settles and ends the same way: each with
a ledger of who moved it, when, why and under which article (docs/regulation.md §13)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from services.supervision.models import DeadlineRow
from services.supervision.schedule import Due
from shared.events.envelope import beijing_date
from shared.i18n import zh
from shared.persistence.store import Transaction, business_day
from shared.policy import article_label_zh

RUNNING = ("open", "suspended")


class NotKnownYet(Exception):
    """The fact this event follows has not arrived yet: retried (not a permanent refusal)."""


def entry(at: str, by: str, due: date, why: str, article: int, **extra) -> dict:
    """One ledger line; ``why`` is written in English by the code that moves the deadline and
    its Chinese, ``why_zh``, comes from the one template table (shared.i18n). ``business_date``:
    the day the act happened on (the transaction's: the triggering event's publisher's today,
    or this service's clock), beside ``at``, the recorded time."""
    day = business_day()
    return {
        "at": at,
        "business_date": day.isoformat() if day else None,
        "by": by,
        "due": due.isoformat(),
        "why": why,
        "why_zh": zh(why) or why,
        "article": article_label_zh(article),
        "article_number": article,
        **extra,
    }


def note(
    row: DeadlineRow,
    at: str,
    by: str,
    why: str,
    article: int | None = None,
    *,
    due: date | None = None,
    **extra,
) -> None:
    """A line added to the deadline's ledger (``entry``; a new list, so that the JSON column is
    seen changed): by default under the deadline's article and at its due date."""
    line = entry(
        at, by, row.due_on if due is None else due, why, row.article if article is None else article, **extra
    )
    row.ledger = [*row.ledger, line]


def shown(line: dict) -> dict:
    """A ledger line as read: one written before lines carried their business date gets the
    Beijing date of its recorded time (``at``: a moment, or a scan's day)."""
    if line.get("business_date"):
        return line
    at = str(line.get("at") or "")
    try:
        day = beijing_date(datetime.fromisoformat(at)) if "T" in at else date.fromisoformat(at[:10])
    except ValueError:
        return {**line, "business_date": None}
    return {**line, "business_date": day.isoformat()}


def start(
    tx: Transaction, code: str, kind: str, ref: str, due: Due, at: str, by: str, why: str
) -> DeadlineRow | None:
    """A deadline starts, once (None if it already exists): its first entry says from what."""
    deadline_id = f"{kind}:{code}:{ref}"
    if tx.session.get(DeadlineRow, deadline_id) is not None:
        return None
    extra = {"provisional": True} if due.provisional else {}
    if due.opens:
        extra["opens"] = due.opens.isoformat()
    row = DeadlineRow(
        id=deadline_id,
        project_code=code,
        kind=kind,
        article=due.article,
        due_on=due.on,
        status="open",
        ledger=[entry(at, by, due.on, why, due.article, **extra)],
    )
    tx.session.add(row)
    return row


def known(tx: Transaction, deadline_id: str) -> DeadlineRow:
    row = tx.session.get(DeadlineRow, deadline_id, with_for_update=True)
    if row is None:
        raise NotKnownYet(f"deadline {deadline_id} is not known yet")
    return row


def meet(row: DeadlineRow) -> None:
    if row.status in RUNNING:
        row.status = "met"


def void(rows, at: str, by: str, why: str) -> None:
    for row in rows:
        row.status = "void"
        note(row, at, by, why)


def running(tx: Transaction, code: str, kind: str | None = None) -> list[DeadlineRow]:
    query = select(DeadlineRow).where(DeadlineRow.project_code == code, DeadlineRow.status.in_(RUNNING))
    if kind:
        query = query.where(DeadlineRow.kind == kind)
    return list(tx.session.scalars(query.with_for_update()))
