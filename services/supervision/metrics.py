"""Supervision's scrape-time gauges (issue 17): the deadlines of docs/regulation.md §11 by kind and
status — open, suspended, missed — and ``overdue``: open and past its due date on the service's
clock (a miss the next scan will turn into a finding, 第三十四条)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.supervision.models import DeadlineRow
from shared import observability

STATUSES = ("open", "suspended", "missed")


def deadline_counts(session: Session, today: date) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for kind, status, n in session.execute(
        select(DeadlineRow.kind, DeadlineRow.status, func.count())
        .where(DeadlineRow.status.in_(STATUSES))
        .group_by(DeadlineRow.kind, DeadlineRow.status)
    ):
        counts[(kind, status)] = n
    for kind, n in session.execute(
        select(DeadlineRow.kind, func.count())
        .where(DeadlineRow.status == "open", DeadlineRow.due_on < today)
        .group_by(DeadlineRow.kind)
    ):
        counts[(kind, "overdue")] = n
    return counts


def deadline_gauges(service: Any) -> None:
    with service.db.read() as session:
        counts = deadline_counts(session, service.clock.today())
    observability.observe_deadlines(service.name, counts)
