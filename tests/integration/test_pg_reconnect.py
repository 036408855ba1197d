"""PostgreSQL connections without a ping per checkout (issue 19): a pooled connection the server
dropped while it sat idle is replaced before use, and a drop met in use costs that one statement
only — the pool is invalidated, the next transaction gets a new connection."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from shared.persistence import create_engine_for

pytestmark = pytest.mark.integration


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def _terminate(admin_url: str, pid: int) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_no_pre_ping_on_postgresql(postgres_urls):
    engine = create_engine_for(postgres_urls["finance"])
    try:
        assert engine.pool._pre_ping is False
        assert engine.pool._recycle > 0
    finally:
        engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_urls, infrastructure):
    engine = create_engine_for(postgres_urls["finance"], idle_check=0)  # every rest is "long"
    try:
        first = _backend_pid(engine)
        _terminate(infrastructure.pg_uri, first)
        with engine.begin() as conn:  # no error: the dead connection was replaced
            assert conn.scalar(text("SELECT pg_backend_pid()")) != first
            # and no transaction was left open by the check: an isolation level can be set
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            assert conn.scalar(text("SELECT 1")) == 1
    finally:
        engine.dispose()


def test_a_drop_met_in_use_fails_that_statement_only(postgres_urls, infrastructure):
    engine = create_engine_for(postgres_urls["finance"])  # rested too briefly to be checked
    try:
        first = _backend_pid(engine)
        _terminate(infrastructure.pg_uri, first)
        with pytest.raises(OperationalError) as failed, engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        with engine.begin() as conn:  # the next one reconnects
            assert conn.scalar(text("SELECT pg_backend_pid()")) != first
    finally:
        engine.dispose()
