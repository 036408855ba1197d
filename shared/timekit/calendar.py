"""The official Chinese working-day calendar: weekends, public holidays and adjusted working days (调休).

Years published by the State Council come from ``chinese_calendar`` (2004 to its last year);
an operator loads a newer notice with ``load_year``. A date in a year nobody has published is
answered by the weekend rule and flagged *provisional* — never silently treated as known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)  # weekdays off
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days worked (调休)
    source: str = "operator"

    def __post_init__(self) -> None:
        stray = [d for d in self.holidays | self.workdays if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)}")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {sorted(both)}")


class WorkingCalendar:
    def __init__(self, schedules: Iterable[YearSchedule] = ()) -> None:
        self._years: dict[int, YearSchedule] = {}
        for schedule in schedules:
            self.load_year(schedule)

    def load_year(self, schedule: YearSchedule) -> None:
        """Install (or replace) a year's official schedule."""
        self._years[schedule.year] = schedule

    def known_years(self) -> list[int]:
        return sorted(self._years)

    def is_published(self, year: int) -> bool:
        return year in self._years

    def is_workday(self, day: date) -> bool:
        schedule = self._years.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> tuple[date, bool]:
        """The ``days``-th working day after ``start``; and whether an unpublished year was crossed."""
        if days < 0:
            raise ValueError("days must be >= 0")
        current, provisional, counted = start, False, 0
        while counted < days:
            current += timedelta(days=1)
            provisional |= not self.is_published(current.year)
            if self.is_workday(current):
                counted += 1
        return current, provisional


def _chinese_calendar_years() -> list[YearSchedule]:
    import chinese_calendar
    from chinese_calendar.constants import holidays, workdays

    years = sorted({d.year for d in holidays} | {d.year for d in workdays})
    last = max(y for y in years if _supported(chinese_calendar, y))
    schedules = []
    for year in range(min(years), last + 1):
        schedules.append(
            YearSchedule(
                year=year,
                holidays=frozenset(d for d in holidays if d.year == year and d.weekday() < 5),
                workdays=frozenset(d for d in workdays if d.year == year),
                source="chinese_calendar",
            )
        )
    return schedules


def _supported(module: Any, year: int) -> bool:
    try:
        module.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def official_calendar(extra: Iterable[YearSchedule] = ()) -> WorkingCalendar:
    """The published schedules, then operator-loaded years on top (a newer notice wins)."""
    calendar = WorkingCalendar(_chinese_calendar_years())
    for schedule in extra:
        calendar.load_year(schedule)
    return calendar
