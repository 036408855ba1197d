"""Which projects a caller reads supervision's records of: oversight roles all of them, a unit
those it owns or co-builds (the same rule as the register, shared.authz.sees_project)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.supervision.models import SupervisedProjectRow
from shared.authz import Identity, sees_project


def visible_codes(session: Session, caller: Identity) -> set[str] | None:
    """None means every project."""
    if caller.role != "unit":
        return None
    query = select(SupervisedProjectRow.project_code, SupervisedProjectRow.owner_unit,
                   SupervisedProjectRow.co_builders)
    return {code for code, owner, co in session.execute(query)
            if sees_project(caller, owner, co or [])}


def restrict(query, column, session: Session, caller: Identity):
    codes = visible_codes(session, caller)
    return query if codes is None else query.where(column.in_(codes))
