"""Creating the derived broker users on a running RabbitMQ (``govproj run``, the test tiers).

Through the management HTTP API when it answers, else ``rabbitmqctl`` on this machine; Kubernetes
does the same with the manifests rendered from the same derivation (shared.messaging.rights).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from shared.messaging.rights import Rights


class ManagementApi:
    """The few management-API calls we need, with an administrator's credentials."""

    def __init__(self, api: str, auth: tuple[Any, Any] | None = None) -> None:
        parts = urlsplit(api)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}".rstrip("/")
        self.auth = auth or (parts.username or "guest", parts.password or "guest")

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(method, f"{self.base}{path}", auth=self.auth, timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def answers(self) -> bool:
        try:
            self._call("GET", "/whoami")
            return True
        except requests.RequestException:
            return False

    def put_user(self, name: str, password: str) -> None:
        self._call("PUT", f"/users/{quote(name, safe='')}", json={"password": password, "tags": ""})

    def grant(self, vhost: str, user: str, rights: Rights) -> None:
        """Exactly ``rights`` in ``vhost``: permissions, and topic permissions replacing any
        earlier ones (a stale topic permission would keep a right the derivation dropped)."""
        v, u = quote(vhost, safe=""), quote(user, safe="")
        self._call(
            "PUT",
            f"/permissions/{v}/{u}",
            json={"configure": rights.configure, "write": rights.write, "read": rights.read},
        )
        requests.delete(f"{self.base}/topic-permissions/{v}/{u}", auth=self.auth, timeout=10)
        for topic in rights.topics:
            self._call(
                "PUT",
                f"/topic-permissions/{v}/{u}",
                json={"exchange": topic.exchange, "write": topic.write, "read": topic.read},
            )


def grant_with_rabbitmqctl(vhost: str, user: str, password: str, rights: Rights) -> None:
    """The same with the broker's own CLI (needs this machine's Erlang cookie)."""

    def ctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)

    if ctl("add_user", user, password).returncode != 0:
        done = ctl("change_password", user, password)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl: {done.stderr.strip() or done.stdout.strip()}")
    ctl("clear_topic_permissions", "-p", vhost, user)
    steps = [("set_permissions", "-p", vhost, user, rights.configure, rights.write, rights.read)]
    steps += [
        ("set_topic_permissions", "-p", vhost, user, t.exchange, t.write, t.read) for t in rights.topics
    ]
    for step in steps:
        done = ctl(*step)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {step[0]}: {done.stderr.strip()}")


def rabbitmqctl_available() -> bool:
    if not shutil.which("rabbitmqctl"):
        return False
    try:
        return (
            subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, timeout=30).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def with_credentials(amqp_uri: str, user: str, password: str) -> str:
    """``amqp_uri`` (host, port, vhost) logging in as ``user``."""
    parts = urlsplit(amqp_uri)
    host = parts.hostname or "localhost"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else "")).geturl()


class CannotProvision(Exception):
    pass


def provision_users(
    admin_uri: str, rights: list[Rights], api: str | None = None, user_of: Any = lambda rights: rights.user
) -> tuple[str, dict[str, str]]:
    """Create (or reset the password of) each principal's user with exactly its rights in the
    vhost of ``admin_uri``, through the management API at ``api`` (default: the broker's host,
    port 15672) or else ``rabbitmqctl``; → (how it was done, {principal: its own AMQP URI})."""
    import secrets

    from kombu import Connection

    admin = Connection(admin_uri)
    vhost = admin.virtual_host or "/"
    api = api or f"http://{admin.hostname or 'localhost'}:15672/api"
    management = ManagementApi(api, auth=(admin.userid, admin.password))
    users = {r.principal: user_of(r) for r in rights}
    # hex: a password starting with "-" would be read by rabbitmqctl as an option
    passwords = {r.principal: secrets.token_hex(24) for r in rights}
    if management.answers():
        for r in rights:
            management.put_user(users[r.principal], passwords[r.principal])
            management.grant(vhost, users[r.principal], r)
        how = f"the management API at {management.base}"
    elif rabbitmqctl_available():
        for r in rights:
            grant_with_rabbitmqctl(vhost, users[r.principal], passwords[r.principal], r)
        how = "rabbitmqctl"
    else:
        raise CannotProvision(
            f"neither the management API at {management.base} nor rabbitmqctl on this machine answers"
        )
    return how, {p: with_credentials(admin_uri, users[p], passwords[p]) for p in users}
