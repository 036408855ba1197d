"""RPC for services running under their own broker user (shared.messaging.rights).

nameko's RpcConsumer declares ``nameko-rpc`` and ``rpc-<service>`` at every start, which needs
configure rights on the shared exchange — the right to delete it for everyone. Here the queue is
the administrator's (shared.messaging.topology): the consumer checks it exists and consumes it.
Services use ``rpc`` from this module instead of ``nameko.rpc.rpc``; everything else is nameko's,
except the reply (issue 19): nameko publishes it persistent and waits for the broker's confirm
before acking the request — a disk write and a round trip for a message to an exclusive,
transient reply queue. Here it is transient and unconfirmed: a reply lost on the way is a call
that timed out, which callers already handle (a write is answered 202 with its request id and
the service acts once per id; the request, acked after the reply, is redelivered and replayed if
the connection broke first). The reply is encoded once (nameko encodes it twice: a check, then
the publish) and published through a connection the consumer keeps (nameko builds a Publisher
and a kombu Connection per reply): a tenth of a service's samples per RPC (issue 19).

A caller's refusal (``GovprojError``: not found, forbidden, invalid, a rule) is an RPC's
expected answer, not a fault: nameko logs an expected exception with its whole traceback at
WARNING (any other at ERROR) — a millisecond of a worker's CPU for every project view of a
project finance has no file of yet. Here it is one line at INFO, without the traceback; the
caller's answer carries the error, and the gateway logs the request with its status.

``call_once`` is a minimal client for a process with a user of its own: one call over an
exclusive reply queue ``rpc.reply-<client>-<uuid>``, which that client's user may declare;
``ask_health`` is the probe's (``govproj probe`` in a service's pod, as that service's user).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any

from amqp import Message
from kombu import Connection
from kombu.pools import producers
from kombu.utils import json as kombu_json
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import DEFAULT_TRANSPORT_OPTIONS, Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_RETRY_POLICY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnserializableValueError, serialize

from shared.errors import GovprojError
from shared.messaging import tls, topology
from shared.messaging.reliable import AttachedQueueConsumer

EXPECTED_PREFIX = "(expected) error handling worker"  # nameko.containers' line for them


class TransientPublisher(Publisher):
    use_confirms = False
    delivery_mode = 1  # transient
    # its own dict: nameko writes confirm_publish into the (otherwise shared) class default
    transport_options = {**DEFAULT_TRANSPORT_OPTIONS, "confirm_publish": False}


class TransientResponder(nameko_rpc.Responder):
    publisher_cls = TransientPublisher


class DeclaredRpcConsumer(nameko_rpc.RpcConsumer):
    # knows whether it consumes (the readiness probe), stops cleanly at any time (issue 17)
    queue_consumer = AttachedQueueConsumer()

    def setup(self) -> None:
        super().setup()
        self.queue.no_declare = True  # kombu then consumes it without declaring anything
        config = self.container.config
        topology.require_on(config["AMQP_URI"], [self.queue])
        self.reply_exchange = nameko_rpc.get_rpc_exchange(config)
        # the replies' producers, a pool kept from the start (kombu's, as nameko's Publisher
        # uses, without finding it again by a new Connection's hash on every reply)
        self.reply_producers = producers[
            Connection(
                config[AMQP_URI_CONFIG_KEY],
                transport_options=dict(TransientPublisher.transport_options),
                ssl=config.get(AMQP_SSL_CONFIG_KEY),
                login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
            )
        ]

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        """nameko's reply, transient and unconfirmed, encoded once (JSON requests, as the
        gateway sends; any other content type is answered by nameko's Responder)."""
        if message.properties.get("content_type") != "application/json":
            return self._nameko_reply(message, result, exc_info)
        result, exc_info, body = reply_body(result, exc_info)
        with self.reply_producers.acquire(block=True) as producer:
            producer.publish(
                body,
                exchange=self.reply_exchange,
                routing_key=message.properties["reply_to"],
                correlation_id=message.properties.get("correlation_id"),
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=TransientPublisher.delivery_mode,
                retry=True,
                retry_policy=DEFAULT_RETRY_POLICY,
            )
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _nameko_reply(self, message: Any, result: Any, exc_info: Any) -> Any:
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY],
            self.reply_exchange,
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


def reply_body(result: Any, exc_info: Any) -> tuple[Any, Any, str]:
    """(result, exc_info, body) as nameko's Responder makes them, the body encoded once with
    kombu's JSON (nameko's serializer): ``{"result", "error"}``; a result that does not encode
    is answered as nameko answers it, an ``UnserializableValueError``."""
    error = serialize(exc_info[1]) if exc_info is not None else None
    try:
        return result, exc_info, kombu_json.dumps({"result": result, "error": error})
    except Exception:
        exc_info = sys.exc_info()
        error = serialize(UnserializableValueError(result))
        return None, exc_info, kombu_json.dumps({"result": None, "error": error})


class RefusalsInOneLine(logging.Filter):
    """nameko's line for an expected exception (``Rpc``: a caller's refusal) made INFO and
    without its traceback — formatting one cost more than the read it refused."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(EXPECTED_PREFIX)):
            return True
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.exc_info, record.exc_text = None, None
        return logging.getLogger(record.name).isEnabledFor(logging.INFO)


_REFUSALS = RefusalsInOneLine()


class Rpc(nameko_rpc.Rpc):
    """nameko's RPC entrypoint on the administrator's queue, a caller's refusal expected."""

    rpc_consumer = DeclaredRpcConsumer()

    def __init__(self, expected_exceptions: Any = (GovprojError,), **kwargs: Any) -> None:
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def setup(self) -> None:
        super().setup()
        containers_log = logging.getLogger("nameko.containers")
        if _REFUSALS not in containers_log.filters:
            containers_log.addFilter(_REFUSALS)


rpc = Rpc.decorator


class NoAnswer(Exception):
    pass


class RemoteError(Exception):
    def __init__(self, exc_type: str, value: str) -> None:
        super().__init__(f"{exc_type}: {value}")
        self.exc_type = exc_type


def call_once(
    amqp_uri: str,
    client: str,
    service: str,
    method: str,
    args: Any = (),
    kwargs: Any = None,
    context: dict | None = None,
    timeout: float = 5.0,
) -> Any:
    """One RPC over nameko's wire protocol from ``client`` (whose user may declare the exclusive
    reply queues ``rpc.reply-<client>-<uuid>``): the result, RemoteError, or NoAnswer (no
    instance, timeout)."""
    reply_queue = f"rpc.reply-{client}-{uuid.uuid4()}"
    correlation_id = str(uuid.uuid4())
    replies: list = []
    returned: list = []
    with tls.connection(amqp_uri, connect_timeout=timeout) as conn:
        channel = conn.channel()
        topology.require(channel, [topology.rpc_exchange()])
        channel.queue_declare(reply_queue, exclusive=True, auto_delete=True)
        channel.queue_bind(reply_queue, topology.RPC_EXCHANGE, routing_key=reply_queue)
        channel.basic_consume(
            reply_queue,
            no_ack=True,
            callback=lambda message: (
                replies.append(message)
                if message.properties.get("correlation_id") == correlation_id
                else None
            ),
        )
        channel.events["basic_return"].add(lambda *returned_message: returned.append(1))
        headers = {f"nameko.{key}": value for key, value in (context or {}).items()}
        channel.basic_publish(
            Message(
                json.dumps({"args": list(args), "kwargs": kwargs or {}}),
                content_type="application/json",
                content_encoding="utf-8",
                reply_to=reply_queue,
                correlation_id=correlation_id,
                application_headers=headers,
            ),
            exchange=topology.RPC_EXCHANGE,
            routing_key=f"{service}.{method}",
            mandatory=True,
        )
        deadline = time.monotonic() + timeout
        while not replies and not returned:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NoAnswer(f"{service}: no answer within {timeout:g} s")
            try:
                conn.drain_events(timeout=remaining)
            except TimeoutError:
                continue
    if returned:
        raise NoAnswer(f"{service}: no queue")
    body = json.loads(replies[0].body)
    if body.get("error"):
        raise RemoteError(body["error"].get("exc_type", "Exception"), body["error"].get("value"))
    return body["result"]


def ask_health(amqp_uri: str, service: str, timeout: float = 5.0) -> dict:
    """``service``'s health, asked from its own pod under its own user (``govproj probe``)."""
    return call_once(amqp_uri, service, service, "health", timeout=timeout)
