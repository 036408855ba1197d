"""Which projects a caller reads supervision's records of: oversight roles all of them, a unit
those it owns or co-builds — the register's rule (shared.authz.sees_project), kept here as one
row per (unit, project) so a unit's lists are a single indexed lookup. A unit's list filtered
on a project it does not see is empty, as for a project with nothing in it; a read of one
project refuses it before saying whether the project exists (``require``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.supervision.models import ProjectUnitRow
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


def _co_builders(session: Session, code: str) -> list[str]:
    return list(
        session.scalars(
            select(ProjectUnitRow.unit).where(
                ProjectUnitRow.project_code == code, ProjectUnitRow.role == "co_builder"
            )
        )
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
