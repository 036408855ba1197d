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


def clock_everywhere(rpc, result: Any, timeout: float) -> None:
    """Every service's ``today`` is the date just set, within ``timeout`` seconds; else 503
    naming each service that has not got it and why (down, or still on another day)."""
    day, waiting, why = result["today"], set(SERVICES), {}
    deadline = time.monotonic() + timeout
    while True:
        for service in sorted(waiting):
            try:
                today = rpc.call(service, "health", timeout=2)["today"]
            except (ServiceUnavailable, RemoteError) as exc:
                why[service] = f"unavailable: {getattr(exc, 'reason', exc)}"
                continue
            if today == day:
                waiting.discard(service)
            else:
                why[service] = f"still on {today}"
        if not waiting:
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    names = ", ".join(sorted(waiting))
    raise NotEverywhereYet(
        f"the clock is set to {day}, but not every service has it yet: {names} (ask again "
        "with the same Idempotency-Key)",
        f"模拟时钟已设为 {day}，但以下服务尚未同步：{names}（可使用相同的 Idempotency-Key 重试查询）",
        details={"today": day, "services": {s: why.get(s, "no answer") for s in sorted(waiting)}},
    )
