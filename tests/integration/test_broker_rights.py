"""Each agency's broker user may do what its service needs and nothing else (issue 13).

Every attempt below is made with that service's own credentials in a vhost provisioned exactly as
production is (shared.messaging.rights): the broker refuses it (403, or 406 for a forged user_id)
or the receiving service does — and afterwards every queue still exists with every message.
"""

import uuid

import amqp
import pytest
from amqp.exceptions import AccessRefused, PreconditionFailed
from kombu import Connection

from shared.cli import main as govproj
from shared.config import SERVICES
from shared.events.registry import publishers_of
from shared.messaging import topology
from shared.messaging.rpc import RemoteError, call_once
from shared.testing import (
    FAST_RETRIES,
    OFFICE,
    TEST_RETRY_DELAYS_MS,
    as_principal,
    broker_user_of,
    rpc_proxy,
    signed_identity,
    unit_identity,
)

pytestmark = pytest.mark.integration


def connect(uri: str) -> amqp.Connection:
    """A raw connection with publisher confirms, so a refused publish raises at once."""
    parts = Connection(uri)
    conn = amqp.Connection(
        f"{parts.hostname}:{parts.port or 5672}",
        userid=parts.userid,
        password=parts.password,
        virtual_host=parts.virtual_host,
        confirm_publish=True,
    )
    conn.connect()
    return conn


def outcome(uri: str, action) -> str:
    """'ok', or the refusal's class name; each attempt on a fresh connection (a refusal closes
    the channel)."""
    conn = connect(uri)
    try:
        action(conn.channel())
        return "ok"
    except (AccessRefused, PreconditionFailed) as exc:
        return type(exc).__name__
    finally:
        try:
            conn.close()
        except Exception:  # already closed by the broker
            pass


def message(body: str = "forged", **properties) -> amqp.Message:
    return amqp.Message(body, content_type="application/json", **properties)


def depths(admin_uri: str) -> dict[str, int]:
    """Every queue of the topology and its message count (passive: it must still exist)."""
    with Connection(admin_uri) as conn:
        channel = conn.channel()
        return {
            q.name: channel.queue_declare(q.name, passive=True).message_count
            for q in topology.all_declarations(TEST_RETRY_DELAYS_MS)
        }


def seed(admin_uri: str, queues: list[str]) -> None:
    """One message in each victim queue, so a drain, purge or delete would show."""
    with Connection(admin_uri) as conn:
        producer = conn.Producer()
        for queue in queues:
            producer.publish({"seed": queue}, exchange="", routing_key=queue, serializer="json")


def other(service: str) -> str:
    return SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_user_is_refused_everything_outside_its_own_rights(amqp_uri, service):
    me, them = as_principal(amqp_uri, service), other(service)
    own_queue = topology.own_queue_names(service)[0]
    their_queue = topology.own_queue_names(them)[0]
    their_dlq = topology.dead_letter_queue_name(them)
    victims = [
        their_queue,
        their_dlq,
        topology.rpc_queue_name(them),
        topology.dead_letter_queue_name(service),
    ]
    if service != topology.AUDIT_TRAIL_CONSUMER:
        victims.append(topology.AUDIT_TRAIL_QUEUE)
    reply = f"rpc.reply-{service}-{uuid.uuid4()}"

    # what it needs works: its own events, its own queue, its own reply queue
    own_event = publishers_of(service)[0]
    assert (
        outcome(
            me,
            lambda ch: ch.basic_publish(
                message(user_id=broker_user_of(amqp_uri, service)), f"{service}.events", own_event
            ),
        )
        == "ok"
    )
    assert outcome(me, lambda ch: ch.basic_get(own_queue)) == "ok"
    assert (
        outcome(
            me,
            lambda ch: (
                ch.queue_declare(reply, exclusive=True, auto_delete=True),
                ch.queue_bind(reply, "nameko-rpc", reply),
            ),
        )
        == "ok"
    )

    seed(amqp_uri, victims)
    before = depths(amqp_uri)
    their_event = publishers_of(them)[0]
    attempts = {
        "another's event type on its own exchange": lambda ch: ch.basic_publish(
            message(), f"{service}.events", their_event
        ),
        "another's event on another's exchange": lambda ch: ch.basic_publish(
            message(), f"{them}.events", their_event
        ),
        "the default exchange into another's queue": lambda ch: ch.basic_publish(message(), "", their_queue),
        "the default exchange into the audit trail": lambda ch: ch.basic_publish(
            message(), "", topology.AUDIT_TRAIL_QUEUE
        ),
        "a delay exchange aimed at another's queue": lambda ch: ch.basic_publish(
            message(), f"govproj.delay.{FAST_RETRIES[0]}ms", their_queue
        ),
        "another's dead-letter exchange": lambda ch: ch.basic_publish(message(), f"govproj.dlx.{them}", ""),
        "calling another service's RPC method": lambda ch: ch.basic_publish(
            message('{"args": [], "kwargs": {}}'), "nameko-rpc", f"{them}.health"
        ),
        "listening in on another's RPC requests": lambda ch: (
            ch.queue_declare(reply, exclusive=True, auto_delete=True),
            ch.queue_bind(reply, "nameko-rpc", f"{them}.*"),
        ),
        "declaring a queue of its own invention": lambda ch: ch.queue_declare(
            f"{service}.backdoor", durable=True
        ),
        "publishing as another service's user": lambda ch: ch.basic_publish(
            message(user_id=broker_user_of(amqp_uri, them)), f"{service}.events", own_event
        ),
    }
    for queue in victims:
        attempts[f"consuming {queue}"] = lambda ch, q=queue: ch.basic_get(q)
        attempts[f"purging {queue}"] = lambda ch, q=queue: ch.queue_purge(q)
        attempts[f"deleting {queue}"] = lambda ch, q=queue: ch.queue_delete(q)
    allowed = {what for what, action in attempts.items() if outcome(me, action) == "ok"}
    assert not allowed, f"{service}'s user may {sorted(allowed)}"
    assert depths(amqp_uri) == before, "a refused attempt changed a queue"


def test_the_gateway_user_only_sends_requests_and_reads_its_replies(amqp_uri):
    me = as_principal(amqp_uri, "gateway")
    reply = f"rpc.reply-gateway-{uuid.uuid4()}"
    assert (
        outcome(
            me,
            lambda ch: (
                ch.queue_declare(reply, exclusive=True, auto_delete=True),
                ch.queue_bind(reply, "nameko-rpc", reply),
                ch.basic_publish(
                    message('{"args": [], "kwargs": {}}', reply_to=reply), "nameko-rpc", "planning.health"
                ),
            ),
        )
        == "ok"
    )
    seed(amqp_uri, ["rpc-planning", topology.AUDIT_TRAIL_QUEUE])
    before = depths(amqp_uri)
    attempts = {
        "publishing an event": lambda ch: ch.basic_publish(
            message(), "planning.events", "application_submitted"
        ),
        "taking a service's requests": lambda ch: ch.basic_get("rpc-planning"),
        "purging a service's requests": lambda ch: ch.queue_purge("rpc-planning"),
        "listening in on a service's requests": lambda ch: (
            ch.queue_declare(reply, exclusive=True, auto_delete=True),
            ch.queue_bind(reply, "nameko-rpc", "planning.*"),
        ),
        "the default exchange": lambda ch: ch.basic_publish(message(), "", topology.AUDIT_TRAIL_QUEUE),
        "a reply disguised as a request": lambda ch: ch.basic_publish(
            message(), "nameko-rpc", f"rpc.reply-planning-{uuid.uuid4()}"
        ),
        "deleting the audit trail": lambda ch: ch.queue_delete(topology.AUDIT_TRAIL_QUEUE),
    }
    allowed = {what for what, action in attempts.items() if outcome(me, action) == "ok"}
    assert not allowed, f"the gateway's user may {sorted(allowed)}"
    assert depths(amqp_uri) == before, "a refused attempt changed a queue"


def test_a_request_the_caller_has_no_business_making_is_refused_by_the_receiver(
    amqp_uri, sqlite_urls, start_service
):
    """The gateway's user may reach every service; the service checks who is asking."""
    start_service("planning", sqlite_urls["planning"])
    gateway = as_principal(amqp_uri, "gateway")
    project = {"name": "越权", "kind": "om", "level": "county", "budget": {"total": "1.00"}}
    with pytest.raises(RemoteError) as anonymous:
        call_once(gateway, "gateway", "planning", "register_project", [project])
    assert anonymous.value.exc_type == "Unauthenticated"
    unit = {"identity": signed_identity(unit_identity(), "planning")}
    with pytest.raises(RemoteError) as unit_drafting:
        call_once(gateway, "gateway", "planning", "draft_plan", [{"title": "x"}], context=unit)
    assert unit_drafting.value.exc_type == "Forbidden"
    with rpc_proxy(amqp_uri, identity=OFFICE) as cluster:
        assert cluster.planning.list_projects()["total"] == 0


def test_probe_runs_under_the_services_own_user_and_no_other(
    amqp_uri, sqlite_urls, start_service, monkeypatch
):
    start_service("planning", sqlite_urls["planning"])
    monkeypatch.setenv("AMQP_URI", as_principal(amqp_uri, "planning"))
    assert govproj(["probe", "planning"]) == 0
    monkeypatch.setenv("AMQP_URI", as_principal(amqp_uri, "approval"))  # approval may not ask
    assert govproj(["probe", "planning", "--timeout", "2"]) == 1
