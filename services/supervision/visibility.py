"""Which projects a caller reads supervision's records of: oversight roles all of them, a unit
those it owns or co-builds — the register's rule (shared.authz.sees_project), kept here as one
row per (unit, project) so a unit's lists are a single indexed lookup. A unit's list filtered
on a project it does not see is empty, as for a project with nothing in it; a read of one
project refuses it before saying whether the project exists (``require``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from services.supervision.models import ProjectUnitRow, SupervisedProjectRow
from shared import paging
from shared.authz import Identity, require_project


def record_units(session: Session, code: str, owner: str, co_builders: list[str]) -> None:
    for unit, role in ((owner, "owner"), *((u, "co_builder") for u in co_builders)):
        if session.get(ProjectUnitRow, (unit, code)) is None:
            session.add(ProjectUnitRow(unit=unit, project_code=code, role=role))


def require(session: Session, caller: Identity, permission: str, code: str, owner: str | None) -> None:
    """A read of one project: refused before anything about it is said (``owner`` None: no
    such project here — to a unit, the same 403 as another unit's project)."""
    require_project(caller, permission, code, owner, _co_builders(session, code) if owner else ())


def require_known(session: Session, caller: Identity, permission: str, code: str) -> tuple[str, bool] | None:
    """``require`` for a read of one project by its code, asking its owner, whether it is
    classified and its co-builders in one statement built once (issue 19): (owner unit,
    classified), or None when supervision knows no such project — refused first as ``require``
    refuses it."""
    rows = session.execute(_READERS, {"code": code}).all()
    owner = rows[0].owner_unit if rows else None
    require_project(caller, permission, code, owner, [r.unit for r in rows if r.unit is not None])
    return (rows[0].owner_unit, bool(rows[0].classified)) if rows else None


_PROJECTS, _UNITS = SupervisedProjectRow.__table__, ProjectUnitRow.__table__
_READERS = (
    select(_PROJECTS.c.owner_unit, _PROJECTS.c.classified, _UNITS.c.unit)
    .select_from(
        _PROJECTS.outerjoin(
            _UNITS, and_(_UNITS.c.project_code == _PROJECTS.c.project_code, _UNITS.c.role == "co_builder")
        )
    )
    .where(_PROJECTS.c.project_code == bindparam("code"))
)


def _co_builders(session: Session, code: str) -> list[str]:
    return list(
        session.scalars(
            select(ProjectUnitRow.unit).where(
                ProjectUnitRow.project_code == code, ProjectUnitRow.role == "co_builder"
            )
        )
    )


def sees(session: Session, caller: Identity, code: str) -> bool:
    """Whether the caller sees supervision's records of one project: ``restrict`` for one code
    (oversight roles all; a unit those it owns or co-builds), by a statement built once."""
    if caller.role != "unit":
        return True
    return session.execute(_UNIT_SEES, {"unit": caller.unit, "code": code}).first() is not None


_UNIT_SEES = select(ProjectUnitRow.project_code).where(
    ProjectUnitRow.unit == bindparam("unit"), ProjectUnitRow.project_code == bindparam("code")
)


def restrict(query, column, caller: Identity):
    """``query`` narrowed to the projects the caller sees (``column``: its project code)."""
    if caller.role != "unit":
        return query
    return query.where(
        column.in_(select(ProjectUnitRow.project_code).where(ProjectUnitRow.unit == caller.unit))
    )


def listing(
    session: Session, caller: Identity, model, order: tuple, page: tuple = (200, 0), **equal: Any
) -> list:
    """One page (limit, offset[, after]) of the caller's rows of ``model``, filtered by
    equality on the given non-empty fields; ``after``: the key (in ``order``) of the last row of
    the page before (keyset pagination, shared/paging.py)."""
    query = restrict(select(model).order_by(*order), model.project_code, caller)
    for field, value in equal.items():
        if value:
            query = query.where(getattr(model, field) == value)
    limit, offset, *key = page
    query = paging.after(query, order, key[0] if key else None)
    return list(session.scalars(query.limit(limit).offset(offset)))
