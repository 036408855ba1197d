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


# what a person who tries to set the real clock is told, by the gateway and by supervision
REAL_CLOCK_EN = (
    "the suite runs on the real clock, whose date cannot be set: start it in "
    "simulated mode (GOVPROJ_CLOCK=simulated make run; CLOCK: simulated in each "
    "service's config), then `govproj clock set YYYY-MM-DD` as an operator"
)
REAL_CLOCK_ZH = (
    "系统使用真实时钟，不能设置日期：请以模拟时钟模式启动（GOVPROJ_CLOCK=simulated make run；"
    "或在各服务配置中设置 CLOCK: simulated），再以运维人员身份执行 "
    "govproj clock set YYYY-MM-DD"
)


class SimulatedClock:
    """Today is whatever ``source()`` says (an operator-set date); the time of day runs on.

    ``source`` returns ``None`` until a date has been set, and then the real date is used.
    """

    simulated = True

    def __init__(self, source: Callable[[], date | None]) -> None:
        self._source = source

    def today(self) -> date:
        return self.now().date()

    def set_day(self) -> date | None:
        """The day an operator set, or None while none was (the real date then runs)."""
        return self._source()

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
