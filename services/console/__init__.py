"""The agencies' console: server-rendered pages (Jinja2, htmx as progressive enhancement) at
``/console/`` on the gateway's address.

It holds no rule of its own: every read and every command goes through the gateway's own
request handling in-process (the endpoint table, the role matrix, validation, the RPC and the one
error table), with the signed-in person's token; what a role may not do is simply not shown,
decided by the same matrix (``shared/authz.py``).
"""

from __future__ import annotations

from typing import Any

PREFIX = "/console"


def owns(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def serve(gateway: Any, request: Any) -> Any:
    """The console's answer to ``request``; one console per gateway instance, made on first use
    (the gateway's WSGI app dispatches ``/console`` here)."""
    console = getattr(gateway, "_console", None)
    if console is None:
        from services.console.app import Console

        console = gateway._console = Console(gateway)
    return console.handle(request)
