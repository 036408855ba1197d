"""Writes whose effect the other services take on from an event, answered once they have it.

``POST /admin/clock`` is a command to supervision, which publishes ``clock_set`` to every
service; the operator's answer waits until each service's health reports the new date, or says
which have not (503) — a retry with the same Idempotency-Key re-runs nothing and asks again."""

from __future__ import annotations

import time
from typing import Any

from services.gateway.rpc import RemoteError, ServiceUnavailable
from shared.config import SERVICES
from shared.errors import GovprojError

POLL_SECONDS = 0.1


class NotEverywhereYet(GovprojError):
    code = "service_unavailable"


def lagging(day: str, answers: dict[str, str | Exception]) -> dict[str, str]:
    """The services whose health did not report ``day`` (``answers``: each service's ``today``,
    or the error asking it raised), each with why: down, or still on another day."""
    why = {}
    for service, answer in sorted(answers.items()):
        if isinstance(answer, Exception):
            why[service] = f"unavailable: {getattr(answer, 'reason', answer)}"
        elif answer != day:
            why[service] = f"still on {answer}"
    return why


def not_everywhere(day: str, why: dict[str, str]) -> NotEverywhereYet:
    """The 503 naming each service that has not got the date, and why."""
    names = ", ".join(sorted(why))
    return NotEverywhereYet(
        f"the clock is set to {day}, but not every service has it yet: {names} (ask again "
        "with the same Idempotency-Key)",
        f"模拟时钟已设为 {day}，但以下服务尚未同步：{names}（可使用相同的 Idempotency-Key 重试查询）",
        details={"today": day, "services": dict(sorted(why.items()))},
    )


def _today_of(rpc, service: str) -> str | Exception:
    try:
        return rpc.call(service, "health", timeout=2)["today"]
    except (ServiceUnavailable, RemoteError) as exc:
        return exc


def clock_everywhere(rpc, result: Any, timeout: float) -> None:
    """Every service's ``today`` is the date just set, within ``timeout`` seconds; else 503
    naming each service that has not got it and why (down, or still on another day)."""
    day, waiting = result["today"], list(SERVICES)
    deadline = time.monotonic() + timeout
    while True:
        why = lagging(day, {service: _today_of(rpc, service) for service in waiting})
        if not why:
            return
        if time.monotonic() >= deadline:
            raise not_everywhere(day, why)
        waiting = list(why)  # ask again only those that have not got it
        time.sleep(POLL_SECONDS)
