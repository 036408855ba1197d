"""nameko's RPC wire protocol over pika, for a process that must not use eventlet.

One BlockingConnection per thread (pika's connections are not thread-safe), opened lazily, so
after gunicorn forks. A call publishes ``{"args", "kwargs"}`` to the ``nameko-rpc`` exchange with
routing key ``service.method``, ``mandatory``, ``reply_to`` this thread's exclusive reply queue and
a correlation id, and waits at most ``timeout`` seconds. One broker round trip per call (issue 19):

- the request is transient (``delivery_mode`` 1) and its publisher confirm is not awaited: the
  reply is the acknowledgement. A request lost on the way is never answered, which the caller
  already sees as ``OutcomeUnknown`` (a write: 202 with its request id, the service acting at most
  once per id; ``GET /requests/{id}`` says whether it ran) — never as a 503.
- a request no queue takes comes back (``basic.return`` of a ``mandatory`` publish), which
  proves it was not delivered: ``ServiceUnavailable`` (503), read from the connection's events
  while waiting for the reply.
- whether someone consumes the service's queue is known per connection: a reply, or a passive
  check, within the last ``READ_TRUST_SECONDS`` says so for a READ (no per-call check; one sent
  to a queue nobody consumes any more is noticed by the check every second while waiting, and
  carries an expiry, its timeout, so it never piles up there).
  A WRITE is still checked before it is sent, unless a reply of the last ``TRUST_SECONDS`` came
  from the service on this connection: a command must not wait in a queue nobody consumes while
  its caller is told 503 (``ServiceUnavailable`` means "nothing was delivered").
- while waiting, the queue is checked again every second, so a service that stops mid-call is
  reported promptly too (``OutcomeUnknown``: it may yet run).

``gather`` sends several reads before waiting for any (reads composed from several services).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

import pika
from pika.exceptions import AMQPConnectionError, AMQPError, ChannelClosedByBroker, UnroutableError

from shared import callers
from shared.authz import Identity
from shared.keys import SigningKey

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
TRUST_SECONDS = 1.0  # a service seen consuming (a reply, a passive check) this recently serves
READ_TRUST_SECONDS = 10.0  # … for a read, which at worst waits a second more to find it gone


class ServiceUnavailable(Exception):
    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class OutcomeUnknown(ServiceUnavailable):
    """The request was (or may have been) delivered, and no answer came: it may yet run. A read
    is simply unavailable; a write is answered 202 with its request id, never a plain 503."""


class RemoteError(Exception):
    """The service raised: ``exc_type`` and ``value`` as nameko serialised them."""

    def __init__(self, exc_type: str, value: str) -> None:
        super().__init__(f"{exc_type}: {value}")
        self.exc_type = exc_type
        self.value = value


class _ThreadConnection:
    def __init__(self, amqp_uri: str) -> None:
        params = pika.URLParameters(amqp_uri)
        params.heartbeat = 60
        params.blocked_connection_timeout = 10
        params.socket_timeout = 5
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        # no publisher confirms: the reply acknowledges a request; a request no queue takes
        # comes back (mandatory) and is read here while waiting
        self.returned: set[str] = set()
        self.channel.add_on_return_callback(self._on_return)
        # the administrator's exchange (`govproj topology`): the gateway's user may not declare
        # it, only check it and bind its own reply queue (shared.messaging.rights)
        self.channel.exchange_declare(RPC_EXCHANGE, exchange_type="topic", passive=True)
        self.reply_queue = f"rpc.reply-gateway-{uuid.uuid4()}"
        self.channel.queue_declare(self.reply_queue, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.reply_queue, RPC_EXCHANGE, routing_key=self.reply_queue)
        self.replies: dict[str, dict] = {}
        self.awaiting: set[str] = set()  # late replies to abandoned calls are dropped
        self.channel.basic_consume(self.reply_queue, self._on_reply, auto_ack=True)
        self.probe = self.connection.channel()
        self.seen_consumers: dict[str, float] = {}  # service → when last seen consuming
        self.replies_seen: dict[str, float] = {}  # service → when it last replied here
        self.service_of: dict[str, str] = {}  # correlation id → service awaited

    def _on_return(self, channel, method, properties, body) -> None:
        if properties.correlation_id in self.awaiting:
            self.returned.add(properties.correlation_id)

    def _on_reply(self, channel, method, properties, body) -> None:
        if properties.correlation_id not in self.awaiting:
            return
        service = self.service_of.get(properties.correlation_id)
        if service is not None:  # it answered: it consumes its queue
            self.seen_consumers[service] = self.replies_seen[service] = time.monotonic()
        try:
            self.replies[properties.correlation_id] = json.loads(body)
        except ValueError:
            log.error("undecodable RPC reply", extra={"correlation_id": properties.correlation_id})

    def consumers(self, service: str) -> int:
        """How many workers listen on the service's RPC queue (0 when it does not exist)."""
        try:
            return self.probe.queue_declare(f"rpc-{service}", passive=True).method.consumer_count
        except ChannelClosedByBroker:  # 404: the service never started
            self.probe = self.connection.channel()
            return 0

    def serving(self, service: str, trust_recent: bool = False) -> bool:
        """Someone consumes the service's queue. A reply from it within ``TRUST_SECONDS`` is
        trusted always; for reads (``trust_recent``) a reply or a passive check within
        ``READ_TRUST_SECONDS``."""
        now = time.monotonic()
        if now - self.replies_seen.get(service, -60.0) < TRUST_SECONDS:
            return True
        if trust_recent and now - self.seen_consumers.get(service, -60.0) < READ_TRUST_SECONDS:
            return True
        if self.consumers(service) == 0:
            self.seen_consumers.pop(service, None)
            return False
        self.seen_consumers[service] = now
        return True

    def close(self) -> None:
        try:
            self.connection.close()
        except AMQPError:
            pass


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 10.0, caller_key: SigningKey | None = None) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.caller_key = caller_key  # the gateway's: it signs each caller for each service
        self._issue = callers.Issuer(caller_key) if caller_key is not None else None
        self._local = threading.local()

    def _headers(self, service: str, context: dict | None) -> dict:
        """nameko's context headers; the caller's Identity travels as an assertion signed for
        this one service (``shared.callers``) — a plain header would be refused."""
        headers = {}
        for key, value in (context or {}).items():
            if isinstance(value, Identity):
                if self.caller_key is None:
                    raise RuntimeError("the gateway has no signing key to vouch for callers")
                value = self._issue(value, service)
            headers[f"nameko.{key}"] = value
        return headers

    def _connection(self) -> _ThreadConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or not conn.connection.is_open:
            conn = self._local.conn = _ThreadConnection(self.amqp_uri)
        return conn

    def _reset(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def call(
        self,
        service: str,
        method: str,
        *args: Any,
        context: dict[str, str] | None = None,
        timeout: float | None = None,
        read: bool = False,
        **kwargs: Any,
    ) -> Any:
        """``read=True``: a query, which may trust what this connection knows of the service
        and expires unread after its timeout; otherwise a command (checked before it is sent
        unless the service replied here within ``TRUST_SECONDS``)."""
        timeout = timeout or self.timeout
        conn, correlation_id = self._send(
            service, method, args, kwargs, context, trust_recent=read, expiration=timeout if read else None
        )
        return self._wait(conn, service, correlation_id, timeout)

    def gather(
        self, calls: list[tuple], context: dict[str, str] | None = None, timeout: float | None = None
    ) -> list[tuple[Any, Exception | None]]:
        """``[(service, method, *args), …]`` sent at once, answered in order as
        ``(result, None)`` or ``(None, error)``: the services work in parallel."""
        sent: list[tuple[str, Any]] = []
        for service, method, *args in calls:
            try:
                sent.append(
                    (
                        service,
                        self._send(
                            service,
                            method,
                            args,
                            {},
                            context,
                            trust_recent=True,
                            expiration=timeout or self.timeout,
                        ),
                    )
                )
            except ServiceUnavailable as exc:
                sent.append((service, exc))
        out: list[tuple[Any, Exception | None]] = []
        for service, handle in sent:
            if isinstance(handle, Exception):
                out.append((None, handle))
                continue
            conn, correlation_id = handle
            try:
                out.append((self._wait(conn, service, correlation_id, timeout or self.timeout), None))
            except (RemoteError, ServiceUnavailable) as exc:
                out.append((None, exc))
        return out

    def _send(
        self,
        service: str,
        method: str,
        args,
        kwargs,
        context,
        trust_recent: bool = False,
        expiration: float | None = None,
    ) -> tuple[Any, str]:
        """Publish the request. A publish that failed midway may still have reached the queue:
        the second attempt carries the same request id (the service acts once per id), and if
        that attempt cannot be made either, the outcome is unknown — not "unavailable"."""
        maybe_sent = False
        for attempt in (1, 2):  # one reconnect
            try:
                conn = self._connection()
                if not conn.serving(service, trust_recent):
                    raise ServiceUnavailable(service, "no instance is running")
                correlation_id = str(uuid.uuid4())
                conn.awaiting.add(correlation_id)
                conn.service_of[correlation_id] = service
                maybe_sent = True
                headers = self._headers(service, context)
                headers.setdefault("nameko.call_id_stack", [f"gateway.{correlation_id}"])
                conn.channel.basic_publish(
                    RPC_EXCHANGE,
                    f"{service}.{method}",
                    json.dumps({"args": list(args), "kwargs": kwargs}, ensure_ascii=False),
                    pika.BasicProperties(
                        content_type="application/json",
                        content_encoding="utf-8",
                        reply_to=conn.reply_queue,
                        correlation_id=correlation_id,
                        headers=headers,
                        delivery_mode=1,  # transient: the reply acks it
                        expiration=None if expiration is None else str(max(1, int(expiration * 1000))),
                    ),
                    mandatory=True,
                )
                return conn, correlation_id
            except ServiceUnavailable as exc:
                if maybe_sent:
                    raise OutcomeUnknown(service, f"sent once, then {exc.reason}") from None
                raise
            except UnroutableError:
                conn.awaiting.discard(correlation_id)  # no reply will come
                if attempt == 2:
                    raise OutcomeUnknown(service, "sent once, then no queue") from None
                raise ServiceUnavailable(service, "no queue for this service") from None
            except (AMQPConnectionError, AMQPError, OSError) as exc:
                self._reset()
                if attempt == 2:
                    error = OutcomeUnknown if maybe_sent else ServiceUnavailable
                    raise error(service, f"broker unreachable: {exc}") from None
        raise AssertionError("unreachable")

    def _wait(self, conn: _ThreadConnection, service: str, correlation_id: str, timeout: float) -> Any:
        checked = time.monotonic()
        deadline = checked + timeout
        try:
            while correlation_id not in conn.replies:
                if correlation_id in conn.returned:  # no queue took it: nothing delivered
                    conn.returned.discard(correlation_id)
                    conn.seen_consumers.pop(service, None)
                    raise ServiceUnavailable(service, "no queue for this service")
                now = time.monotonic()
                if now >= deadline:
                    raise OutcomeUnknown(service, f"no answer within {timeout:g} s")
                # still someone to answer? (at once if a call of this connection just found
                # nobody: the reads gathered with it need not wait a second each to learn it)
                if now - checked >= 1.0 or service not in conn.seen_consumers:
                    if conn.consumers(service) == 0:
                        conn.seen_consumers.pop(service, None)  # the next call checks first
                        raise OutcomeUnknown(service, "stopped while the call waited")
                    conn.seen_consumers[service] = checked = now
                conn.connection.process_data_events(time_limit=min(deadline - now, 1.0))
        except (AMQPConnectionError, AMQPError, OSError) as exc:
            self._reset()
            raise OutcomeUnknown(service, f"connection lost: {exc}") from None
        finally:
            conn.awaiting.discard(correlation_id)
            conn.service_of.pop(correlation_id, None)
        reply = conn.replies.pop(correlation_id)
        error = reply.get("error")
        if error:
            raise RemoteError(error.get("exc_type", "Exception"), error.get("value", ""))
        return reply.get("result")

    def broker_problem(self) -> str | None:
        """None when this thread's broker connection is open and the RPC exchange answers a
        passive check, else why not: the gateway's readiness (issue 17)."""
        try:
            conn = self._connection()
            conn.connection.process_data_events(time_limit=0)
            conn.probe.exchange_declare(RPC_EXCHANGE, exchange_type="topic", passive=True)
        except Exception as exc:  # unreachable, refused, closed, the exchange missing
            self._reset()
            return f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
        return None

    def close(self) -> None:
        self._reset()


def service_uris(config: dict, environ: dict | None = None) -> dict[str, str]:
    """A broker per service where its agency runs its own (README, Agencies apart):
    ``AMQP_URI_<SERVICE>`` (config, else environment) overrides ``AMQP_URI`` for its RPCs."""
    import os

    from shared.events.registry import SERVICES

    environ = os.environ if environ is None else environ
    out = {}
    for service in SERVICES:
        key = f"AMQP_URI_{service.upper()}"
        if uri := (config.get(key) or environ.get(key)):
            out[service] = uri
    return out


class RoutedRpcClient:
    """``RpcClient``'s interface over several brokers: each service's calls go to its own
    broker's client (``service_uris``), the others to the default one."""

    def __init__(self, default: RpcClient, by_service: dict[str, RpcClient]) -> None:
        self.default = default
        self.by_service = by_service

    @classmethod
    def from_uris(
        cls, amqp_uri: str, uris: dict[str, str], timeout: float = 10.0, caller_key: SigningKey | None = None
    ) -> RoutedRpcClient | RpcClient:
        default = RpcClient(amqp_uri, timeout, caller_key=caller_key)
        clients = {amqp_uri: default}
        for uri in uris.values():
            clients.setdefault(uri, RpcClient(uri, timeout, caller_key=caller_key))
        if len(clients) == 1:
            return default
        return cls(default, {service: clients[uri] for service, uri in uris.items()})

    @property
    def timeout(self) -> float:
        return self.default.timeout

    def client(self, service: str) -> RpcClient:
        return self.by_service.get(service, self.default)

    def call(self, service: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.client(service).call(service, method, *args, **kwargs)

    def gather(
        self, calls: list[tuple], context: dict[str, str] | None = None, timeout: float | None = None
    ) -> list[tuple[Any, Exception | None]]:
        """Each broker's share sent at once, as ``RpcClient.gather``; answered in order."""
        groups: dict[int, list[int]] = {}
        clients: dict[int, RpcClient] = {}
        for i, (service, *_) in enumerate(calls):
            client = self.client(service)
            clients[id(client)] = client
            groups.setdefault(id(client), []).append(i)
        out: list[tuple[Any, Exception | None]] = [(None, None)] * len(calls)
        for key, indexes in groups.items():
            answers = clients[key].gather([calls[i] for i in indexes], context, timeout)
            for i, answer in zip(indexes, answers, strict=True):
                out[i] = answer
        return out

    def close(self) -> None:
        for client in {id(c): c for c in (self.default, *self.by_service.values())}.values():
            client.close()
