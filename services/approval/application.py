"""Approval's use cases."""
from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.approval.domain import ReviewCase
from services.approval.models import ReviewCaseRow
from shared.events import Event
from shared.persistence.store import Store, Transaction

_FIELDS = [f.name for f in fields(ReviewCase)]


def open_review_case(today: date):
    def effect(tx: Transaction, event: Event) -> ReviewCase | None:
        """An application was submitted: open its review case (第八条) → ``review_case_opened``."""
        case = ReviewCase.open_for(event.project_code, event.regulation_version, event.payload,
                                   today)
        if tx.session.get(ReviewCaseRow, case.id) is not None:
            return None  # the same submission announced again under another message id
        row = ReviewCaseRow(**{n: getattr(case, n) for n in _FIELDS})
        row.budget_total = Decimal(case.budget_total)
        tx.session.add(row)
        tx.emit("review_case_opened",
                {"case_id": case.id, "submission": case.submission, "opened_on": today},
                project_code=case.project_code, regulation_version=case.regulation_version,
                articles=[8])
        return case
    return effect


def review_cases(store: Store, project_code: str | None = None) -> list[dict]:
    with store.read() as session:
        query = select(ReviewCaseRow).order_by(ReviewCaseRow.project_code,
                                               ReviewCaseRow.submission)
        if project_code:
            query = query.where(ReviewCaseRow.project_code == project_code)
        return [{"id": r.id, "project_code": r.project_code, "submission": r.submission,
                 "unit": r.unit, "name": r.name, "budget_total": f"{r.budget_total:.2f}",
                 "fixed_asset_investment": r.fixed_asset_investment,
                 "classified": r.classified, "regulation_version": r.regulation_version,
                 "opened_on": r.opened_on.isoformat(), "status": r.status}
                for r in session.scalars(query)]
