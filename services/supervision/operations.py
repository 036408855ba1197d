"""Operator commands on the suite's time (API.md "Operations"): published for every service."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from shared.errors import RuleViolation, StateConflict, ValidationFailed
from shared.persistence.store import Store
from shared.timekit import YearSchedule


class _Today(Schema):
    today = fields.Date(required=True)


class _Schedule(Schema):
    year = fields.Integer(required=True)
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)


def set_clock(store: Store, simulated: bool, today: str, actor: str) -> dict:
    if not simulated:
        raise StateConflict("the clock can only be set when the suite runs with "
                            "GOVPROJ_CLOCK=simulated",
                            "仅在模拟时钟模式（GOVPROJ_CLOCK=simulated）下可设置日期")
    try:
        day = _Today().load({"today": today})["today"]
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow(exc.messages) from None
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
