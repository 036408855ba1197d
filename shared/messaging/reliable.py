"""The one reliable event-handler entrypoint every service uses (docs/architecture.md §3.3).

nameko acks a message after its worker even when the handler raised, so the event would be gone;
``requeue_on_error`` loops hot. This entrypoint decides itself, then acks:

- valid envelope, handler succeeded → ack;
- invalid (undecodable body, unknown type/version, bad envelope or payload, missing or mismatched
  message_id/user_id, unsigned, forged or wrongly attributed — the envelope's Ed25519 signature
  must verify under a key trusted for its source, ``shared.events.signing``) or a
  ``PermanentError`` → the service's dead-letter queue, with the reason. An event of a source
  on another agency's broker (not in ``BROKER_SERVICES``) that arrived by federation has no
  ``user_id`` (federation clears it): its signature alone proves its publisher;
- any other error (transient) → republished through a delay queue with an attempt counter in our
  own header (backoff), and after ``EVENT_MAX_ATTEMPTS`` → the dead-letter queue, reason attached;
- if even that publish fails (broker trouble) the message is requeued: the quorum queue's delivery
  limit dead-letters it should that repeat, so nothing loops for ever.

The handler method receives a validated ``shared.events.Event``; deduplication is the inbox's job
(``Store.handle_once``), committed with the effects.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import eventlet
from eventlet.event import Event as Event_
from eventlet.queue import Empty, LightQueue
from kombu import Connection, Consumer, Exchange, Queue
from kombu.message import Message
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer

from shared import keys, observability
from shared.errors import PermanentError
from shared.events import Event, InvalidEvent, event_type, load_event, signing
from shared.events.registry import SUBSCRIPTIONS
from shared.messaging import tls, topology
from shared.messaging.federation import broker_services
from shared.observability import ExcInfo

if TYPE_CHECKING:
    from nameko.containers import WorkerContext

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-govproj-attempt"
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_DELAYS_MS = topology.DEFAULT_RETRY_DELAYS_MS


class AttachedQueueConsumer(QueueConsumer):
    """nameko's queue consumer that knows whether it is attached (consuming on a live connection:
    the readiness probe asks, ``shared.health``) and stops cleanly at any time (issue 17).

    nameko's ``unregister_provider``, called by every entrypoint's ``stop``, sends the
    ``_last_provider_unregistered`` event itself while the consumers are not ready yet — once
    per provider, so a SIGTERM while a service with several handlers is still starting (or
    waiting for its broker) raised eventlet's "Trying to re-send() an already-triggered event"
    in every stop after the first, and the process died with a traceback. Here it is sent once.
    """

    def __init__(self) -> None:
        super().__init__()
        self.attached = False
        self.detached_reason: str | None = "not started"

    def unregister_provider(self, provider: Any) -> None:
        if not self._consumers_ready.ready():
            if not self._last_provider_unregistered.ready():
                self._last_provider_unregistered.send()
            return
        super().unregister_provider(provider)

    def on_consume_ready(
        self, connection: Connection, channel: Any, consumers: list[Consumer], **kwargs: Any
    ) -> None:
        self.attached, self.detached_reason = True, None
        super().on_consume_ready(connection, channel, consumers, **kwargs)

    def on_connection_error(self, exc: Exception, interval: float) -> None:
        self.attached, self.detached_reason = False, f"broker connection: {exc}"
        super().on_connection_error(exc, interval)

    def consume(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from super().consume(*args, **kwargs)
        except BaseException as exc:
            self.attached = False
            self.detached_reason = f"broker connection lost: {type(exc).__name__}: {exc}"
            raise
        self.attached, self.detached_reason = False, "stopped consuming"


class ReliableQueueConsumer(AttachedQueueConsumer):
    """nameko's queue consumer, but an undecodable body goes to its provider instead of killing
    the consumer thread (kombu raises from ``drain_events`` when no ``on_decode_error`` is set)."""

    def get_consumers(self, consumer_cls: type[Consumer], channel: Any) -> list[Consumer]:
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(provider.handle_undecodable)
        return consumers


class ReliableEventHandler(EventHandler):
    queue_consumer = ReliableQueueConsumer()

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.kind = event_type(name)
        super().__init__(self.kind.source, name, reliable_delivery=True, requeue_on_error=False, **kwargs)

    # -- lifecycle ---------------------------------------------------------------------------
    def make_queue(self, service: str) -> Queue:
        if self.event_type not in SUBSCRIPTIONS.get(service, ()):
            raise RuntimeError(
                f"{service} handles {self.event_type} but the subscription registry "
                "does not say so: its queue would not be declared up front"
            )
        return topology.consumer_queue(service, self.event_type)

    def setup(self) -> None:
        service = self.container.service_name
        self.queue = self.make_queue(service)
        # The administrator declared it with its bindings; the service's user may only consume
        # it (shared.messaging.rights), so kombu must not declare it: checked passively below.
        # kombu sets its entities' ``attrs`` at run time; its types leave ``no_declare`` out
        self.queue.no_declare = True  # type: ignore[attr-defined]
        config = self.container.config
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
        self.retry_delays = tuple(
            int(ms) for ms in config.get("EVENT_RETRY_DELAYS_MS", DEFAULT_RETRY_DELAYS_MS)
        )
        self.trusted_users = config.get("EVENT_PUBLISHER_USERS") or {}
        # the services on this broker: the others' events arrive by federation
        self.local_sources = broker_services(config.get("BROKER_SERVICES"))
        self.keys_dir = keys.keys_dir(config)
        keys.key_ring(self.keys_dir)  # unreadable public keys stop the start, not each message
        self.dead_letter_queue = topology.dead_letter_queue(service)
        self.dead_letter_exchange = topology.dead_letter_exchange(service)
        amqp_uri = config["AMQP_URI"]
        from kombu import Connection

        self.own_user = Connection(amqp_uri).userid
        topology.require_on(
            amqp_uri,
            [
                self.queue,
                self.dead_letter_exchange,
                *[topology.delay_exchange(ms) for ms in self.retry_delays],
            ],
        )
        self.publisher = Publisher(
            amqp_uri,
            use_confirms=True,
            mandatory=True,
            retry=False,
            declare=[],
            ssl=tls.ssl_options(amqp_uri, config.get(tls.AMQP_SSL)),
        )
        self.queue_consumer.register_provider(self)

    # -- receiving ---------------------------------------------------------------------------
    def handle_message(self, body: Any, message: Message) -> None:
        event = self._accepted(body, message)
        if event is not None:
            self._spawn_one(message, event)

    def _accepted(self, body: Any, message: Message) -> Event | None:
        """The message's event when its envelope, signature and properties hold; else it is
        dead-lettered here, alone, and None."""
        try:
            event = load_event(body)
            signing.verify(body, keys.key_ring(self.keys_dir))
            self._check_properties(message, event)
        except InvalidEvent as exc:
            self._give_up(message, "invalid", str(exc), exc.details)
            return None
        return event

    def _spawn_one(
        self,
        message: Message,
        event: Event,
        handle_result: Callable[..., tuple[Any, ExcInfo | None]] | None = None,
    ) -> None:
        context = {
            "correlation_id": event.correlation_id,
            "project_code": event.project_code,
            "message_id": event.message_id,
            "traceparent": event.traceparent,
        }  # the emitter's trace goes on (issue 17)
        try:
            self.container.spawn_worker(
                self,
                self._arguments(event),
                {},
                context_data=context,
                handle_result=handle_result or partial(self.handle_result, message),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)
            if handle_result is not None:
                raise

    def _arguments(self, event: Event) -> tuple:
        return (event,)

    def handle_undecodable(self, message: Message, exc: Exception) -> None:
        self._give_up(message, "invalid", f"undecodable body: {exc}", None)

    def _check_properties(self, message: Message, event: Event) -> None:
        props = message.properties
        if props.get("message_id") != event.message_id:
            raise InvalidEvent("AMQP message_id missing or differs from the envelope's")
        user = props.get("user_id")
        if not user and self._arrived_federated(message, event):
            return  # federation clears user_id: the signature, verified above, is the proof
        if not user:
            raise InvalidEvent("no user_id: the publisher's identity is unverified")
        expected = self.trusted_users.get(event.source)
        if expected and user not in (expected, self.own_user):
            raise InvalidEvent(f"user {user!r} may not publish {event.source} events")

    def _arrived_federated(self, message: Message, event: Event) -> bool:
        """An event of a source published on another broker, copied here by a federation link
        (which adds ``x-received-from`` and clears ``user_id``). Only for sources not on this
        broker (``BROKER_SERVICES``): a local source's events must still come from its own
        broker user."""
        hops = (message.headers or {}).get("x-received-from")
        return event.source not in self.local_sources and isinstance(hops, list) and bool(hops)

    def handle_result(
        self, message: Message, worker_ctx: WorkerContext, result: Any = None, exc_info: ExcInfo | None = None
    ) -> tuple[Any, ExcInfo | None]:
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            observability.event_handled(self.container.service_name, _routed_type(message))
            return result, exc_info
        error = exc_info[1]
        reason = f"{type(error).__name__}: {error}"
        if isinstance(error, (InvalidEvent, PermanentError)):
            self._give_up(message, "rejected", reason, getattr(error, "details", None))
        else:
            attempt = self._attempt(message)
            if attempt < self.max_attempts:
                self._retry(message, attempt, reason)
            else:
                self._give_up(message, "exhausted", f"after {attempt} attempts: {reason}", None)
        return result, exc_info

    # -- outcomes ----------------------------------------------------------------------------
    @staticmethod
    def _attempt(message: Message) -> int:
        try:
            return max(1, int((message.headers or {}).get(ATTEMPT_HEADER, 1)))
        except (TypeError, ValueError):
            return 1

    def _retry(self, message: Message, attempt: int, reason: str) -> None:
        delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
        log.warning(
            "event handling failed (attempt %s of %s), retrying in %s ms: %s",
            attempt,
            self.max_attempts,
            delay,
            reason,
            extra={"queue": self.queue.name},
        )
        headers = dict(
            message.headers or {}, **{ATTEMPT_HEADER: attempt + 1, "x-govproj-last-error": reason[:1000]}
        )
        observability.event_retried(self.container.service_name, _routed_type(message))
        self._republish(
            message, Exchange(topology.delay_exchange(delay).name, type="topic"), self.queue.name, headers
        )

    def _give_up(self, message: Message, outcome: str, reason: str, details: Any) -> None:
        log.error(
            "event dead-lettered (%s): %s",
            outcome,
            reason,
            extra={"queue": self.queue.name, "details": details},
        )
        headers = dict(
            message.headers or {},
            **{
                "x-govproj-dead-outcome": outcome,
                "x-govproj-dead-reason": reason[:2000],
                "x-govproj-dead-details": json.dumps(details, ensure_ascii=False, default=str)[:4000],
                "x-govproj-original-queue": self.queue.name,
                "x-govproj-dead-at": datetime.now(UTC).isoformat(),
                ATTEMPT_HEADER: self._attempt(message),
            },
        )
        observability.event_dead_lettered(self.container.service_name, _routed_type(message), outcome)
        self._republish(message, self.dead_letter_exchange, self.dead_letter_queue.name, headers)

    def _republish(
        self, message: Message, exchange: Exchange, routing_key: str, headers: dict[str, Any]
    ) -> None:
        props = message.properties
        try:
            self.publisher.publish(
                message.body,
                exchange=exchange,
                routing_key=routing_key,
                headers=headers,
                content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary",
                message_id=props.get("message_id"),
                user_id=self.own_user,
            )
        except Exception:
            log.exception("could not move the message aside; requeueing it")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


reliable_handler = ReliableEventHandler.decorator


def _routed_type(message: Message) -> str:
    """The event type a message was published as (its routing key), for the metrics."""
    return str((message.delivery_info or {}).get("routing_key") or "unknown")[:64]


DEFAULT_BATCH_SIZE = 100
DEFAULT_BATCH_LINGER_MS = 5


class BatchingQueueConsumer(ReliableQueueConsumer):
    """Its own consumer (own channel, own prefetch) for batching handlers: room for two batches
    in flight, so the next fills while one commits (``EVENT_BATCH_SIZE``)."""

    @property
    def prefetch_count(self) -> int:
        return 2 * int(self.container.config.get("EVENT_BATCH_SIZE") or DEFAULT_BATCH_SIZE)


_STOP = object()


class BatchingEventHandler(ReliableEventHandler):
    """The reliable handler, taking deliveries in batches (issue 19) where the effects allow it.

    Each delivery is checked on arrival as by ``ReliableEventHandler`` — envelope, signature,
    properties: an invalid one is dead-lettered alone at once. The valid ones queue up; one
    batcher thread takes what is waiting, up to ``EVENT_BATCH_SIZE`` (default 100), lingering
    ``EVENT_BATCH_LINGER_MS`` (default 5) for more when fewer wait, and hands the batch to ONE
    worker: the service method receives a list of events and applies them in one transaction
    (``Store.handle_batch_once``). Committed: every message of the batch is acked. Failed: each
    event of the batch is handled again alone (a list of one), so its outcome — ack, retry
    through the delay queue, dead letter — is its own, exactly as with the reliable handler.
    One batch at a time per handler: while it commits the next fills up, so batches grow with
    the load and a quiet queue costs one linger of latency.
    """

    queue_consumer = BatchingQueueConsumer()

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.batch_size = max(1, int(config.get("EVENT_BATCH_SIZE") or DEFAULT_BATCH_SIZE))
        linger_ms = config.get("EVENT_BATCH_LINGER_MS")
        self.linger = float(DEFAULT_BATCH_LINGER_MS if linger_ms in (None, "") else linger_ms) / 1000
        self.grace = float(config.get("GRACEFUL_STOP_SECONDS") or 25)
        self._waiting: LightQueue = LightQueue()
        self._batcher = None

    def start(self) -> None:
        super().start()
        self._batcher = self.container.spawn_managed_thread(
            self._batches, identifier=f"{type(self).__name__}.batches"
        )

    def stop(self) -> None:
        super().stop()  # no new deliveries; then what is waiting is handled before we return
        self._waiting.put(_STOP)
        if self._batcher is not None:
            with eventlet.Timeout(self.grace, False):
                self._batcher.wait()

    def kill(self) -> None:
        if self._batcher is not None:
            self._batcher.kill()
        super().kill()

    def handle_message(self, body: Any, message: Message) -> None:
        event = self._accepted(body, message)
        if event is not None:
            self._waiting.put((message, event))

    def _arguments(self, event: Event) -> tuple:
        return ([event],)

    # -- the batcher -------------------------------------------------------------------------
    def _batches(self) -> None:
        while True:
            first = self._waiting.get()
            if first is _STOP:
                return
            batch, stop = [first], False
            deadline = time.monotonic() + self.linger
            while len(batch) < self.batch_size:
                try:
                    if self._waiting.qsize():
                        item = self._waiting.get_nowait()
                    else:
                        item = self._waiting.get(timeout=max(0.0, deadline - time.monotonic()))
                except Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            try:
                self._handle(batch)
            except ContainerBeingKilled:
                return
            except Exception:  # never lose the thread: the messages stay unacked, redelivered
                log.exception("a batch of %s events could not be handed to a worker", len(batch))
            if stop:
                return

    def _handle(self, batch: list) -> None:
        if len(batch) == 1:
            self._alone(batch)
            return
        done: Event_ = Event_()
        events = [event for _, event in batch]
        try:
            self.container.spawn_worker(
                self,
                (events,),
                {},
                context_data={"batch_size": len(events)},
                handle_result=partial(self._batch_result, batch, done),
            )
        except ContainerBeingKilled:
            for message, _ in batch:
                self.queue_consumer.requeue_message(message)
            raise
        if not done.wait():
            self._alone(batch)

    def _batch_result(
        self,
        batch: list,
        done: Event_,
        worker_ctx: WorkerContext,
        result: Any = None,
        exc_info: ExcInfo | None = None,
    ) -> tuple[Any, ExcInfo | None]:
        try:
            if exc_info is None:
                for message, _ in batch:
                    self.queue_consumer.ack_message(message)
                    observability.event_handled(self.container.service_name, _routed_type(message))
            else:
                error = exc_info[1]
                log.warning(
                    "a batch of %s events failed (%s: %s): handling each alone",
                    len(batch),
                    type(error).__name__,
                    error,
                    extra={"queue": self.queue.name},
                )
        finally:
            done.send(exc_info is None)
        return result, exc_info

    def _alone(self, batch: list) -> None:
        """Each event in a worker of its own, one after the other (in arrival order), with the
        reliable handler's per-message outcome."""
        for message, event in batch:
            done: Event_ = Event_()
            self._spawn_one(message, event, partial(self._one_result, message, done))
            done.wait()

    def _one_result(
        self,
        message: Message,
        done: Event_,
        worker_ctx: WorkerContext,
        result: Any = None,
        exc_info: ExcInfo | None = None,
    ) -> tuple[Any, ExcInfo | None]:
        try:
            return self.handle_result(message, worker_ctx, result, exc_info)
        finally:
            done.send(None)


batched_handler = BatchingEventHandler.decorator


class AuditTrailHandler(BatchingEventHandler):
    """One queue that receives every event of every service, taken in batches: the service
    method receives a list of events (``services/supervision/audit_process.py``)."""

    def __init__(self, **kwargs: Any) -> None:
        EventHandler.__init__(self, "*", "*", reliable_delivery=True, requeue_on_error=False, **kwargs)

    def make_queue(self, service: str) -> Queue:
        if service != topology.AUDIT_TRAIL_CONSUMER:
            raise RuntimeError(f"the audit trail is {topology.AUDIT_TRAIL_CONSUMER}'s, not {service}'s")
        return topology.audit_trail_queue()


audit_trail_handler = AuditTrailHandler.decorator
