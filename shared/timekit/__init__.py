"""Time: an injectable clock, the official working-day calendar and deadline arithmetic."""

from shared.timekit.calendar import WorkingCalendar, YearSchedule, official_calendar
from shared.timekit.clock import Clock, RealClock, SimulatedClock
from shared.timekit.deadlines import Deadline, Window, add_months, add_working_days, months_window

__all__ = [
    "Clock",
    "RealClock",
    "SimulatedClock",
    "WorkingCalendar",
    "YearSchedule",
    "official_calendar",
    "Deadline",
    "Window",
    "add_months",
    "add_working_days",
    "months_window",
]
