"""Structured JSON logs carrying the project code, correlation id and trace id of the work in hand.

The context lives in a ``ContextVar``; greenlets each have their own context, so every nameko
worker sees only what its own entrypoint set (see ``shared.platform.LogContext``).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from shared import tracing

_context: ContextVar[dict[str, Any] | None] = ContextVar("govproj_log_context", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def bind(**fields: Any) -> None:
    """Attach fields (project_code, correlation_id, ...) to every log line of this worker."""
    _context.set({**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}})


def clear() -> None:
    _context.set({})


def current() -> dict[str, Any]:
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "", **kwargs: Any) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "service": self.service,
            "message": record.getMessage(),
        }
        entry.update(_context.get() or {})
        ids = tracing.current_ids()  # W3C trace context of the work in hand (issue 17)
        if ids is not None:
            entry.setdefault("trace_id", ids[0])
            entry.setdefault("span_id", ids[1])
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
