"""Health of one service process, over HTTP, for Kubernetes' probes (issue 17).

- ``GET /health/live``: 200 while the container's event loop runs (the answer itself proves it).
- ``GET /health/ready``: 200 only when this process's consumers are attached (its RPC queue and
  its event queues, on a live broker connection), its database answers, and its outbox relay is
  not stuck (running, and no committed event older than ``OUTBOX_STUCK_SECONDS``, default 120,
  still unpublished); else 503 with a JSON body naming each failing check and why. A stopping
  process (SIGTERM) is not ready.
- ``GET /metrics``: the Prometheus exposition (``shared.observability``).

The entrypoints are nameko's own ``http``, on ``WEB_SERVER_ADDRESS`` (default ``0.0.0.0:8000``).
The rules are functions of what was observed, tested at their edges in
``tests/unit/test_health.py``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from shared import observability

log = logging.getLogger(__name__)

DEFAULT_OUTBOX_STUCK_SECONDS = 120.0
DATABASE_TIMEOUT_SECONDS = 3.0


def outbox_check(
    *,
    relay_enabled: bool,
    relay_running: bool,
    pending: int,
    oldest_age_seconds: float | None,
    stuck_after: float,
    last_error: str | None,
) -> tuple[bool, dict[str, Any]]:
    """The relay is stuck when it should run and does not, or when the oldest committed event
    still waiting is older than ``stuck_after`` seconds (exactly ``stuck_after`` is not yet)."""
    detail: dict[str, Any] = {
        "pending": pending,
        "oldest_pending_age_seconds": round(oldest_age_seconds or 0.0, 1),
    }
    if last_error:
        detail["last_error"] = last_error
    if not relay_enabled:
        return True, {**detail, "relay": "disabled (OUTBOX_RELAY false)"}
    if not relay_running:
        return False, {**detail, "reason": "the outbox relay is not running / 发件箱转发未运行"}
    if pending and oldest_age_seconds is not None and oldest_age_seconds > stuck_after:
        return False, {
            **detail,
            "reason": (
                f"an event committed {oldest_age_seconds:.0f} s ago is still unpublished (limit "
                f"{stuck_after:g} s, OUTBOX_STUCK_SECONDS) / 发件箱事件积压超时未发布"
            ),
        }
    return True, detail


def age_seconds(moment: datetime | None, now: datetime | None = None) -> float | None:
    """Seconds since ``moment`` (a naive one, as SQLite returns it, is UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds())


def verdict(service: str, checks: dict[str, tuple[bool, Any]]) -> tuple[int, dict[str, Any]]:
    """200 when every check passed, else 503 naming each that failed."""
    failing = {name: detail for name, (ok, detail) in checks.items() if not ok}
    body: dict[str, Any] = {
        "service": service,
        "status": "unavailable" if failing else "ready",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    if failing:
        body["failing"] = sorted(failing)
    return (503 if failing else 200), body


def consumers_check(container: Any) -> tuple[bool, Any]:
    from shared.messaging.reliable import AttachedQueueConsumer

    consumers = [ext for ext in container.subextensions if isinstance(ext, AttachedQueueConsumer)]
    if not consumers:
        return False, "no consumers / 无消费者"
    detached = {type(c).__name__: c.detached_reason for c in consumers if not c.attached}
    if detached:
        return False, detached
    return True, {type(c).__name__: "attached" for c in consumers}


def database_check(engine: Engine) -> tuple[bool, Any]:
    try:
        with eventlet.Timeout(DATABASE_TIMEOUT_SECONDS):
            with Session(engine) as session:
                session.execute(text("SELECT 1"))
    except eventlet.Timeout:
        return False, f"no answer within {DATABASE_TIMEOUT_SECONDS:g} s / 数据库无响应"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {str(exc)[:300]}"
    return True, engine.dialect.name


def json_response(status: int, body: Any) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


class Probes(DependencyProvider):
    """``self.probes``: this process's readiness and metrics, from its container (consumers),
    its ``Database`` (engine, outbox relay) and the service's ``metrics_hooks``."""

    def setup(self) -> None:
        config = self.container.config
        self.stuck_after = float(config.get("OUTBOX_STUCK_SECONDS") or DEFAULT_OUTBOX_STUCK_SECONDS)
        # a line per probe and scrape (every few seconds) says nothing: only its problems
        logging.getLogger("nameko.web.server").setLevel(logging.WARNING)

    def _database(self) -> Any:
        from shared.platform import Database

        return next(d for d in self.container.dependencies if isinstance(d, Database))

    def outbox(self) -> tuple[bool, Any]:
        from shared.messaging.outbox import backlog

        db = self._database()
        pending, oldest = backlog(db.engine, db.tables.outbox)
        age = age_seconds(oldest)
        observability.observe_outbox(self.container.service_name, pending, age)
        thread = db.relay_thread
        return outbox_check(
            relay_enabled=db.relay_enabled,
            relay_running=thread is not None and not thread.dead,
            pending=pending,
            oldest_age_seconds=age,
            stuck_after=self.stuck_after,
            last_error=db.loop.last_error,
        )

    def ready(self) -> tuple[int, dict[str, Any]]:
        service = self.container.service_name
        checks: dict[str, tuple[bool, Any]] = {}
        if getattr(self.container, "stopping", False):
            checks["lifecycle"] = (False, "stopping (SIGTERM) / 正在停止")
        checks["consumers"] = consumers_check(self.container)
        checks["database"] = database_check(self._database().engine)
        if checks["database"][0]:
            try:
                checks["outbox"] = self.outbox()
            except Exception as exc:
                checks["outbox"] = (False, f"{type(exc).__name__}: {str(exc)[:300]}")
        else:
            checks["outbox"] = (False, "unknown: the database does not answer")
        status, body = verdict(service, checks)
        observability.READY.labels(service).set(1 if status == 200 else 0)
        return status, body

    def metrics(self, hooks: Iterable[Callable[[Any], None]], service_instance: Any) -> tuple[bytes, str]:
        """Scrape-time gauges (outbox, the service's hooks), then the exposition."""
        try:
            self.outbox()
            for hook in hooks:
                hook(service_instance)
        except Exception:
            log.warning("metrics: a scrape-time gauge failed", exc_info=True)
        return observability.exposition()

    def get_dependency(self, worker_ctx: Any) -> Probes:
        return self
