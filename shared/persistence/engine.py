"""Engines that are safe under eventlet.

- ``postgresql://`` maps to psycopg 3 on SQLAlchemy 2.1, which blocks the eventlet hub
  (docs/architecture.md §1): we use ``postgresql+psycopg2://``, which ``eventlet.monkey_patch()`` makes green.
- SQLite writers waiting in SQLite's C busy handler freeze the hub: every write transaction takes
  the engine's lock first (green once eventlet has patched ``threading``), WAL lets readers go on.
- PostgreSQL connections are not pinged at every checkout (``pool_pre_ping`` cost a round trip
  per transaction, three per event on the reliable path — issue 19). Instead: a connection that
  sat idle in the pool longer than ``IDLE_CHECK_SECONDS`` is checked before use and replaced if
  the server dropped it (the pool retries the checkout with a new connection); connections are
  recycled after ``RECYCLE_SECONDS``; and a disconnect met in use invalidates the whole pool
  (SQLAlchemy's default), so after a database restart only the statements in flight fail —
  a handler's failure is retried through its delay queue, the relay's on its next pass.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url

log = logging.getLogger(__name__)

_LOCKS: dict[int, threading.RLock] = {}

IDLE_CHECK_SECONDS = 10.0  # a PostgreSQL connection idle this long is checked before use
RECYCLE_SECONDS = 1800  # and none is used longer than this


class DatabaseConfigError(ValueError):
    pass


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgresql":
        if driver and driver != "psycopg2":
            raise DatabaseConfigError(
                f"driver {driver!r} blocks the eventlet hub; use postgresql+psycopg2://"
            )
        return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    if backend != "sqlite":
        raise DatabaseConfigError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return url


def create_engine_for(url: str, idle_check: float = IDLE_CHECK_SECONDS, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's legacy transaction handling starts transactions only before DML; begin
        # them ourselves so reads inside a transaction see one snapshot (SQLAlchemy's recipe).
        # A write transaction (``writer``) takes the file's write lock at once: with another
        # process on the file (supervision's audit-trail process), a read snapshot upgraded
        # to a write after that process committed would fail with SQLITE_BUSY instead of waiting.
        event.listen(engine, "begin", _sqlite_begin)
    else:
        kwargs.setdefault("pool_recycle", RECYCLE_SECONDS)
        engine = create_engine(url, pool_size=10, max_overflow=10, **kwargs)
        event.listen(engine, "checkin", _idle_since)
        event.listen(
            engine,
            "checkout",
            lambda dbapi_conn, record, _proxy: _check_if_idle(dbapi_conn, record, idle_check),
        )
    _LOCKS[id(engine)] = threading.RLock()
    return engine


def _idle_since(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _check_if_idle(dbapi_conn: Any, record: Any, idle_check: float) -> None:
    """A connection back from a long rest is asked once whether it still lives; a dead one
    raises DisconnectionError, on which the pool discards it and checks out a new one."""
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < idle_check:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()  # leave no transaction open (isolation levels are set after)
    except Exception as error:
        log.info(
            "a pooled database connection was dropped while idle; reconnecting", extra={"error": str(error)}
        )
        raise exc.DisconnectionError(str(error)) from error


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see "begin" above)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


_WRITE = "govproj_write"


def writer(engine: Engine) -> Engine:
    """The engine for write transactions: on SQLite they begin IMMEDIATE (the write lock first,
    waiting up to the busy timeout for another process's); elsewhere the engine itself."""
    if not is_sqlite(engine):
        return engine
    found: Engine | None = getattr(engine, "_govproj_writer", None)
    if found is None:
        found = engine.execution_options(**{_WRITE: True})
        setattr(engine, "_govproj_writer", found)  # noqa: B010 (an attribute Engine does not declare)
    return found


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write_lock(engine: Engine) -> threading.RLock:
    """The lock serialising write transactions on a SQLite engine (a no-op need on PostgreSQL)."""
    return _LOCKS.setdefault(id(engine), threading.RLock())
