"""Engines that are safe under eventlet.

- ``postgresql://`` maps to psycopg 3 on SQLAlchemy 2.1, which blocks the eventlet hub
  (ENGINEERING §1): we use ``postgresql+psycopg2://``, which ``eventlet.monkey_patch()`` makes green.
- SQLite writers waiting in SQLite's C busy handler freeze the hub: every write transaction takes
  the engine's lock first (green once eventlet has patched ``threading``), WAL lets readers go on.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

_LOCKS: dict[int, threading.RLock] = {}


class DatabaseConfigError(ValueError):
    pass


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgresql":
        if driver and driver != "psycopg2":
            raise DatabaseConfigError(
                f"driver {driver!r} blocks the eventlet hub; use postgresql+psycopg2://")
        return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    if backend != "sqlite":
        raise DatabaseConfigError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return url


def create_engine_for(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's legacy transaction handling starts transactions only before DML; begin
        # them ourselves so reads inside a transaction see one snapshot (SQLAlchemy's recipe).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)
    _LOCKS[id(engine)] = threading.RLock()
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see "begin" above)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_lock(engine: Engine) -> threading.RLock:
    """The lock serialising write transactions on a SQLite engine (a no-op need on PostgreSQL)."""
    return _LOCKS.setdefault(id(engine), threading.RLock())
