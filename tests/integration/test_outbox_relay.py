"""The relay: mandatory publishing notices an unroutable message and keeps it until it routes."""

import pytest
from kombu import Connection

from services.planning.models import platform as planning_tables
from shared.messaging import topology
from shared.testing import (
    PLAN_ITEM,
    complete_application,
    declare_topology,
    outbox_rows,
    plan_in_force,
    rpc_proxy,
    unit_identity,
    wait_for,
)

pytestmark = pytest.mark.integration

PROJECT = {
    "name": "路由测试",
    "kind": "om",
    "level": "county",
    "budget": {"total": "1.00"},
    "plan_item": PLAN_ITEM,
}


def outbox(url, routing_key="application_submitted"):
    return outbox_rows(url, planning_tables, routing_key)


def submit(amqp_uri):
    plan_in_force(amqp_uri)
    with rpc_proxy(amqp_uri, identity=unit_identity("U9")) as cluster:
        code = cluster.planning.register_project(PROJECT)["code"]
        complete_application(cluster.planning, code)
        cluster.planning.submit_application(code)
    return code


def published_after(url, before):
    rows = outbox(url, None)[before:]
    return rows if rows and all(r.published_at for r in rows) else None


def test_missing_queue_keeps_events_until_the_administrator_declares_it(amqp_uri, sqlite_urls, start_service):
    """The relay may not declare another service's queue (shared.messaging.rights): it keeps the
    event, naming what is missing, until `govproj topology` has run."""
    queue = topology.consumer_queue_name("approval", "application_submitted")
    with Connection(amqp_uri) as conn:  # the administrator's topology lacks a subscriber's queue
        conn.default_channel.queue_delete(queue)
    start_service("planning", sqlite_urls["planning"])
    submit(amqp_uri)
    [kept] = wait_for(
        lambda: [r for r in outbox(sqlite_urls["planning"]) if r.last_error],
        timeout=15,
        message="the submission kept with its error",
    )
    assert kept.published_at is None and "topology missing" in kept.last_error
    assert repr(queue) in kept.last_error and "govproj topology" in kept.last_error

    declare_topology(amqp_uri)
    wait_for(
        lambda: published_after(sqlite_urls["planning"], 0),
        timeout=40,
        message="everything published once the topology is complete",
    )
    with Connection(amqp_uri) as conn:  # it reached the declared queue: nothing vanished
        assert conn.default_channel.queue_declare(queue, passive=True).message_count == 1


def test_unroutable_publish_is_kept_and_retried_after_redeclaring(amqp_uri, sqlite_urls, start_service):
    start_service("planning", sqlite_urls["planning"])
    queue = topology.consumer_queue_name("approval", "application_submitted")
    with Connection(amqp_uri) as conn:  # every route of the submission is unbound
        channel = conn.default_channel
        channel.queue_unbind(queue, "planning.events", "application_submitted")
        channel.queue_unbind(topology.AUDIT_TRAIL_QUEUE, "planning.events", "#")

    submit(amqp_uri)
    [kept] = wait_for(
        lambda: [r for r in outbox(sqlite_urls["planning"]) if r.last_error],
        timeout=15,
        message="the unroutable submission kept",
    )
    assert kept.last_error == "unroutable (no queue bound)" and kept.published_at is None

    declare_topology(amqp_uri)
    wait_for(
        lambda: published_after(sqlite_urls["planning"], 0),
        timeout=40,
        message="everything published after the administrator re-declared the topology",
    )
    [row] = outbox(sqlite_urls["planning"])
    assert row.attempts >= 2
    with Connection(amqp_uri) as conn:
        assert conn.default_channel.queue_declare(queue, passive=True).message_count == 1


def test_broker_unreachable_keeps_events_until_it_returns(sqlite_urls, tmp_path):
    """The relay against a dead broker address records the error and publishes nothing."""
    from shared.messaging.outbox import OutboxRelay
    from shared.persistence import create_engine_for
    from shared.persistence.store import Store

    engine = create_engine_for(sqlite_urls["planning"])
    store = Store(engine, planning_tables)
    with store.transaction() as tx:
        from datetime import date

        tx.emit(
            "clock_set",
            {"today": date(2026, 1, 5), "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
    relay = OutboxRelay(engine, planning_tables, "amqp://guest:guest@127.0.0.1:1/")
    assert relay.publish_pending() == 0
    [row] = outbox(sqlite_urls["planning"], "clock_set")
    assert row.published_at is None and row.attempts == 1 and row.last_error
    assert relay.stuck()
