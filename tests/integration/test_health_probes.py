"""A service's own readiness over HTTP (issue 17), on a real broker and PostgreSQL: ready when its
consumers are attached, its database answers and its outbox drains; 503 naming the database when
it stops answering, the outbox when an event stays unpublished past OUTBOX_STUCK_SECONDS; ready
again once they recover. /metrics says the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from nameko.web.server import WebServer
from sqlalchemy import create_engine, delete, insert, text
from sqlalchemy.engine import make_url

from services.finance.models import platform
from shared.testing import wait_for

pytestmark = pytest.mark.integration


def base_url(container) -> str:
    server = next(e for e in container.subextensions if isinstance(e, WebServer))
    return f"http://127.0.0.1:{server._sock.getsockname()[1]}"


def ready(url: str) -> requests.Response:
    return requests.get(url + "/health/ready", timeout=10)


def ready_as(url: str, status: int, message: str) -> dict:
    """The readiness body once it answers ``status`` (a Response is falsy when not ok)."""
    return wait_for(
        lambda: (r := ready(url)).status_code == status and [r.json()], timeout=30, message=message
    )[0]


def connections(infrastructure, database: str, allowed: bool) -> None:
    """Let the database take connections, or refuse them and end those it has."""
    admin = create_engine(infrastructure.pg_uri, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {"true" if allowed else "false"}')
            )
            if not allowed:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                    {"d": database},
                )
    finally:
        admin.dispose()


def test_ready_names_the_database_and_the_stuck_outbox_then_recovers(
    amqp_uri, postgres_urls, start_service, infrastructure
):
    db_url = postgres_urls["finance"]
    url = base_url(start_service("finance", db_url, OUTBOX_STUCK_SECONDS=1))
    live = requests.get(url + "/health/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"service": "finance", "status": "alive"}
    body = ready_as(url, 200, "finance ready")
    assert body["checks"]["consumers"]["ok"] and body["checks"]["database"]["ok"]

    database = make_url(db_url).database
    connections(infrastructure, database, allowed=False)
    try:
        body = ready_as(url, 503, "not ready without its database")
        assert "database" in body["failing"] and body["checks"]["database"]["ok"] is False
        assert requests.get(url + "/metrics", timeout=10).status_code == 200
    finally:
        connections(infrastructure, database, allowed=True)
    ready_as(url, 200, "ready again")

    # an event committed two seconds ago that cannot be published (an event type finance does
    # not publish; the relay keeps it with its error): the outbox is stuck
    engine = create_engine(db_url)
    message_id = uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            insert(platform.outbox).values(
                message_id=message_id,
                exchange="finance.events",
                routing_key="no_such_event",
                body="{}",
                project_code=None,
                correlation_id=message_id,
                created_at=datetime.now(UTC) - timedelta(seconds=2),
            )
        )
    try:
        body = ready_as(url, 503, "not ready with a stuck outbox")
        assert body["failing"] == ["outbox"]
        assert "OUTBOX_STUCK_SECONDS" in body["checks"]["outbox"]["detail"]["reason"]
        metrics = requests.get(url + "/metrics", timeout=10).text
        assert 'govproj_outbox_backlog{service="finance"} 1.0' in metrics
        assert 'govproj_ready{service="finance"} 0.0' in metrics
    finally:
        with engine.begin() as conn:
            conn.execute(delete(platform.outbox).where(platform.outbox.c.message_id == message_id))
        engine.dispose()
    ready_as(url, 200, "ready once it drained")
