"""The plan items in force in a year (第五条, 第六条), without reading every plan's items each time.

Every application the unit edits shows its open items, the plan item in force among them, and
its submission checks it: reading all of a year's plans with their items for each of those
commands grew with the plans (the province simulation registers one item per project: at 10,000
projects, 20 plans of 500 items parsed per command; issue 19). An approved plan's items and an
annual plan's items never change once written (plans.py has no edit), so each process keeps
them by plan id per database; a command reads only which plans are in force (ids, no items)
and loads the items of a plan it has not seen. The rule itself stays ``plans.items_in_force``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from collections.abc import Set as AbstractSet

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services.planning.models import AnnualPlanRow, PlanRow

_IN_FORCE = select(PlanRow.id).where(
    PlanRow.status == "approved",
    PlanRow.start_year <= bindparam("year"),
    PlanRow.end_year >= bindparam("year"),
)
_ANNUAL = select(AnnualPlanRow.id, AnnualPlanRow.plan_id).where(AnnualPlanRow.year == bindparam("year"))
_PLAN_ITEMS = select(PlanRow.id, PlanRow.items).where(PlanRow.id.in_(bindparam("ids", expanding=True)))
_ANNUAL_ITEMS = select(AnnualPlanRow.id, AnnualPlanRow.items).where(
    AnnualPlanRow.id.in_(bindparam("ids", expanding=True))
)

# database (its engine) → plan or annual plan id → its item codes, as written once
_KNOWN: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], frozenset[str]]] = weakref.WeakKeyDictionary()


class ItemsInForce(AbstractSet[str]):
    """The union of the plans' item codes, not copied: a command asks only whether its
    application's item is among them (a union built per command grew with the plans)."""

    def __init__(self, parts: list[frozenset[str]]) -> None:
        self._parts = parts

    def __contains__(self, code: object) -> bool:
        return any(code in part for part in self._parts)

    def __iter__(self) -> Iterator[str]:
        return iter(frozenset().union(*self._parts))

    def __len__(self) -> int:
        return len(frozenset().union(*self._parts))


def plan_items_in_force(session: Session, year: int) -> ItemsInForce:
    """Item codes an application may reference in ``year``: those of the approved plans whose
    period covers it, and of that year's annual plans derived from one of them (第六条)."""
    known = _KNOWN.setdefault(session.get_bind().engine, {})
    plans = list(session.scalars(_IN_FORCE, {"year": year}))
    annual = [a for a, plan in session.execute(_ANNUAL, {"year": year}) if plan in frozenset(plans)]
    for table, query, ids in (("plan", _PLAN_ITEMS, plans), ("annual", _ANNUAL_ITEMS, annual)):
        unseen = [i for i in ids if (table, i) not in known]
        if unseen:
            for key, items in session.execute(query, {"ids": unseen}):
                known[(table, key)] = frozenset(item["code"] for item in items)
    return ItemsInForce(
        [known[key] for key in [("plan", i) for i in plans] + [("annual", i) for i in annual]]
    )
