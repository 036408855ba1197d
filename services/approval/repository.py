"""Loading and saving review cases and rounds on approval's database."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.approval.domain import Opinion, ReviewCase, ReviewRound
from services.approval.models import CompletionRow, ReviewCaseRow, ReviewRoundRow
from shared import paging
from shared.persistence.lookup import found, get_or_not_found
from shared.persistence.rows import dataclass_of, row_of

_CASE = [f.name for f in fields(ReviewCase) if f.name != "opinion"]


def _case(row: ReviewCaseRow) -> ReviewCase:
    case = ReviewCase(**{n: getattr(row, n) for n in _CASE})
    if row.opinion:
        data = dict(row.opinion)
        amount = data.pop("approved_amount")
        case.opinion = Opinion(**data, approved_amount=Decimal(amount) if amount else None)
    return case


def add_case(session: Session, case: ReviewCase) -> None:
    row = ReviewCaseRow()
    save_case(session, case, row)
    session.add(row)
    session.flush()


def save_case(session: Session, case: ReviewCase, row: ReviewCaseRow | None = None) -> None:
    row = row or session.get(ReviewCaseRow, case.id)
    for name in _CASE:
        setattr(row, name, getattr(case, name))
    if case.opinion is not None:
        opinion = asdict(case.opinion)
        amount = case.opinion.approved_amount
        opinion["approved_amount"] = f"{amount:.2f}" if amount is not None else None
        row.opinion = opinion
    session.flush()


def get_case(session: Session, case_id: str, *, for_update: bool = False) -> ReviewCase | None:
    row = session.get(ReviewCaseRow, case_id, with_for_update=for_update)
    return _case(row) if row else None


def latest_case(session: Session, project_code: str, *, for_update: bool = False) -> ReviewCase | None:
    query = (
        select(ReviewCaseRow)
        .where(ReviewCaseRow.project_code == project_code)
        .order_by(ReviewCaseRow.submission.desc())
        .limit(1)
    )
    row = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    return _case(row) if row else None


def require_latest_case(session: Session, project_code: str, **kwargs) -> ReviewCase:
    return found(
        latest_case(session, project_code, **kwargs),
        f"no review case for project {project_code}",
        f"项目 {project_code} 没有评审案卷",
        details={"project": project_code},
    )


def cases(
    session: Session, project_code: str | None = None, limit: int | None = None, after: list | None = None
) -> list[ReviewCase]:
    """By project and submission; ``after``: the (project, submission) of the page before's
    last case (keyset pagination, an index range on the unique pair)."""
    order = (ReviewCaseRow.project_code, ReviewCaseRow.submission)
    query = paging.after(select(ReviewCaseRow).order_by(*order), order, after)
    if project_code:
        query = query.where(ReviewCaseRow.project_code == project_code)
    if limit is not None:
        query = query.limit(limit)
    return [_case(r) for r in session.scalars(query)]


def add_round(session: Session, round_: ReviewRound) -> None:
    session.add(row_of(ReviewRoundRow, round_))
    session.flush()


def get_round(session: Session, round_id: str, *, for_update: bool = False) -> ReviewRound:
    row = get_or_not_found(
        session,
        ReviewRoundRow,
        round_id,
        what=("review round", "评审批次"),
        detail="round",
        for_update=for_update,
    )
    return dataclass_of(ReviewRound, row, case_ids=list(row.case_ids))


def save_round(session: Session, round_: ReviewRound) -> None:
    row = session.get(ReviewRoundRow, round_.id)
    row.status, row.closed_on = round_.status, round_.closed_on
    session.flush()


def record_completion(session: Session, code: str, completed_on: date) -> None:
    """Acceptance announced the project's completion (``construction_completed``), kept once."""
    if session.get(CompletionRow, code) is None:
        session.add(CompletionRow(project_code=code, completed_on=completed_on))


def completed_on(session: Session, code: str) -> date | None:
    """When construction finished, once acceptance said so; None while under construction."""
    row = session.get(CompletionRow, code)
    return row.completed_on if row else None
