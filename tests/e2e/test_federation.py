"""Agencies apart (issue 14): finance on its own broker, the other services on the shared one,
events crossing by RabbitMQ exchange federation both ways — nothing home-made.

A second RabbitMQ node starts on this machine (ports 5673/15673/25673), and a second PostgreSQL
cluster (port 5433) holding finance's database. Finance runs against them, the gateway and the
other services against the shared broker (SQLite databases); the gateway reaches finance on
its broker (AMQP_URI_FINANCE). While projects go through the lifecycle up to payments, both
federation links are cut (the federation users lose their rights on the upstreams and their
connections are closed: the upstream queues keep what is published meanwhile) and restored.
Then every event published by any service was handled exactly once by each of its subscribers
(the inboxes) and recorded once in the audit ledger, which verifies, signatures included, and
nothing was dead-lettered. A forged event injected on finance's broker with finance's own broker
credentials crosses the federation and is dead-lettered by every subscriber with its reason; a
local event posing as federated (no user_id, a made-up x-received-from) is dead-lettered too.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from shared.events import make_event
from shared.events.registry import PLATFORM_EVENTS, SERVICES, SUBSCRIPTIONS
from shared.messaging import federation, topology
from shared.testing import (
    FederatedStack,
    get_dead_letters,
    publish_raw,
    rabbitmq_federation_enabled,
    second_postgres_cluster,
    second_rabbitmq_node,
    sign_as,
    wait_for,
)

pytestmark = pytest.mark.e2e

UNIT = "U-370900-001"
ITEM = "SDZW-FED-01"
PROJECTS = 3


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    rabbitmq_federation_enabled()
    with second_rabbitmq_node() as node, second_postgres_cluster() as finance_pg:
        running = FederatedStack(
            infrastructure,
            tmp_path_factory.mktemp("federation"),
            node,
            apart=("finance",),
            apart_pg=finance_pg,
            RPC_TIMEOUT="10",
        )
        try:
            running.start_all()
            running.plan_in_force(ITEM)
            yield running
        finally:
            running.close()


def rows(stack, service: str, sql: str, **params) -> list:
    engine = create_engine(stack.urls[service])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def link_queues(stack, site: str) -> dict[str, int]:
    """The federation links' queues on ``site``'s broker and the messages they hold."""
    admin = stack.admins[site]
    queues = admin._call("GET", f"/queues/{quote(stack.vhost, safe='')}").json()
    return {q["name"]: q.get("messages", 0) for q in queues if q["name"].startswith("federation: ")}


def cut(stack) -> None:
    """Both links down: each federation user loses its rights on its upstream and its
    connections there are closed (what a partition between two agencies looks like)."""
    for downstream in stack.SITES:
        upstream, user = stack.other(downstream), stack.federation_user(downstream)
        admin = stack.admins[upstream]
        admin._call("DELETE", f"/permissions/{quote(stack.vhost, safe='')}/{quote(user, safe='')}")
        for conn in admin._call("GET", "/connections").json():
            if conn.get("user") == user:
                admin._call(
                    "DELETE",
                    f"/connections/{quote(conn['name'], safe='')}",
                    headers={"X-Reason": "federation link cut by the test"},
                )


def restore(stack) -> None:
    for downstream in stack.SITES:
        upstream = stack.other(downstream)
        stack.admins[upstream].grant(
            stack.vhost,
            stack.federation_user(downstream),
            federation.federation_rights(stack.deployment, upstream, downstream),
        )


def links_running(stack) -> bool:
    return all(
        link_queues(stack, site) and all(n == 0 for n in link_queues(stack, site).values())
        for site in stack.SITES
    )


def lifecycle(
    stack, index: int, budgeted: threading.Event, go_on: threading.Event, codes: list, errors: list
) -> None:
    """Register → review → approval (office's broker), budget, contract, payment (finance's)."""
    try:
        code = stack.approved(UNIT, ITEM, amount="900000.00", name=f"联邦测试项目{index}")
        codes.append(code)
        wait_for(
            lambda: (
                stack.http(
                    "POST",
                    f"/projects/{code}/budget",
                    "finance",
                    json={
                        "construction": {"total": "800000.00", "by_level": {"province": "800000.00"}},
                        "om": {"total": "0.00", "by_level": {}},
                    },
                ).status_code
                == 201
            ),
            timeout=120,
            interval=0.5,
            message=f"finance learned the approval of {code}",
        )
        budgeted.set()
        go_on.wait(120)
        no = f"HT-FED-{index}"
        r = stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": no,
                "supplier": "浪潮软件股份有限公司",
                "amount": "600000.00",
                "signed_on": date.today().isoformat(),
                "text_sha256": hashlib.sha256(no.encode()).hexdigest(),
                "products": [{"name": "数据库", "category": "base_software", "controllable": True}],
            },
        )
        assert r.status_code == 201, r.text
        paid = stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            UNIT,
            json={"purpose": "construction", "amount": "100000.00", "contract_no": no},
        )
        assert paid.status_code == 201 and paid.json()["status"] == "paid", paid.text
    except BaseException as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
        budgeted.set()


def test_the_lifecycle_crosses_two_brokers_through_a_cut_link_exactly_once(stack):
    assert wait_for(
        lambda: links_running(stack), timeout=60, interval=0.5, message="both federation links up"
    )
    codes: list[str] = []
    errors: list[BaseException] = []
    first_budgeted, go_on = threading.Event(), threading.Event()
    threads = [threading.Thread(target=lifecycle, args=(stack, 0, first_budgeted, go_on, codes, errors))]
    threads[0].start()
    assert first_budgeted.wait(180) and not errors, errors
    # events flowing: the first project is about to file its contract and be paid (finance's
    # events), the others are being registered and reviewed (the office's) — link cut now
    cut(stack)
    for i in range(1, PROJECTS):  # registered and reviewed while the links are cut
        threads.append(
            threading.Thread(target=lifecycle, args=(stack, i, threading.Event(), go_on, codes, errors))
        )
        threads[-1].start()
    go_on.set()
    # what each side published meanwhile waits in its upstream queue, on both brokers
    wait_for(
        lambda: (
            sum(link_queues(stack, "office").values()) > 0 and sum(link_queues(stack, "agency").values()) > 0
        ),
        timeout=90,
        interval=0.5,
        message="events held upstream while the links are cut",
    )
    held = {site: link_queues(stack, site) for site in stack.SITES}
    restore(stack)
    for thread in threads:
        thread.join(300)
    assert not errors, errors
    assert len(codes) == PROJECTS and any(held["office"].values()) and any(held["agency"].values()), held
    for code in codes:  # the office learned finance's contract_filed across the restored link
        wait_for(
            lambda c=code: stack.status(c) == "in_construction", timeout=60, message=f"{code} in construction"
        )
        funds = stack.http("GET", f"/projects/{code}/funds", "unit", UNIT).json()
        assert funds["disbursed"] == "100000.00" and funds["approved"] == "800000.00", funds

    # exactly once in effect: every event published, handled once by each subscriber, once
    # in the audit ledger; nothing dead-lettered
    def settled():
        published = {
            s: rows(stack, s, "SELECT message_id, routing_key, published_at FROM outbox") for s in SERVICES
        }
        if any(r.published_at is None for rs in published.values() for r in rs):
            return None
        ledger = [r.message_id for r in rows(stack, "supervision", "SELECT message_id FROM audit_ledger")]
        ids = {r.message_id for rs in published.values() for r in rs}
        return (published, ledger) if set(ledger) == ids and links_running(stack) else None

    published, ledger = wait_for(settled, timeout=120, interval=1, message="every event in the audit ledger")
    assert len(ledger) == len(set(ledger))
    all_ids = {r.message_id for rs in published.values() for r in rs}
    crossed = 0
    for consumer in SERVICES:
        wanted = set(SUBSCRIPTIONS[consumer]) - set(PLATFORM_EVENTS)
        expected = {r.message_id for rs in published.values() for r in rs if r.routing_key in wanted}
        inbox = rows(stack, consumer, "SELECT consumer, message_id, event_type FROM processed_messages")
        handled = {r.message_id for r in inbox if r.event_type in wanted}
        assert handled <= all_ids, f"{consumer} handled an event nobody published"
        assert expected <= handled, (consumer, expected - handled)
        crossed += sum(
            1
            for s, rs in published.items()
            for r in rs
            if r.routing_key in wanted and stack.site_of(s) != stack.site_of(consumer)
        )
    assert crossed > 0
    verification = stack.http("GET", "/ledger/verification", "audit").json()
    assert verification["ok"] and verification["problems"] == [], verification
    assert verification["length"] >= len(ledger)
    for service in SERVICES:
        assert get_dead_letters(stack.admin_uri_of(service), service, timeout=1) == []


def test_a_forged_event_injected_on_finances_broker_is_dead_lettered_across_the_federation(stack):
    [row] = rows(
        stack, "finance", "SELECT body FROM outbox WHERE routing_key = 'contract_filed' ORDER BY seq LIMIT 1"
    ) or [None]
    assert row is not None, "no contract filed yet (the lifecycle test runs first)"
    # finance's own event (the outbox keeps it unsigned; the relay signs), signed with finance's
    # key, then altered
    forged = sign_as({**json.loads(row.body), "message_id": uuid.uuid4().hex}, "finance")
    forged["payload"]["contract_no"] = "HT-FORGED"
    finance_broker = stack.sites["agency"]
    publish_raw(
        finance_broker.uris["finance"],
        topology.events_exchange("finance").name,
        "contract_filed",
        forged,
        serializer="json",
        message_id=forged["message_id"],
        user_id=finance_broker.users["finance"],
    )
    office = stack.sites["office"].admin_uri
    for consumer in ("planning", "acceptance", "supervision"):  # contract_filed's, on node 1
        dead = wait_for(
            lambda c=consumer: [
                m
                for m in get_dead_letters(office, c, timeout=2)
                if m.properties.get("message_id") == forged["message_id"]
            ],
            timeout=30,
            message=f"{consumer} dead-letters the forged event",
        )
        reason = dead[0].headers["x-govproj-dead-reason"]
        assert "forged or altered" in reason and "finance" in reason, reason
        assert dead[0].headers.get("x-received-from"), "it came by federation"
    ids = {r.message_id for r in rows(stack, "supervision", "SELECT message_id FROM audit_ledger")}
    assert forged["message_id"] not in ids

    # the broker-user check holds for local sources: planning's own user publishing a validly
    # signed planning event without user_id, posing as federated, is refused
    event = make_event(
        "application_submitted",
        {
            "name": "冒充联邦",
            "unit": UNIT,
            "kind": "construction",
            "level": "province",
            "plan_item": None,
            "budget_total": 100000,
            "fixed_asset_investment": False,
            "classified": False,
            "submission": 1,
            "submitted_on": date.today(),
        },
        project_code="SD-2099-000001",
        regulation_version="shandong/v1",
        articles=[7],
    )
    body = sign_as(event.to_wire(), "planning")
    publish_raw(
        stack.sites["office"].uris["planning"],
        topology.events_exchange("planning").name,
        "application_submitted",
        body,
        serializer="json",
        message_id=body["message_id"],
        headers={
            "x-received-from": [
                {"uri": "amqp://elsewhere", "exchange": "planning.events", "redelivered": False}
            ]
        },
    )
    dead = wait_for(
        lambda: [
            m
            for m in get_dead_letters(office, "approval", timeout=2)
            if m.properties.get("message_id") == body["message_id"]
        ],
        timeout=30,
        message="approval dead-letters the local event without user_id",
    )
    assert "no user_id" in dead[0].headers["x-govproj-dead-reason"]
