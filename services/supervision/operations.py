"""Operator commands on the suite's time (docs/api.md "Operations"): published for every service."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields

from shared.errors import RuleViolation, StateConflict, ValidationFailed
from shared.persistence.store import Store
from shared.timekit import YearSchedule
from shared.timekit.clock import REAL_CLOCK_EN, REAL_CLOCK_ZH


class _Today(Schema):
    today = fields.Date(required=True)


class _Schedule(Schema):
    year = fields.Integer(required=True)
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)


def set_clock(store: Store, simulated: bool, today: str, actor: str,
              current: date | None = None, force: bool = False) -> dict:
    """The simulated day moves forward; back only when forced, as deadlines, filings and the
    ledger already carry the later days (a day before them would make their order a lie)."""
    if not simulated:
        raise StateConflict(REAL_CLOCK_EN, REAL_CLOCK_ZH,
                            details={"clock": "real", "enable": "GOVPROJ_CLOCK=simulated"})
    try:
        day = _Today().load({"today": today})["today"]
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow(exc.messages) from None
    if current is not None and day < current and not force:
        raise StateConflict(
            f"the simulated clock does not go backwards: today is {current.isoformat()}, "
            f"{day.isoformat()} is before it; force it (force: true, govproj clock set --force) "
            "only if you mean to",
            f"模拟时钟不能倒退：今日为 {current.isoformat()}，{day.isoformat()} 早于今日；"
            "确需倒退请强制设置（force: true，govproj clock set --force）",
            details={"today": current.isoformat(), "requested": day.isoformat()})
    with store.transaction() as tx:
        tx.emit("clock_set", {"today": day, "set_by": actor}, project_code=None,
                regulation_version=None, articles=[])
    return {"today": day.isoformat()}


def load_calendar_year(store: Store, year: int, schedule: dict, actor: str) -> dict:
    try:
        data = _Schedule().load({"year": year, **schedule})
        YearSchedule(data["year"], frozenset(data["holidays"]), frozenset(data["workdays"]))
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow(exc.messages) from None
    except ValueError as exc:
        raise RuleViolation(f"inconsistent schedule: {exc}", f"作息安排不一致：{exc}",
                            details={"year": year}) from None
    with store.transaction() as tx:
        tx.emit("calendar_year_loaded", {**data, "loaded_by": actor}, project_code=None,
                regulation_version=None, articles=[])
    return {"year": data["year"], "holidays": len(data["holidays"]),
            "workdays": len(data["workdays"])}
