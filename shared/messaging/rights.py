"""Who may do what on the broker: each agency's user, derived from the event registry.

One derivation (issue 13) feeds ``govproj topology``/``govproj run`` (local users), the test
tiers (a fresh vhost per test) and the Kubernetes manifests (``Permission`` and
``TopicPermission`` resources, shared.messaging.manifests), so they cannot drift apart.

RabbitMQ checks a regular expression over resource names per operation: *configure* for declaring
or deleting a queue or exchange, *write* for publishing to an exchange and for the queue side of
``queue.bind``, *read* for consuming, fetching or purging a queue and for the exchange side of
``queue.bind``; passive declarations need nothing. On a topic exchange a topic permission also
matches the routing key of each publish (write) and the binding key of each ``queue.bind`` (read);
without one, every key is allowed — so every topic exchange a user may write to gets one here.

A service (user ``govproj-<service>``):

- publishes its own event types only, on its own ``<service>.events`` exchange;
- consumes its event queues and ``rpc-<service>``; it declares, binds and consumes only its own
  exclusive reply queues ``rpc.reply-<service>-<uuid>`` (``govproj probe`` in its pod);
- moves its own messages aside: into its dead-letter queue through ``govproj.dlx.<service>``, and
  back into its own queues through the delay exchanges (the routing key names the target queue);
- answers RPC requests (replies are published to ``nameko-rpc`` under the caller's reply key) and
  calls no RPC method but its own ``health``.

It cannot declare or delete anything else, consume or purge another's queue, publish through the
default exchange (which reaches every queue), or bind a queue to listen in on others' RPC requests.

The gateway (``govproj-gateway``) only publishes RPC requests to the six services and consumes its
own reply queues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.events.registry import SERVICES, publishers_of
from shared.messaging import topology

GATEWAY = "gateway"
PRINCIPALS = (*SERVICES, GATEWAY)
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTHING = "^$"
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def broker_user(principal: str) -> str:
    return f"govproj-{principal}"


def reply_queue_pattern(principal: str) -> str:
    """The exclusive reply queues ``principal`` may declare (and the key it binds them with)."""
    return rf"rpc\.reply-{principal}-{UUID}"


# Whose replies a service may send: reply keys of our clients (the gateway, a probe) and of
# nameko's standalone proxy (a bare uuid: `govproj status`, tests). None of them can be a request,
# whose key is `<service>.<method>`.
ANY_REPLY_KEY = rf"(rpc\.reply-[a-z_]+-)?{UUID}"


@dataclass(frozen=True)
class TopicRights:
    exchange: str
    write: str
    read: str


@dataclass(frozen=True)
class Rights:
    principal: str
    configure: str
    write: str
    read: str
    topics: tuple[TopicRights, ...]

    @property
    def user(self) -> str:
        return broker_user(self.principal)


def _exactly(names: Iterable[str], patterns: Iterable[str] = ()) -> str:
    """A regex matching exactly these names (escaped) and patterns (as given)."""
    alternatives = []
    for name in sorted(set(names)):
        if not _NAME.match(name):
            raise ValueError(f"unexpected character in broker name {name!r}")
        alternatives.append(name.replace(".", r"\."))
    alternatives += list(patterns)
    return f"^({'|'.join(alternatives)})$" if alternatives else NOTHING


def service_rights(service: str, retry_delays_ms: Iterable[int]) -> Rights:
    own_events = publishers_of(service)
    events = topology.events_exchange(service).name
    queues = topology.own_queue_names(service)
    delays = sorted({topology.delay_exchange(ms).name for ms in retry_delays_ms})
    reply = reply_queue_pattern(service)
    topics = [
        TopicRights(
            topology.RPC_EXCHANGE,
            write=_exactly([f"{service}.health"], [ANY_REPLY_KEY]),
            read=_exactly([], [reply]),
        ),
        *[TopicRights(delay, write=_exactly(queues), read=NOTHING) for delay in delays],
    ]
    if own_events:
        topics.insert(0, TopicRights(events, write=_exactly(own_events), read=NOTHING))
    return Rights(
        principal=service,
        configure=_exactly([], [reply]),
        write=_exactly(
            [
                *([events] if own_events else []),
                topology.dead_letter_exchange(service).name,
                *delays,
                topology.RPC_EXCHANGE,
            ],
            [reply],
        ),
        read=_exactly([*queues, topology.rpc_queue_name(service), topology.RPC_EXCHANGE], [reply]),
        topics=tuple(topics),
    )


def gateway_rights() -> Rights:
    reply = reply_queue_pattern(GATEWAY)
    requests = rf"({'|'.join(SERVICES)})\.[a-z_][a-z0-9_]*"
    return Rights(
        principal=GATEWAY,
        configure=_exactly([], [reply]),
        write=_exactly([topology.RPC_EXCHANGE], [reply]),
        read=_exactly([topology.RPC_EXCHANGE], [reply]),
        topics=(
            TopicRights(topology.RPC_EXCHANGE, write=_exactly([], [requests]), read=_exactly([], [reply])),
        ),
    )


def rights_of(principal: str, retry_delays_ms: Iterable[int] = topology.DEFAULT_RETRY_DELAYS_MS) -> Rights:
    if principal == GATEWAY:
        return gateway_rights()
    if principal not in SERVICES:
        raise LookupError(f"no broker rights for {principal!r}")
    return service_rights(principal, retry_delays_ms)


def all_rights(retry_delays_ms: Iterable[int] = topology.DEFAULT_RETRY_DELAYS_MS) -> list[Rights]:
    delays = tuple(retry_delays_ms)
    return [rights_of(principal, delays) for principal in PRINCIPALS]


def publisher_users(user_of: Any = broker_user) -> dict[str, str]:
    """``EVENT_PUBLISHER_USERS``: each source's events are trusted only from its own user."""
    return {service: user_of(service) for service in SERVICES}
