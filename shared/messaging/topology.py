"""The broker topology, declared up front from the event registry (ENGINEERING §3.4).

- ``{source}.events``: nameko's topic exchange per publishing service; routing key = event type.
- ``{consumer}.{source}.{event_type}``: one durable quorum queue per subscription. Quorum queues
  count redeliveries, so a message that kills its consumer every time is dead-lettered after
  ``DELIVERY_LIMIT`` attempts instead of looping (the backstop behind our own retry counting).
- ``govproj.dlq.{consumer}``: the per-service dead-letter queue; every message in it says why.
- ``govproj.delay.{ms}``: delay queues for retries with backoff. A retried message is published to
  the exchange of the same name with the target queue as routing key; when its TTL expires it is
  dead-lettered through the default exchange straight back to that queue.

Anyone may declare any of this (relay, handler, ``govproj migrate``): declarations are idempotent
as long as the arguments agree, which is why they are built only here.
"""
from __future__ import annotations

from kombu import Exchange, Queue, binding

from shared.events.registry import EVENT_TYPES, SUBSCRIPTIONS, event_type, subscribers_of

DELIVERY_LIMIT = 20


def events_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True, auto_delete=False)


def dead_letter_queue_name(consumer: str) -> str:
    return f"govproj.dlq.{consumer}"


def dead_letter_queue(consumer: str) -> Queue:
    return Queue(dead_letter_queue_name(consumer), exchange=None, durable=True,
                 queue_arguments={"x-queue-type": "quorum"})


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


def queues_for_event(name: str) -> list[Queue]:
    """What must exist before ``name`` is published: every subscriber's queue and dead-letter queue."""
    out: list[Queue] = [dead_letter_queue(AUDIT_TRAIL_CONSUMER), audit_trail_queue()]
    for consumer in subscribers_of(name):
        out += [dead_letter_queue(consumer), consumer_queue(consumer, name)]
    return out


def all_declarations(retry_delays_ms: tuple[int, ...] = ()) -> list:
    decl: list = []
    for consumer, names in SUBSCRIPTIONS.items():
        decl.append(dead_letter_queue(consumer))
        decl += [consumer_queue(consumer, n) for n in names]
    decl.append(audit_trail_queue())
    decl += [delay_queue(ms) for ms in retry_delays_ms]
    return decl


def declare(connection, declarations) -> None:
    """Declare queues (with their exchanges and bindings) or exchanges on a kombu connection."""
    channel = connection.default_channel
    for item in declarations:
        item.bind(channel).declare()
