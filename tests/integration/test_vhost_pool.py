"""Test vhosts are recycled only when a test left nothing in them (shared.testing.VhostPool): the
next test gets the vhost empty, exactly as provisioned; a vhost a test changed, or still
connected to, is deleted as before."""

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from kombu import Connection

from shared.messaging import topology
from shared.messaging.rights import Rights
from shared.testing import TEST_RETRY_DELAYS_MS, RabbitAdmin, VhostPool, VhostUsers, wait_for

pytestmark = pytest.mark.integration

QUEUES = [queue.name for queue in topology.all_declarations(TEST_RETRY_DELAYS_MS)]


@pytest.fixture
def pool(infrastructure) -> Iterator[VhostPool]:
    pool = VhostPool()  # a pool of this test's own, not the session's
    yield pool
    pool.drain()


def take(pool: VhostPool, infrastructure) -> VhostUsers:
    return pool.take(RabbitAdmin(infrastructure.rabbit_api), infrastructure.amqp_uri)


def message_counts(admin_uri: str) -> dict[str, int]:
    with Connection(admin_uri) as conn:
        channel = conn.channel()
        return {name: channel.queue_declare(name, passive=True).message_count for name in QUEUES}


def exists(broker: VhostUsers) -> bool:
    return any(v["name"] == broker.vhost for v in broker.admin._call("GET", "/vhosts").json())


def test_a_vhost_left_as_provisioned_is_reused_empty_without_reply_queues(pool, infrastructure):
    broker = take(pool, infrastructure)
    waiting = [name for name in QUEUES if not name.startswith("govproj.delay.")]
    confirmed = {"confirm_publish": True}
    # a message in every queue (one of them unacked when the connection closes), a retry waiting
    with Connection(broker.admin_uri, transport_options=confirmed) as conn:
        producer = conn.Producer()
        for name in waiting:
            producer.publish(b"left behind", exchange="", routing_key=name)
        producer.publish(b"retried", exchange="govproj.delay.120000ms", routing_key=waiting[0])
        assert conn.channel().basic_get(waiting[0], no_ack=False) is not None
        reply_queue = "rpc.reply-standalone_rpc_proxy-3f1c"  # as nameko's callers leave theirs
        channel = conn.channel()
        channel.queue_declare(reply_queue, durable=True, arguments={"x-expires": 300000})
        channel.queue_bind(reply_queue, topology.RPC_EXCHANGE, routing_key="3f1c")
    counts = message_counts(broker.admin_uri)
    assert all(counts[name] for name in waiting[1:]) and counts["govproj.delay.120000ms"] == 1

    pool.give_back(broker)
    again = take(pool, infrastructure)

    assert again.vhost == broker.vhost and pool.counts == {"created": 1, "reused": 1}
    assert not any(message_counts(again.admin_uri).values())
    queues = again.admin._call("GET", f"/queues/{quote(again.vhost, safe='')}").json()
    assert reply_queue not in {queue["name"] for queue in queues}
    with Connection(again.uris["planning"]) as conn:  # its users still log in
        conn.connect()
    pool.give_back(again)  # (to be deleted with the pool)


def _stray_queue(broker: VhostUsers) -> None:
    with Connection(broker.admin_uri) as conn:
        conn.channel().queue_declare("stray", durable=True)


def _deleted_queue(broker: VhostUsers) -> None:
    with Connection(broker.admin_uri) as conn:
        conn.channel().queue_delete(QUEUES[0])


def _policy(broker: VhostUsers) -> None:
    broker.admin._call(
        "PUT",
        f"/policies/{quote(broker.vhost, safe='')}/test-policy",
        json={"pattern": "^nothing$", "definition": {"max-length": 10}, "apply-to": "queues"},
    )


def _more_rights(broker: VhostUsers) -> None:
    broker.admin.grant(broker.vhost, broker.users["planning"], Rights("planning", ".*", ".*", ".*", ()))


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        (_stray_queue, "queues"),
        (_deleted_queue, "queues"),
        (_policy, "policies"),
        (_more_rights, "permissions"),
    ],
    ids=["a queue declared", "a queue deleted", "a policy", "a user's rights"],
)
def test_a_vhost_a_test_changed_is_deleted(
    pool, infrastructure, change: Callable[[VhostUsers], None], changed: str
):
    broker = take(pool, infrastructure)
    change(broker)

    pool.give_back(broker)

    [reason] = [what for what in pool.counts if what.startswith("deleted:")]
    assert not pool.idle and reason.startswith("deleted: changed") and changed in reason, pool.counts
    assert not exists(broker)


def test_a_vhost_still_connected_to_is_deleted(pool, infrastructure):
    broker = take(pool, infrastructure)
    pool.CONNECTIONS_TIMEOUT = 0.5
    connections = f"/vhosts/{quote(broker.vhost, safe='')}/connections"
    with Connection(broker.uris["planning"]) as conn:
        conn.connect()  # a process still running, listed (at the API's statistics interval)
        wait_for(lambda: broker.admin._call("GET", connections).json(), timeout=30, message="listed")
        pool.give_back(broker)

    assert not pool.idle and pool.counts["deleted: connections still open"] == 1, pool.counts
    assert not exists(broker)
