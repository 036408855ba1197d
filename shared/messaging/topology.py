"""The broker topology, declared up front from the event registry (docs/architecture.md §3.4).

- ``{source}.events``: nameko's topic exchange per publishing service; routing key = event type.
- ``{consumer}.{source}.{event_type}``: one durable quorum queue per subscription. Quorum queues
  count redeliveries, so a message that kills its consumer every time is dead-lettered after
  ``DELIVERY_LIMIT`` attempts instead of looping (the backstop behind our own retry counting).
- ``govproj.dlq.{consumer}``: the per-service dead-letter queue; every message in it says why. The
  consumer moves a message there through its own fanout exchange ``govproj.dlx.{consumer}`` (never
  through the default exchange, which reaches every queue); the broker dead-letters a queue's
  poison messages there itself (``x-dead-letter-routing-key``).
- ``govproj.delay.{ms}``: delay queues for retries with backoff. A retried message is published to
  the exchange of the same name with the target queue as routing key; when its TTL expires it is
  dead-lettered through the default exchange straight back to that queue (a topic permission lets
  each service name only its own queues there: shared.messaging.rights).
- ``nameko-rpc`` and ``rpc-{service}``: nameko's RPC exchange and each service's request queue
  (bound ``{service}.*``), declared exactly as nameko's RpcConsumer would.

An administrator declares all of it once (``govproj topology``; in Kubernetes the messaging
topology operator's resources rendered from these same objects, shared.messaging.manifests). The
services only check passively (``require``) that what they use exists: declaring would need
configure rights on other services' queues and the shared exchanges, i.e. the right to delete them.
"""

from __future__ import annotations

from typing import Any

from amqp.exceptions import NotFound
from kombu import Exchange, Queue, binding

from shared.events.registry import (
    EVENT_TYPES,
    SERVICES,
    SUBSCRIPTIONS,
    event_type,
    subscribers_of,
)
from shared.messaging import tls

DELIVERY_LIMIT = 20
DEFAULT_RETRY_DELAYS_MS = (1000, 5000, 30000, 120000)
RPC_EXCHANGE = "nameko-rpc"


def events_exchange_name(source: str) -> str:
    return f"{source}.events"


def events_exchange(source: str) -> Exchange:
    return Exchange(events_exchange_name(source), type="topic", durable=True, auto_delete=False)


def dead_letter_queue_name(consumer: str) -> str:
    return f"govproj.dlq.{consumer}"


def dead_letter_exchange(consumer: str) -> Exchange:
    """The consumer's own way into its dead-letter queue (fanout: the routing key is ignored)."""
    return Exchange(f"govproj.dlx.{consumer}", type="fanout", durable=True, auto_delete=False)


def dead_letter_queue(consumer: str) -> Queue:
    return Queue(
        dead_letter_queue_name(consumer),
        exchange=dead_letter_exchange(consumer),
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def consumer_queue_name(consumer: str, name: str) -> str:
    return f"{consumer}.{event_type(name).source}.{name}"


def consumer_queue(consumer: str, name: str) -> Queue:
    return Queue(
        consumer_queue_name(consumer, name),
        exchange=events_exchange(event_type(name).source),
        routing_key=name,
        durable=True,
        auto_delete=False,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead_letter_queue_name(consumer),
        },
    )


AUDIT_TRAIL_CONSUMER = "supervision"
AUDIT_TRAIL_QUEUE = "supervision.audit-trail"


def audit_trail_queue() -> Queue:
    """One queue bound to every service's events exchange: the audit trail records them all."""
    sources = sorted({kind.source for kind in EVENT_TYPES})
    return Queue(
        AUDIT_TRAIL_QUEUE,
        bindings=[binding(events_exchange(source), routing_key="#") for source in sources],
        durable=True,
        auto_delete=False,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead_letter_queue_name(AUDIT_TRAIL_CONSUMER),
        },
    )


def delay_exchange(delay_ms: int) -> Exchange:
    return Exchange(f"govproj.delay.{delay_ms}ms", type="topic", durable=True)


def delay_queue(delay_ms: int) -> Queue:
    return Queue(
        f"govproj.delay.{delay_ms}ms",
        exchange=delay_exchange(delay_ms),
        routing_key="#",
        durable=True,
        queue_arguments={"x-message-ttl": delay_ms, "x-dead-letter-exchange": ""},
    )


def queues_for_event(name: str, consumers: Any = None) -> list[Queue]:
    """What must exist before ``name`` is published: every subscriber's queue and dead-letter
    queue — of the subscribers among ``consumers`` (those on this broker) when given: a
    subscriber on another agency's broker gets its copy by federation (shared.messaging.federation)."""

    def here(consumer: str) -> bool:
        return consumers is None or consumer in consumers

    out: list[Queue] = []
    if here(AUDIT_TRAIL_CONSUMER):
        out += [dead_letter_queue(AUDIT_TRAIL_CONSUMER), audit_trail_queue()]
    for consumer in subscribers_of(name):
        if here(consumer):
            out += [dead_letter_queue(consumer), consumer_queue(consumer, name)]
    return out


def rpc_exchange() -> Exchange:
    return Exchange(RPC_EXCHANGE, type="topic", durable=True)


def rpc_queue_name(service: str) -> str:
    return f"rpc-{service}"


def rpc_queue(service: str) -> Queue:
    """nameko's RPC queue for ``service``, with the arguments its RpcConsumer uses."""
    return Queue(rpc_queue_name(service), exchange=rpc_exchange(), routing_key=f"{service}.*", durable=True)


def own_queue_names(consumer: str) -> list[str]:
    """The event queues ``consumer`` consumes (and alone may name as a retry's target)."""
    names = [consumer_queue_name(consumer, n) for n in SUBSCRIPTIONS.get(consumer, ())]
    return names + ([AUDIT_TRAIL_QUEUE] if consumer == AUDIT_TRAIL_CONSUMER else [])


def all_declarations(retry_delays_ms: tuple[int, ...] = ()) -> list:
    """Everything on the broker: every queue with its exchange and bindings (only an
    administrator declares these)."""
    decl: list = []
    for consumer, names in SUBSCRIPTIONS.items():
        decl.append(dead_letter_queue(consumer))
        decl += [consumer_queue(consumer, n) for n in names]
    decl.append(audit_trail_queue())
    decl += [rpc_queue(service) for service in SERVICES]
    decl += [delay_queue(ms) for ms in retry_delays_ms]
    return decl


def declare(connection: Any, declarations: Any) -> None:
    """Declare queues (with their exchanges and bindings) or exchanges on a kombu connection."""
    channel = connection.default_channel
    for item in declarations:
        item.bind(channel).declare()


class TopologyMissing(RuntimeError):
    """What a service uses is not on the broker: the administrator has not declared it."""


def require(channel: Any, entities: Any) -> None:
    """Check passively (no rights needed) that each exchange or queue exists; a queue's own
    exchange and bindings are the administrator's and not checked here."""
    for entity in entities:
        kind = "queue" if isinstance(entity, Queue) else "exchange"
        try:
            if kind == "queue":
                channel.queue_declare(entity.name, passive=True)
            else:
                channel.exchange_declare(entity.name, entity.type, passive=True)
        except NotFound:
            raise TopologyMissing(
                f"the broker has no {kind} {entity.name!r} in this vhost: an administrator "
                "declares the topology before the services start (`govproj topology`, or the "
                "messaging topology operator's resources in Kubernetes)"
            ) from None


def require_on(amqp_uri: str, entities: Any) -> None:
    """``require`` over a short-lived connection of its own (a service checking at setup)."""
    with tls.connection(amqp_uri, connect_timeout=10) as conn:
        require(conn.channel(), entities)
