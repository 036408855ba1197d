"""Deadline arithmetic: working days, calendar months (month-end clamped) and month windows."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date

from shared.timekit.calendar import WorkingCalendar


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool = False  # computed across a year whose official schedule is unpublished

    def is_missed(self, today: date) -> bool:
        return today > self.due

    def as_dict(self) -> dict:
        return {"due": self.due.isoformat(), "provisional": self.provisional}


@dataclass(frozen=True)
class Window:
    opens: date
    closes: date

    def position(self, day: date) -> str:
        """'early', 'open' or 'late' — both ends inclusive."""
        if day < self.opens:
            return "early"
        if day > self.closes:
            return "late"
        return "open"


def add_working_days(calendar: WorkingCalendar, start: date, days: int) -> Deadline:
    due, provisional = calendar.add_working_days(start, days)
    return Deadline(due, provisional)


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 31 Aug + 3 → 30 Nov; 30 Nov 2023 + 3 → 29 Feb 2024."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, _cal.monthrange(year, month)[1]))


def months_window(start: date, opens_months: int, closes_months: int) -> Window:
    if opens_months > closes_months:
        raise ValueError("a window must open before it closes")
    return Window(add_months(start, opens_months), add_months(start, closes_months))
