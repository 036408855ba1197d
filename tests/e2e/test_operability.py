"""Operable on Kubernetes, the runtime half (issue 17), on the suite as processes (``nameko run``
and gunicorn, as the Deployments run them):

- each service answers its own ``/health/live``, ``/health/ready`` and ``/metrics``, and stops
  being ready when its database is gone; the gateway's ``/readyz`` and ``/metrics``;
- one request's effects share its trace id across agencies (the envelope the audit trail keeps);
- SIGTERM mid-stream — commands and events flowing — to a consumer and to a command service: each
  exits 0 within its grace period with no traceback, leaves no committed event unpublished, and
  after its restart nothing is lost and nothing done twice.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections import Counter

import pytest
import requests
from sqlalchemy import create_engine, text

from shared.config import SERVICES
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370600-001"
TRACE_ID = uuid.uuid4().hex
TRACEPARENT = f"00-{TRACE_ID}-{uuid.uuid4().hex[:16]}-01"


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("ops"), RPC_TIMEOUT="4") as s:
        yield s


def rows(stack, service: str, sql: str, **params) -> list:
    engine = create_engine(stack.urls[service])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def metric(body: str, name: str, **labels) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def register(stack, name: str, key: str, headers: dict | None = None) -> requests.Response:
    return stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={"name": name, "kind": "construction", "level": "province", "budget": {"total": "100.00"}},
        headers={"Idempotency-Key": key, **(headers or {})},
    )


def test_each_service_answers_its_probes_and_metrics_and_one_trace_spans_the_agencies(stack):
    for service in SERVICES:
        live = requests.get(stack.service_url(service, "/health/live"), timeout=10)
        assert live.status_code == 200 and live.json()["service"] == service
        ready = requests.get(stack.service_url(service, "/health/ready"), timeout=10)
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) >= {"consumers", "database", "outbox"}

    r = register(stack, "可观测性项目", uuid.uuid4().hex, {"traceparent": TRACEPARENT})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    # the audit trail keeps every envelope as published: the registration carries the trace
    envelope = wait_for(
        lambda: rows(
            stack,
            "supervision",
            "SELECT body FROM audit_ledger WHERE project_code = :c AND event_type = 'project_registered'",
            c=code,
        ),
        timeout=30,
        message="the registration audited",
    )
    traceparent = json.loads(envelope[0].body)["traceparent"]
    assert traceparent.split("-")[1] == TRACE_ID

    wait_for(
        lambda: rows(stack, "acceptance", "SELECT 1 FROM known_projects WHERE project_code = :c", c=code),
        timeout=30,
        message="acceptance knows it",
    )
    planning = requests.get(stack.service_url("planning", "/metrics"), timeout=10).text
    assert metric(planning, "govproj_rpc_seconds_count", service="planning", outcome="ok") >= 1
    assert 'govproj_outbox_backlog{service="planning"}' in planning
    acceptance = requests.get(stack.service_url("acceptance", "/metrics"), timeout=10).text
    assert (
        metric(
            acceptance, "govproj_events_handled_total", service="acceptance", event_type="project_registered"
        )
        >= 1
    )
    assert (
        metric(
            acceptance,
            "govproj_event_handler_seconds_count",
            service="acceptance",
            event_type="project_registered",
        )
        >= 1
    )
    supervision = requests.get(stack.service_url("supervision", "/metrics"), timeout=10).text
    assert "govproj_deadlines" in supervision and "govproj_ready" in supervision

    gateway = requests.get(stack.api.replace("/api/v1", "/metrics"), timeout=10).text
    assert (
        metric(
            gateway, "govproj_gateway_requests_total", method="POST", route="/api/v1/projects", status="201"
        )
        >= 1
    )
    assert metric(gateway, "govproj_gateway_request_seconds_count", route="/api/v1/projects") >= 1
    assert code not in gateway  # by route template, never by project
    readyz = requests.get(stack.api.replace("/api/v1", "/readyz"), timeout=10)
    assert readyz.status_code == 200 and readyz.json()["missing"] == {}


class Registrations(threading.Thread):
    """A client registering projects one after another, each with its own Idempotency-Key,
    asking again with the same key (as a client should) until the answer is 201."""

    def __init__(self, stack, count: int) -> None:
        super().__init__(daemon=True)
        self.stack, self.count = stack, count
        self.done: list[str] = []  # names registered (201)
        self.retries = Counter()

    def run(self) -> None:
        for i in range(self.count):
            name, key = f"停机注册-{i}", f"sigterm-{i}-{uuid.uuid4().hex[:8]}"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    status = register(self.stack, name, key).status_code
                except requests.RequestException:
                    status = "error"
                if status == 201:
                    self.done.append(name)
                    break
                self.retries[status] += 1
                time.sleep(0.2)
            time.sleep(0.05)


def sigterm(stack, service: str) -> tuple[int, str]:
    """SIGTERM as Kubernetes sends it; → (the exit code, within the 30 s grace period, and what
    the process wrote from the signal on)."""
    log = stack.workdir / f"{service}.log"
    offset = log.stat().st_size
    proc = stack.procs.pop(service)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(30)
    with open(log, "rb") as fh:
        fh.seek(offset)
        return code, fh.read().decode(errors="replace")


def test_sigterm_mid_stream_exits_0_without_traceback_and_loses_or_doubles_nothing(stack):
    client = Registrations(stack, 40)
    client.start()
    wait_for(lambda: len(client.done) >= 8, timeout=60, message="registrations flowing")

    # a consumer, while project_registered events arrive
    code, said = sigterm(stack, "acceptance")
    assert code == 0 and "Traceback" not in said and "re-send()" not in said, said[-3000:]
    stack.start("acceptance")
    wait_for(lambda: len(client.done) >= 18, timeout=90, message="more registrations")

    # the command service, while commands arrive and its relay publishes
    code, said = sigterm(stack, "planning")
    assert code == 0 and "Traceback" not in said and "re-send()" not in said, said[-3000:]
    unpublished = rows(stack, "planning", "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")[0].n
    assert unpublished == 0  # the relay flushed what the finished commands committed
    stack.start("planning")

    client.join(240)
    assert not client.is_alive() and len(client.done) == 40, (len(client.done), client.retries)
    wait_for(stack.ready, timeout=60, interval=0.5, message="the stack back")

    # nothing lost, nothing twice: each registration once in planning, known once in acceptance
    registered = rows(stack, "planning", "SELECT code, name FROM projects WHERE name LIKE '停机注册-%'")
    assert Counter(r.name for r in registered) == Counter(client.done)
    codes = {r.code for r in registered}

    def known() -> set[str]:
        return {
            r.project_code for r in rows(stack, "acceptance", "SELECT project_code FROM known_projects")
        } & codes

    wait_for(lambda: known() == codes, timeout=60, message="acceptance learned every project")
    handled = Counter(
        r.message_id
        for r in rows(
            stack,
            "acceptance",
            "SELECT message_id FROM processed_messages WHERE event_type = 'project_registered'",
        )
    )
    assert all(n == 1 for n in handled.values())
