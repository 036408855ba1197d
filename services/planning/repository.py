"""Loading and saving Projects (domain objects) on planning's database."""
from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.planning.domain import Project
from services.planning.models import CodeSequence, ProjectRow
from shared.errors import NotFound

_FIELDS = [f.name for f in fields(Project)]


def next_sequence(session: Session, year: int) -> int:
    row = session.execute(select(CodeSequence).where(CodeSequence.year == year)
                          .with_for_update()).scalar_one_or_none()
    if row is None:
        row = CodeSequence(year=year, last=0)
        session.add(row)
    row.last += 1
    session.flush()
    return row.last


def add(session: Session, project: Project) -> None:
    session.add(ProjectRow(**{name: getattr(project, name) for name in _FIELDS}))
    session.flush()


def get(session: Session, code: str, *, for_update: bool = False) -> Project:
    query = select(ProjectRow).where(ProjectRow.code == code)
    row = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no project {code}", f"项目 {code} 不存在", details={"code": code})
    return Project(**{name: getattr(row, name) for name in _FIELDS})


def save(session: Session, project: Project) -> None:
    row = session.get(ProjectRow, project.code)
    for name in _FIELDS:
        setattr(row, name, getattr(project, name))
    session.flush()


def list_all(session: Session, unit: str | None = None) -> list[Project]:
    query = select(ProjectRow).order_by(ProjectRow.code)
    if unit:
        query = query.where(ProjectRow.unit == unit)
    return [Project(**{n: getattr(r, n) for n in _FIELDS}) for r in session.scalars(query)]
