"""The echo baseline's front for bench/gateway.py: gunicorn (the gateway's settings) answering
each GET with ONE plain pika RPC to bench/echo_service.py — the least a gateway that reads over
nameko RPC can do: one connection and reply queue per thread, a transient request, the reply.
No authentication, no signing, no checks. ``BENCH_AMQP_URI`` names the broker (and vhost)."""

from __future__ import annotations

import json
import os
import threading
import uuid

import pika

DOC = {"code": "SD-2026-000001", "status": "draft"}
_local = threading.local()


class _Rpc:
    def __init__(self) -> None:
        self.connection = pika.BlockingConnection(pika.URLParameters(os.environ["BENCH_AMQP_URI"]))
        self.channel = self.connection.channel()
        self.reply_queue = f"rpc.reply-bench-{uuid.uuid4()}"
        self.channel.queue_declare(self.reply_queue, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.reply_queue, "nameko-rpc", routing_key=self.reply_queue)
        self.replies: dict[str, bytes] = {}
        self.channel.basic_consume(self.reply_queue, self._on_reply, auto_ack=True)

    def _on_reply(self, channel, method, properties, body) -> None:
        self.replies[properties.correlation_id] = body

    def call(self, value):
        correlation_id = str(uuid.uuid4())
        self.channel.basic_publish(
            "nameko-rpc",
            "bench_echo.echo",
            json.dumps({"args": [value], "kwargs": {}}),
            pika.BasicProperties(
                content_type="application/json",
                content_encoding="utf-8",
                reply_to=self.reply_queue,
                correlation_id=correlation_id,
                delivery_mode=1,
            ),
        )
        while correlation_id not in self.replies:
            self.connection.process_data_events(time_limit=1)
        return json.loads(self.replies.pop(correlation_id))["result"]


def app(environ, start_response):
    rpc = getattr(_local, "rpc", None)
    if rpc is None:
        rpc = _local.rpc = _Rpc()
    body = json.dumps(rpc.call(DOC)).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
