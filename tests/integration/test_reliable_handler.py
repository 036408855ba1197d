"""Retries with backoff, exhaustion and permanent refusals of the reliable handler; the clock."""

import time

import pytest

from services.finance.service import FinanceService
from shared.errors import PermanentError
from shared.messaging.reliable import reliable_handler
from shared.testing import (
    OPERATOR,
    get_dead_letters,
    rpc_proxy,
    service_config,
    unit_identity,
    wait_for,
)

pytestmark = pytest.mark.integration

CALLS: list[float] = []


class FlakyFinance(FinanceService):
    """Finance whose clock handler fails its first two deliveries (a transient fault)."""

    @reliable_handler("clock_set")
    def on_clock_set(self, event):
        CALLS.append(time.monotonic())
        if len(CALLS) <= 2:
            raise ConnectionError("database briefly unreachable")
        super().on_clock_set([event])  # the platform's subscription takes batches (issue 19)


class BrokenFinance(FinanceService):
    @reliable_handler("clock_set")
    def on_clock_set(self, event):
        CALLS.append(time.monotonic())
        raise ConnectionError("database down for good")


class RefusingFinance(FinanceService):
    @reliable_handler("clock_set")
    def on_clock_set(self, event):
        CALLS.append(time.monotonic())
        raise PermanentError("rule refused", "规则拒绝", articles=[34])


@pytest.fixture(autouse=True)
def reset_calls():
    CALLS.clear()


def start(cls, amqp_uri, urls, **overrides):
    from nameko.containers import ServiceContainer

    container = ServiceContainer(cls, service_config(cls.name, amqp_uri, urls[cls.name], **overrides))
    container.start()
    return container


def set_clock(amqp_uri, day):
    with rpc_proxy(amqp_uri, identity=OPERATOR) as cluster:
        return cluster.supervision.set_clock(day)


def health(amqp_uri, service):
    with rpc_proxy(amqp_uri) as cluster:
        return getattr(cluster, service).health()


def test_transient_failure_is_retried_with_backoff_then_applied(amqp_uri, sqlite_urls, start_service):
    start_service("supervision", sqlite_urls["supervision"], CLOCK="simulated")
    finance = start(FlakyFinance, amqp_uri, sqlite_urls, CLOCK="simulated")
    try:
        set_clock(amqp_uri, "2027-03-01")
        wait_for(
            lambda: health(amqp_uri, "finance")["today"] == "2027-03-01",
            timeout=15,
            message="clock applied after retries",
        )
        assert len(CALLS) == 3
        assert CALLS[1] - CALLS[0] >= 0.09 and CALLS[2] - CALLS[1] >= 0.29  # the backoff ladder
        assert get_dead_letters(amqp_uri, "finance", timeout=0.5) == []
    finally:
        finance.kill()


def test_exhausted_retries_go_to_the_dead_letter_queue_with_the_reason(amqp_uri, sqlite_urls, start_service):
    start_service("supervision", sqlite_urls["supervision"], CLOCK="simulated")
    finance = start(BrokenFinance, amqp_uri, sqlite_urls, EVENT_MAX_ATTEMPTS=3)
    try:
        set_clock(amqp_uri, "2027-03-01")
        [dead] = get_dead_letters(amqp_uri, "finance", timeout=15)
        assert dead.headers["x-govproj-dead-outcome"] == "exhausted"
        assert (
            "after 3 attempts: ConnectionError: database down for good"
            in dead.headers["x-govproj-dead-reason"]
        )
        assert len(CALLS) == 3  # and no more: nothing loops
        time.sleep(0.6)
        assert len(CALLS) == 3
    finally:
        finance.kill()


def test_permanent_refusal_is_dead_lettered_without_retry(amqp_uri, sqlite_urls, start_service):
    start_service("supervision", sqlite_urls["supervision"], CLOCK="simulated")
    finance = start(RefusingFinance, amqp_uri, sqlite_urls)
    try:
        set_clock(amqp_uri, "2027-03-01")
        [dead] = get_dead_letters(amqp_uri, "finance", timeout=15)
        assert dead.headers["x-govproj-dead-outcome"] == "rejected"
        assert "第三十四条" in dead.headers["x-govproj-dead-reason"]
        assert len(CALLS) == 1
    finally:
        finance.kill()


def test_simulated_clock_reaches_every_service(amqp_uri, database_urls, start_service):
    services = ("planning", "approval", "finance", "acceptance", "security", "supervision")
    for service in services:
        start_service(service, database_urls[service], CLOCK="simulated")
    set_clock(amqp_uri, "2028-02-29")
    for service in services:
        wait_for(
            lambda s=service: health(amqp_uri, s)["today"] == "2028-02-29",
            message=f"{service} on the simulated date",
        )
    with rpc_proxy(amqp_uri, identity=unit_identity("U1")) as cluster:
        code = cluster.planning.register_project(
            {"name": "模拟时钟项目", "kind": "om", "level": "city", "budget": {"total": "10"}}
        )
        assert cluster.planning.get_project(code["code"])["registered_on"] == "2028-02-29"
        assert code["code"].startswith("SD-2028-")


def test_clock_cannot_be_set_on_a_real_clock(amqp_uri, sqlite_urls, start_service):
    from nameko.exceptions import RemoteError

    start_service("supervision", sqlite_urls["supervision"])
    with pytest.raises(RemoteError) as err:
        set_clock(amqp_uri, "2027-03-01")
    assert "GOVPROJ_CLOCK=simulated" in err.value.value
