"""The clock every rule asks for "today". Real in production; simulated for tests and demos.

Dates are the civil date in China (Asia/Shanghai), whatever the host's timezone.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    simulated: bool

    def today(self) -> date: ...

    def now(self) -> datetime: ...


class RealClock:
    simulated = False

    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        return datetime.now(CHINA)


class SimulatedClock:
    """Today is whatever ``source()`` says (an operator-set date); the time of day runs on.

    ``source`` returns ``None`` until a date has been set, and then the real date is used.
    """

    simulated = True

    def __init__(self, source: Callable[[], date | None]) -> None:
        self._source = source

    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        real = datetime.now(CHINA)
        simulated = self._source()
        if simulated is None:
            return real
        return datetime.combine(simulated, real.timetz())


def fixed(day: date) -> SimulatedClock:
    """A clock stuck on ``day`` (noon), for unit tests."""
    clock = SimulatedClock(lambda: day)
    clock.now = lambda: datetime.combine(day, time(12, tzinfo=CHINA))  # type: ignore[method-assign]
    return clock
