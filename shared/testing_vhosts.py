"""Recycling a test vhost (shared.testing's ``VhostPool``): what a vhost holds, as the management
API lists it, to tell whether a test left it exactly as provisioned; waiting for its connections
to close; emptying its queues.

A vhost is reused only when nothing of a test can reach the next one through it: no connection
left (so no consumer, no unacked message, no exclusive or auto-delete queue, no process still
publishing), the same queues, exchanges, bindings, users, permissions as provisioned, no policy,
parameter (federation upstream, shovel) or limit, and every queue empty.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import requests
from kombu import Connection

from shared.messaging.provision import ManagementApi

VhostState = dict[str, frozenset[tuple[str, ...]]]


def _rows(items: Iterable[dict[str, Any]], *fields: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(json.dumps(item.get(f), sort_keys=True) for f in fields) for item in items)


def vhost_state(admin: ManagementApi, vhost: str) -> VhostState | None:
    """Everything of ``vhost`` a test could change and the next test would see; None when the
    vhost is gone (a test deleted it)."""
    v = quote(vhost, safe="")

    def get(path: str) -> Any:
        return admin._call("GET", path).json()

    try:
        info = get(f"/vhosts/{v}")
    except requests.HTTPError as error:
        if error.response is not None and error.response.status_code == 404:
            return None
        raise
    permissions = get(f"/vhosts/{v}/permissions")
    names = {p["user"] for p in permissions}
    return {
        "vhost": _rows([info], "name", "tracing", "description", "tags", "default_queue_type"),
        "queues": _rows(
            get(f"/queues/{v}?disable_stats=true"),
            "name",
            "type",
            "durable",
            "auto_delete",
            "exclusive",
            "arguments",
        ),
        "exchanges": _rows(
            get(f"/exchanges/{v}"), "name", "type", "durable", "auto_delete", "internal", "arguments"
        ),
        "bindings": _rows(
            get(f"/bindings/{v}"), "source", "destination", "destination_type", "routing_key", "arguments"
        ),
        "permissions": _rows(permissions, "user", "configure", "write", "read"),
        "topic permissions": _rows(
            get(f"/vhosts/{v}/topic-permissions"), "user", "exchange", "write", "read"
        ),
        # a changed password or tag: the pooled URIs would no longer log in, or log in as more
        "users": _rows([u for u in get("/users") if u["name"] in names], "name", "password_hash", "tags"),
        "policies": _rows(get(f"/policies/{v}"), "name", "pattern", "apply-to", "definition", "priority"),
        "operator policies": _rows(
            get(f"/operator-policies/{v}"), "name", "pattern", "apply-to", "definition", "priority"
        ),
        "parameters": _rows(
            [p for p in get("/parameters") if p.get("vhost") == vhost], "component", "name", "value"
        ),
        "limits": _rows(get(f"/vhost-limits/{v}"), "value"),
    }


def changes(before: VhostState, after: VhostState) -> list[str]:
    """What differs, by kind ("queues", "policies", …)."""
    return sorted(kind for kind in before.keys() | after.keys() if before.get(kind) != after.get(kind))


def connections_closed(admin: ManagementApi, vhost: str, timeout: float) -> bool:
    """Wait until no connection is open on ``vhost`` (a stopping process's last messages are in
    the queues by then, its unacked ones back in them); False after ``timeout``. The management
    API lists a closed connection no more at once, but a new one only at its next statistics
    collection (5 s by default): a connection opened in the last seconds may not be seen here —
    its consumers are (``purge_queues``), and so are its exclusive queues (``vhost_state``)."""
    path = f"/vhosts/{quote(vhost, safe='')}/connections"
    deadline = time.monotonic() + timeout
    while admin._call("GET", path).json():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


REPLY_QUEUE_PREFIX = "rpc.reply-"  # nameko's RPC reply queues: gone 5 min after their consumer


def delete_reply_queues(admin: ManagementApi, admin_uri: str, vhost: str) -> list[str]:
    """Delete the RPC reply queues the test's callers left (nameko's live on for ``x-expires``
    after their connection closed; nobody can be waiting on them once no connection is open):
    they are no part of the topology. → their names."""
    queues = admin._call("GET", f"/queues/{quote(vhost, safe='')}?disable_stats=true").json()
    names = [q["name"] for q in queues if q["name"].startswith(REPLY_QUEUE_PREFIX)]
    if names:
        with Connection(admin_uri, connect_timeout=10) as conn:
            channel = conn.channel()
            for name in names:
                channel.queue_delete(name)
    return names


def purge_queues(admin_uri: str, queues: list[str], attempts: int = 3) -> bool:
    """Empty ``queues`` (delay queues first: an expiring retry is dead-lettered into its target),
    then read each one's counts back; True when all are empty and none has a consumer."""
    ordered = sorted(queues, key=lambda name: not name.startswith("govproj.delay."))
    with Connection(admin_uri, connect_timeout=10) as conn:
        channel = conn.channel()
        for _ in range(attempts):
            for name in ordered:
                channel.queue_purge(name)
            counts = [channel.queue_declare(name, passive=True) for name in ordered]
            if any(count.consumer_count for count in counts):
                return False
            if not any(count.message_count for count in counts):
                return True
    return False
