"""End to end: the services as real processes (``nameko run``), driven over the bus."""

import os
import signal
import subprocess
import sys

import pytest
from nameko.exceptions import RpcTimeout

from services.planning.models import platform as planning_tables
from shared.cli import REPO_ROOT, start_service
from shared.config import SERVICES
from shared.testing import (
    PLAN_ITEM,
    broker_env,
    complete_application,
    outbox_rows,
    plan_in_force,
    rpc_proxy,
    unit_identity,
    wait_for,
)

pytestmark = pytest.mark.e2e

PROJECT = {
    "name": "电子证照共享系统",
    "kind": "construction",
    "level": "province",
    "budget": {"total": "880000.00"},
    "plan_item": PLAN_ITEM,
}


class Suite:
    def __init__(self, amqp_uri, urls, tmp_path):
        self.amqp_uri, self.urls, self.tmp = amqp_uri, urls, tmp_path
        self.procs: dict[str, subprocess.Popen] = {}

    def env(self, **extra):
        env = {"AMQP_URI": self.amqp_uri, "LOG_LEVEL": "WARNING", **extra}
        env.update({f"{s.upper()}_DB_URI": url for s, url in self.urls.items()})
        return env

    def start(self, service, **extra):
        """``nameko run`` as the service's own broker user (the administrator only operates)."""
        log = open(self.tmp / f"{service}.log", "ab")
        env = self.env(**{**broker_env(self.amqp_uri, service), **extra})
        self.procs[service] = start_service(service, env, stdout=log, stderr=log)
        return self.procs[service]

    def stop(self, service, sig=signal.SIGTERM):
        proc = self.procs.pop(service)
        proc.send_signal(sig)
        proc.wait(20)

    def status(self):
        return subprocess.run(
            [sys.executable, "-m", "shared.cli", "status", "--timeout", "3"],
            cwd=REPO_ROOT,
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def stop_all(self):
        for service in list(self.procs):
            self.stop(service, signal.SIGKILL)


@pytest.fixture
def suite(amqp_uri, sqlite_urls, tmp_path):
    running = Suite(amqp_uri, sqlite_urls, tmp_path)
    yield running
    running.stop_all()


def ready(suite, service):
    try:
        with rpc_proxy(suite.amqp_uri, timeout=2) as cluster:
            return getattr(cluster, service).health()["status"] == "ok"
    except Exception:
        return False


def cases(suite, code=None):
    with rpc_proxy(suite.amqp_uri) as cluster:
        return cluster.approval.list_review_cases(code)


def test_status_reports_every_service_and_fails_when_one_is_down(suite):
    for service in SERVICES:
        suite.start(service)
    for service in SERVICES:
        wait_for(lambda s=service: ready(suite, s), timeout=60, message=f"{service} up")
    result = suite.status()
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(f"{s:12} up" in result.stdout for s in SERVICES)

    suite.stop("finance")
    result = suite.status()
    assert result.returncode == 1
    assert "finance      DOWN" in result.stdout
    assert "planning     up" in result.stdout


def test_crash_after_commit_before_publish_loses_nothing(suite):
    """(c) a real crash: planning dies right after committing the submission."""
    suite.start("approval")
    planning = suite.start("planning", GOVPROJ_FAILPOINTS="after_commit")
    wait_for(lambda: ready(suite, "planning") and ready(suite, "approval"), timeout=60, message="services up")
    plan_in_force(suite.amqp_uri)
    with rpc_proxy(suite.amqp_uri, timeout=3, identity=unit_identity("U-370100-009")) as cluster:
        code = cluster.planning.register_project(PROJECT)["code"]
        complete_application(cluster.planning, code)
        with pytest.raises(RpcTimeout):  # the process dies before it can answer
            cluster.planning.submit_application(code)
    assert planning.wait(20) == 86
    suite.procs.pop("planning")

    [row] = outbox_rows(suite.urls["planning"], planning_tables, "application_submitted")
    assert row.published_at is None  # committed, never published
    assert cases(suite, code) == []

    suite.start("planning")
    wait_for(lambda: cases(suite, code), timeout=60, message="case after restart")
    assert len(cases(suite, code)) == 1


def test_consumer_killed_mid_stream_catches_up_exactly_once(suite):
    """kill -9 the consumer while events flow: redeliveries are absorbed, none is lost."""
    suite.start("planning")
    suite.start("approval")
    wait_for(lambda: ready(suite, "planning") and ready(suite, "approval"), timeout=60, message="services up")
    codes = []
    plan_in_force(suite.amqp_uri)
    with rpc_proxy(suite.amqp_uri, identity=unit_identity("U-370100-010")) as cluster:
        for i in range(20):
            code = cluster.planning.register_project(PROJECT)["code"]
            complete_application(cluster.planning, code)
            cluster.planning.submit_application(code)
            codes.append(code)
            if i == 5:
                suite.stop("approval", signal.SIGKILL)
    suite.start("approval")
    wait_for(lambda: len(cases(suite)) == 20, timeout=60, message="twenty cases")
    assert sorted(c["project_code"] for c in cases(suite)) == sorted(codes)
