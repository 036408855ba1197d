"""Operator commands on the suite's time (docs/api.md "Operations"): published for every service."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.errors import RuleViolation, StateConflict
from shared.persistence.store import Store
from shared.timekit import YearSchedule
from shared.timekit.clock import REAL_CLOCK_EN, REAL_CLOCK_ZH


def set_clock(
    store: Store, simulated: bool, day: date, actor: str, current: date | None = None, force: bool = False
) -> dict:
    """The simulated day moves forward; back only when forced, as deadlines, filings and the
    ledger already carry the later days (a day before them would make their order a lie).
    ``day``: loaded by the entrypoint (schemas.ClockDay)."""
    if not simulated:
        raise StateConflict(
            REAL_CLOCK_EN, REAL_CLOCK_ZH, details={"clock": "real", "enable": "GOVPROJ_CLOCK=simulated"}
        )
    if current is not None and day < current and not force:
        raise StateConflict(
            f"the simulated clock does not go backwards: today is {current.isoformat()}, "
            f"{day.isoformat()} is before it; force it (force: true, govproj clock set --force) "
            "only if you mean to",
            f"模拟时钟不能倒退：今日为 {current.isoformat()}，{day.isoformat()} 早于今日；"
            "确需倒退请强制设置（force: true，govproj clock set --force）",
            details={"today": current.isoformat(), "requested": day.isoformat()},
        )
    with store.transaction() as tx:
        tx.emit(
            "clock_set",
            {"today": day, "set_by": actor},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
    return {"today": day.isoformat()}


def load_calendar_year(store: Store, data: dict[str, Any], actor: str) -> dict:
    """``data``: the year's schedule, loaded by the entrypoint (schemas.CalendarYear); a
    schedule that contradicts itself is refused here."""
    try:
        YearSchedule(data["year"], frozenset(data["holidays"]), frozenset(data["workdays"]))
    except ValueError as exc:
        raise RuleViolation(
            f"inconsistent schedule: {exc}", f"作息安排不一致：{exc}", details={"year": data["year"]}
        ) from None
    with store.transaction() as tx:
        tx.emit(
            "calendar_year_loaded",
            {**data, "loaded_by": actor},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
    return {"year": data["year"], "holidays": len(data["holidays"]), "workdays": len(data["workdays"])}
