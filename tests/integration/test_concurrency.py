"""Concurrent writers under eventlet: SQLite serialised by the green lock; PostgreSQL racing on the
inbox key and on a year's first project number; a publisher whose identity does not match the
source is refused."""

import json
from datetime import date
from urllib.parse import unquote, urlsplit

import eventlet
import pytest
from sqlalchemy import func, select

from services.approval.models import platform as approval_tables
from services.planning import repository as register
from services.planning.models import CodeSequence
from services.planning.models import platform as planning_tables
from shared.events import make_event
from shared.messaging import topology
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.testing import get_dead_letters, publish_raw, sign_as

pytestmark = pytest.mark.integration


def clock_event(day=date(2026, 1, 5)):
    return make_event(
        "clock_set", {"today": day, "set_by": "op"}, project_code=None, regulation_version=None, articles=[]
    )


def count(store, table):
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_fifty_concurrent_sqlite_writers_all_commit(sqlite_urls):
    engine = create_engine_for(sqlite_urls["planning"])
    store = Store(engine, planning_tables)

    def write(i):
        with store.transaction() as tx:
            tx.emit(
                "clock_set",
                {"today": date(2026, 1, 1 + i % 28), "set_by": f"op{i}"},
                project_code=None,
                regulation_version=None,
                articles=[],
            )
            eventlet.sleep(0)  # yield mid-transaction: the others must wait on the green lock

    pool = eventlet.GreenPool(50)
    list(pool.imap(write, range(50)))
    assert count(store, planning_tables.outbox) == 50
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite_urls", "postgres_urls"])
def test_the_same_message_racing_twice_takes_effect_once(request, backend):
    urls = request.getfixturevalue(backend)
    engine = create_engine_for(urls["approval"])
    store = Store(engine, approval_tables, consumer="approval.on_clock_set")
    event, effects = clock_event(), []

    def effect(tx, ev):
        eventlet.sleep(0.05)  # both deliveries are inside their transactions now
        effects.append(ev.message_id)
        return "applied"

    results = list(eventlet.GreenPool(2).imap(lambda _: store.handle_once(event, effect), range(2)))
    assert sorted(results, key=lambda r: r is None) == ["applied", None]
    assert count(store, approval_tables.processed_messages) == 1
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite_urls", "postgres_urls"])
def test_a_years_first_registrations_racing_each_get_their_own_number(request, backend):
    """The province simulation's first registrations (1,000 projects on PostgreSQL) met 500s:
    each read the year's counter, found none, and inserted it — all but one insert failed. Eight
    transactions now take numbers at once, each holding its transaction open a moment (the
    others wait on the row's lock): eight numbers, 1 to 8, the counter at 8."""
    urls = request.getfixturevalue(backend)
    engine = create_engine_for(urls["planning"])
    store = Store(engine, planning_tables)

    def register_one(_):
        with store.transaction() as tx:
            number = register.next_sequence(tx.session, 2026)
            eventlet.sleep(0.02)  # still in the transaction: the others arrive meanwhile
            return number

    numbers = list(eventlet.GreenPool(8).imap(register_one, range(8)))
    assert sorted(numbers) == list(range(1, 9))
    with store.read() as session:
        assert session.get(CodeSequence, 2026).last == 8
        assert session.get(CodeSequence, 2027) is None
    engine.dispose()


def test_event_from_an_untrusted_publisher_is_dead_lettered(
    amqp_uri, sqlite_urls, start_service, rabbit_admin
):
    """The broker vouches for user_id; the consumer checks it is the source's publisher."""
    vhost = urlsplit(amqp_uri).path.lstrip("/")
    intruder = rabbit_admin.create_user(f"intruder-{vhost}", "secret", vhost=unquote(vhost))
    start_service("approval", sqlite_urls["approval"], EVENT_PUBLISHER_USERS={"planning": "govproj-planning"})
    event = make_event(
        "application_submitted",
        {
            "name": "伪造",
            "unit": "U1",
            "kind": "construction",
            "level": "province",
            "plan_item": None,
            "budget_total": 1,
            "fixed_asset_investment": False,
            "classified": False,
            "submission": 1,
            "submitted_on": date(2026, 1, 5),
        },
        project_code="SD-2026-000001",
        regulation_version="shandong/v1",
        articles=[7],
    )
    as_intruder = amqp_uri.replace("guest:guest@", f"{intruder}:secret@")
    try:
        publish_raw(
            as_intruder,
            topology.events_exchange("planning").name,
            "application_submitted",
            sign_as(json.loads(json.dumps(event.to_wire())), "planning"),
            serializer="json",
            message_id=event.message_id,
            user_id=intruder,
        )
        [dead] = get_dead_letters(amqp_uri, "approval")
    finally:
        rabbit_admin.delete_user(intruder)
    assert f"user '{intruder}' may not publish planning events" in dead.headers["x-govproj-dead-reason"]
