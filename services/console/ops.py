"""What the operator's page shows: each service's health over the bus (the same ``health`` RPC
as ``/readyz`` and ``govproj status``: database, outbox backlog, today's date) and how many
messages wait in each service's dead-letter queue."""

from __future__ import annotations

import logging
from typing import Any

import pika
from pika.exceptions import AMQPError, ChannelClosedByBroker

from shared.config import SERVICES
from shared.messaging import topology

log = logging.getLogger("govproj.console")


def health(rpc: Any) -> dict[str, dict]:
    """Every service's ``health`` answer, asked at once; a service that does not answer is
    down, with the reason."""
    answers = rpc.gather([(service, "health") for service in SERVICES], timeout=3)
    out = {}
    for service, (result, error) in zip(SERVICES, answers, strict=True):
        out[service] = (
            result
            if error is None
            else {"status": "down", "error": getattr(error, "reason", type(error).__name__)}
        )
    return out


def dead_letters(amqp_uri: str) -> dict[str, int | None]:
    """Messages waiting in ``govproj.dlq.<service>`` (None: the queue is not declared, or the
    broker did not answer)."""
    counts: dict[str, int | None] = dict.fromkeys(SERVICES)
    params = pika.URLParameters(amqp_uri)
    params.socket_timeout = 3
    try:
        connection = pika.BlockingConnection(params)
    except (AMQPError, OSError):
        log.warning("operator page: the broker is unreachable", exc_info=True)
        return counts
    try:
        for service in SERVICES:
            channel = connection.channel()
            try:
                declared = channel.queue_declare(topology.dead_letter_queue_name(service), passive=True)
                counts[service] = declared.method.message_count
                channel.close()
            except ChannelClosedByBroker:  # 404: not declared yet
                pass
    finally:
        connection.close()
    return counts
