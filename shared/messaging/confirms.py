"""Publishing a batch with streamed publisher confirms and ``mandatory`` (RabbitMQ's fast path).

Waiting for each confirm before the next publish costs a broker round trip per message (and a
quorum-queue fsync); here a batch is published back to back and the confirms are collected as they
arrive. A message counts as delivered only when the broker acked it AND did not return it as
unroutable (a ``basic.return`` precedes the ack of a returned message).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from amqp import Message
from kombu import Connection

from shared.messaging import tls, topology

K = TypeVar("K")


@dataclass
class Outgoing(Generic[K]):
    key: K  # the caller's identifier (an outbox seq)
    exchange: str
    routing_key: str
    body: bytes  # the JSON document, as stored
    message_id: str
    headers: dict[str, Any] = field(default_factory=dict)


class PublishFailed(Exception):
    pass


class ConfirmingPublisher:
    def __init__(self, amqp_uri: str, confirm_timeout: float = 10.0) -> None:
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self.user_id = Connection(amqp_uri).userid
        self._conn: Connection | None = None
        self._channel: Any = None  # amqp's Channel (amqp ships no type information)
        self._declared: set[str] = set()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:  # already broken: nothing to release
                pass
        self._conn = self._channel = None
        self._declared.clear()

    def _open(self) -> Any:
        if self._channel is None:
            # No heartbeats: nothing would service them between batches; a dead connection
            # shows up as a failed publish, and we reconnect.
            self._conn = tls.connection(self.amqp_uri, heartbeat=0, connect_timeout=5)
            self._conn.connect()
            channel = self._conn.channel()
            channel.confirm_select()
            self._tag = 0
            self._acked: dict[int, bool | None] = {}
            self._returned: set[str] = set()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            self._channel = channel
        return self._channel

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, True)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, False)

    def _settle(self, tag: int, multiple: bool, ok: bool) -> None:
        for pending in [t for t in self._acked if (t <= tag if multiple else t == tag)]:
            if self._acked[pending] is None:
                self._acked[pending] = ok

    def _on_return(self, exc: Exception, exchange: str, routing_key: str, message: Message) -> None:
        self._returned.add(message.properties.get("message_id"))

    def knows(self, key: str) -> bool:
        """Has ``key``'s topology been checked on the current connection?"""
        return key in self._declared

    def require(self, key: str, entities: Any) -> None:
        """Check passively (once per connection) that what ``key``'s messages need exists; the
        publisher may not declare it (shared.messaging.rights), the administrator has."""
        if key in self._declared:
            return
        topology.require(self._open(), entities)
        self._declared.add(key)

    def publish_batch(self, batch: list[Outgoing[K]]) -> tuple[list[K], dict[K, str]]:
        """→ (keys delivered, {key: why not}). Never raises for a single bad message."""
        try:
            channel = self._open()
            conn = self._conn
            assert conn is not None  # _open() connected it
            tags: dict[int, Outgoing[K]] = {}
            for out in batch:
                self._tag += 1
                self._acked[self._tag] = None
                tags[self._tag] = out
                channel.basic_publish(
                    Message(
                        out.body,
                        content_type="application/json",
                        content_encoding="utf-8",
                        delivery_mode=2,
                        message_id=out.message_id,
                        user_id=self.user_id,
                        application_headers=out.headers,
                    ),
                    exchange=out.exchange,
                    routing_key=out.routing_key,
                    mandatory=True,
                )
            deadline = time.monotonic() + self.confirm_timeout
            while any(self._acked[t] is None for t in tags) and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    break
        except Exception as exc:  # connection lost mid-batch: all unconfirmed are failures
            self.close()
            return [], {out.key: f"{type(exc).__name__}: {exc}" for out in batch}
        delivered: list[K] = []
        failed: dict[K, str] = {}
        for tag, out in tags.items():
            state = self._acked.pop(tag)
            if out.message_id in self._returned:
                failed[out.key] = "unroutable (no queue bound)"
            elif state is None:
                failed[out.key] = "no confirm from the broker in time"
            elif state is False:
                failed[out.key] = "nacked by the broker"
            else:
                delivered.append(out.key)
        self._returned -= {out.message_id for out in batch}
        if failed:
            self.close()  # start the next attempt on a clean channel (and re-declare)
        return delivered, failed
