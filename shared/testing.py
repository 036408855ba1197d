"""Test helpers shared by every service's tests (a pytest plugin: ``pytest_plugins``).

One session fixture resolves the broker and PostgreSQL: from the environment when given
(``GOVPROJ_TEST_AMQP_URI``, ``GOVPROJ_TEST_RABBIT_API``, ``GOVPROJ_TEST_PG``), else the local
defaults when they answer, else pytest-docker starts ``tests/docker-compose.yml``.
Each test then gets a RabbitMQ vhost of its own — a new one, or one a finished test left exactly
as provisioned, emptied (``VhostPool``) — and its own databases, so tests never see each other's
messages or rows.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, urlsplit

import pytest
import requests
from kombu import Connection
from sqlalchemy import create_engine, select, text

from shared import keys
from shared.authz import Identity
from shared.config import PROCESSES, SERVICES, load_config, process_class, processes_of, service_of
from shared.messaging.provision import ManagementApi, with_credentials
from shared.messaging.rights import Rights, all_rights
from shared.messaging.topology import DEFAULT_RETRY_DELAYS_MS
from shared.persistence.migrations import upgrade
from shared.testing_vhosts import (
    VhostState,
    changes,
    connections_closed,
    delete_reply_queues,
    purge_queues,
    vhost_state,
)

if TYPE_CHECKING:
    from subprocess import Popen

    from kombu.message import Message
    from nameko.containers import ServiceContainer
    from nameko.standalone.rpc import ClusterRpcProxy
    from sqlalchemy import Row

    from shared.messaging.federation import Deployment
    from shared.persistence.platform_tables import PlatformTables

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "tests" / "docker-compose.yml"
FAST_RETRIES = [100, 300]  # ms: the retry ladder in tests, so exhaustion takes a second
# delay queues (and the rights to use them) in a test vhost: in-process services retry on the
# fast ladder, `nameko run` processes on the default one
TEST_RETRY_DELAYS_MS = tuple(sorted({*FAST_RETRIES, *DEFAULT_RETRY_DELAYS_MS}))


def _test_keys() -> Path:
    """Keys of this test run, as `govproj keys` makes them for a deployment: every principal's
    pair in a temporary directory, which every service — in-process or a child process (they
    inherit the environment) — reads through ``GOVPROJ_KEYS_DIR``. Never the developer's keys."""
    directory = Path(tempfile.mkdtemp(prefix="govproj-keys-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    for principal in (*SERVICES, "gateway"):
        keys.generate(directory, principal)
    os.environ["GOVPROJ_KEYS_DIR"] = str(directory)
    return directory


TEST_KEYS_DIR = _test_keys()


def unavailable(reason: str) -> None:
    """A test cannot run on this machine: skipped on a developer's machine, failed in CI
    (``CI=true``), where ``.ci/run`` provides everything the tests need — so CI never passes by
    skipping."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run this test (.ci/run provides it)")
    pytest.skip(reason)


def sign_as(envelope: dict, principal: str) -> dict:
    """The envelope signed with ``principal``'s test key — its publisher's, or, to forge a
    wrongly attributed event, another's (``signing.sign`` itself refuses that)."""
    import base64

    from shared.events import signing

    key = keys.load_signing_key(TEST_KEYS_DIR, principal)
    signed = {**envelope, "key_id": key.kid}
    signed["signature"] = base64.b64encode(key.sign(signing.canonical(signed))).decode()
    return signed


@dataclass(frozen=True)
class Infrastructure:
    amqp_uri: str  # the base vhost
    rabbit_api: str  # management API, to create per-test vhosts
    pg_uri: str  # a maintenance database, to create per-test databases


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _from_environment() -> Infrastructure | None:
    amqp = os.environ.get("GOVPROJ_TEST_AMQP_URI")
    pg = os.environ.get("GOVPROJ_TEST_PG")
    api = os.environ.get("GOVPROJ_TEST_RABBIT_API")
    if amqp and pg:
        host = urlsplit(amqp).hostname or "127.0.0.1"
        return Infrastructure(amqp, api or f"http://guest:guest@{host}:15672/api", pg)
    if _answers("127.0.0.1", 5672) and _answers("127.0.0.1", 15672) and _answers("127.0.0.1", 5432):
        return Infrastructure(
            "amqp://guest:guest@127.0.0.1:5672/",
            "http://guest:guest@127.0.0.1:15672/api",
            "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
        )
    return None


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(COMPOSE_FILE)


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest) -> Infrastructure:
    found = _from_environment()
    if found:
        return found
    docker = request.getfixturevalue("docker_services")  # machines with a Docker engine
    ip = request.getfixturevalue("docker_ip")
    amqp_port = docker.port_for("rabbitmq", 5672)
    api_port = docker.port_for("rabbitmq", 15672)
    pg_port = docker.port_for("postgres", 5432)
    docker.wait_until_responsive(
        timeout=90, pause=1, check=lambda: _answers(ip, api_port) and _answers(ip, pg_port)
    )
    return Infrastructure(
        f"amqp://guest:guest@{ip}:{amqp_port}/",
        f"http://guest:guest@{ip}:{api_port}/api",
        f"postgresql+psycopg2://postgres:postgres@{ip}:{pg_port}/postgres",
    )


class RabbitAdmin(ManagementApi):
    """The administrator's management API: vhosts, users, queue statistics."""

    def create_vhost(self, name: str) -> None:
        self._call("PUT", f"/vhosts/{quote(name, safe='')}")
        self._call(
            "PUT",
            f"/permissions/{quote(name, safe='')}/{self.auth[0]}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
        )

    def create_user(self, name: str, password: str, vhost: str, rights: Rights | None = None) -> str:
        """A user with exactly ``rights`` in ``vhost`` — or, without them, every right (an
        intruder with its own identity)."""
        self.put_user(name, password)
        if rights is not None:
            self.grant(vhost, name, rights)
        else:
            self._call(
                "PUT",
                f"/permissions/{quote(vhost, safe='')}/{quote(name, safe='')}",
                json={"configure": ".*", "write": ".*", "read": ".*"},
            )
        return name

    def delete_user(self, name: str) -> None:
        requests.delete(f"{self.base}/users/{quote(name, safe='')}", auth=self.auth, timeout=10)

    def delete_vhost(self, name: str) -> None:
        requests.delete(f"{self.base}/vhosts/{quote(name, safe='')}", auth=self.auth, timeout=10)

    def queue(self, vhost: str, name: str) -> dict:
        return self._call("GET", f"/queues/{quote(vhost, safe='')}/{quote(name, safe='')}").json()


@pytest.fixture
def amqp_uri(infrastructure: Infrastructure) -> Iterator[str]:
    """A vhost for this test alone, as production has it: the topology declared by the
    administrator and each service's own least-privilege user (``as_principal``); a recycled one
    (``VHOST_POOL``: empty, exactly as provisioned) or else a new one. The URI is the
    administrator's (test plumbing); services started by ``start_service`` or ``service_config``
    run as their own users."""
    broker = VHOST_POOL.take(RabbitAdmin(infrastructure.rabbit_api), infrastructure.amqp_uri)
    yield broker.admin_uri
    VHOST_POOL.give_back(broker)


def declare_topology(admin_uri: str) -> None:
    """What `govproj topology` does, with the administrator's rights, before any service starts."""
    from shared.messaging import topology

    with Connection(admin_uri) as conn:
        topology.declare(conn, topology.all_declarations(TEST_RETRY_DELAYS_MS))


@dataclass
class VhostUsers:
    """A provisioned test vhost: the administrator's URI and each principal's own."""

    admin: RabbitAdmin
    vhost: str
    admin_uri: str
    users: dict[str, str]  # principal → its broker user (unique to this vhost)
    uris: dict[str, str]  # principal → AMQP URI logging in as that user

    def publisher_users(self) -> dict[str, str]:
        return {service: self.users[service] for service in SERVICES}

    def release(self) -> None:
        _VHOSTS.pop(self.admin_uri, None)
        self.admin.delete_vhost(self.vhost)
        for user in self.users.values():
            self.admin.delete_user(user)


_VHOSTS: dict[str, VhostUsers] = {}


def provision_vhost(admin: RabbitAdmin, base_amqp_uri: str, vhost: str) -> VhostUsers:
    """A vhost with the topology and the derived users (shared.messaging.rights), as `govproj run`
    and Kubernetes provision them. Users are global on a broker, so each test's carry the vhost in
    their name (``govproj-planning.<vhost>``) and are deleted with it."""
    admin.create_vhost(vhost)
    base = urlsplit(base_amqp_uri)
    admin_uri = f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    declare_topology(admin_uri)
    users, uris = {}, {}
    for rights in all_rights(TEST_RETRY_DELAYS_MS):
        name, password = f"{rights.user}.{vhost}", uuid.uuid4().hex
        users[rights.principal] = admin.create_user(name, password, vhost, rights)
        uris[rights.principal] = with_credentials(admin_uri, name, password)
    _VHOSTS[admin_uri] = VhostUsers(admin, vhost, admin_uri, users, uris)
    return _VHOSTS[admin_uri]


def _close_idle_pooled_connections() -> None:
    """This process's broker connections nothing uses any more: kombu's pooled publisher
    connections (nameko's event dispatchers keep theirs open after their container stops), and
    those of unreachable objects."""
    from kombu import pools

    gc.collect()
    pools.reset()


class VhostPool:
    """Test vhosts recycled rather than deleted: creating a vhost's ~100 quorum queues and deleting
    them took 3.5–5.5 s of each test. A test gives its vhost back; once its connections are closed,
    if it is exactly as provisioned (shared.testing_vhosts.vhost_state: the same queues, exchanges,
    bindings, users and rights, no policy, parameter or limit), its queues are purged and the next
    test takes it; otherwise it is deleted, as before. Every broker operation is sequential in
    this process (creating and deleting vhosts concurrently stalled RabbitMQ 3.10); the pooled
    vhosts are deleted at the session's end (``pytest_sessionfinish``)."""

    CONNECTIONS_TIMEOUT = 5.0  # s for a stopping test's connections to close
    # vhosts kept idle: each holds ~100 queues' worth of the broker's file-handle budget (927 at
    # the default 1024 open files; ~3 such vhosts at once exhaust it and RabbitMQ then blocks
    # every vhost creation and deletion)
    MAX_IDLE = 1

    def __init__(self) -> None:
        self.idle: list[VhostUsers] = []
        self.provisioned: dict[str, VhostState] = {}  # vhost → its state as provisioned
        self.counts: Counter[str] = Counter()

    def take(self, admin: RabbitAdmin, base_amqp_uri: str) -> VhostUsers:
        netloc = urlsplit(base_amqp_uri).netloc
        for broker in self.idle:
            if broker.admin.base == admin.base and urlsplit(broker.admin_uri).netloc == netloc:
                self.idle.remove(broker)
                _VHOSTS[broker.admin_uri] = broker
                self.counts["reused"] += 1
                return broker
        broker = provision_vhost(admin, base_amqp_uri, f"govproj-test-{uuid.uuid4().hex[:10]}")
        state = vhost_state(admin, broker.vhost)
        if state is not None:
            self.provisioned[broker.vhost] = state
        self.counts["created"] += 1
        return broker

    def give_back(self, broker: VhostUsers) -> None:
        _VHOSTS.pop(broker.admin_uri, None)
        _PLANS.pop(broker.admin_uri, None)  # the next test's databases are new
        try:
            left = self.left_behind(broker)
        except Exception as error:  # the broker answered unexpectedly: the slow, safe way
            left = f"check failed ({type(error).__name__})"
        if left is None and len(self.idle) >= self.MAX_IDLE:
            left = "the pool is full"
        if left is None:
            self.idle.append(broker)
            return
        self.counts[f"deleted: {left}"] += 1
        self.provisioned.pop(broker.vhost, None)
        broker.release()

    def left_behind(self, broker: VhostUsers) -> str | None:
        """Why the test's vhost cannot be reused (None: it can, and its queues are empty now)."""
        provisioned = self.provisioned.get(broker.vhost)
        if provisioned is None:
            return "not provisioned by the pool"
        _close_idle_pooled_connections()
        if not connections_closed(broker.admin, broker.vhost, self.CONNECTIONS_TIMEOUT):
            return "connections still open"
        delete_reply_queues(broker.admin, broker.admin_uri, broker.vhost)  # (raises if deleted)
        state = vhost_state(broker.admin, broker.vhost)
        if state is None:
            return "deleted by the test"
        changed = changes(provisioned, state)
        if changed:
            return "changed " + ", ".join(changed)
        if not purge_queues(broker.admin_uri, _topology_queue_names()):
            return "messages or consumers left"
        return None

    def drain(self) -> None:
        while self.idle:
            self.idle.pop().release()


def _topology_queue_names() -> list[str]:
    from shared.messaging import topology

    return [queue.name for queue in topology.all_declarations(TEST_RETRY_DELAYS_MS)]


VHOST_POOL = VhostPool()
# scripts outside pytest (bench/) hold a Stack's vhost too: delete what is idle when they exit
atexit.register(VHOST_POOL.drain)


@pytest.hookimpl(trylast=True)  # after the last fixtures gave their vhosts back
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    VHOST_POOL.drain()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if VHOST_POOL.counts:
        counts = ", ".join(f"{n} {what}" for what, n in sorted(VHOST_POOL.counts.items()))
        terminalreporter.write_line(f"test vhosts: {counts}")


def as_principal(amqp_uri: str, principal: str) -> str:
    """The AMQP URI of ``principal``'s own user ("planning", …, "gateway") in the test vhost whose
    administrator URI is ``amqp_uri``."""
    return _VHOSTS[amqp_uri].uris[principal]


def broker_user_of(amqp_uri: str, principal: str) -> str:
    return _VHOSTS[amqp_uri].users[principal]


def broker_env(amqp_uri: str, principal: str | None) -> dict[str, str]:
    """A process's broker settings: ``principal``'s own user (or the administrator's, for
    plumbing), each source's events trusted only from its own user."""
    broker = _VHOSTS[amqp_uri]
    return {
        "AMQP_URI": broker.uris[principal] if principal else amqp_uri,
        "EVENT_PUBLISHER_USERS": json.dumps(broker.publisher_users()),
    }


@pytest.fixture
def rabbit_admin(infrastructure: Infrastructure) -> RabbitAdmin:
    return RabbitAdmin(infrastructure.rabbit_api)


class PostgresDatabases:
    def __init__(self, maintenance_uri: str) -> None:
        self.maintenance_uri = maintenance_uri
        self.created: list[str] = []

    def create(self, name: str, template: str | None = None) -> str:
        engine = create_engine(self.maintenance_uri, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        engine.dispose()
        self.created.append(name)
        return str(urlsplit(self.maintenance_uri)._replace(path=f"/{name}").geturl())

    def drop_all(self) -> None:
        engine = create_engine(self.maintenance_uri, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(
    request: pytest.FixtureRequest, tmp_path: Path, infrastructure: Infrastructure
) -> Iterator[dict[str, str]]:
    """Freshly migrated databases, one per service, on SQLite and on PostgreSQL."""
    yield from _databases(request.param, tmp_path, infrastructure)


@pytest.fixture
def sqlite_urls(tmp_path: Path, infrastructure: Infrastructure) -> Iterator[dict[str, str]]:
    yield from _databases("sqlite", tmp_path, infrastructure)


@pytest.fixture
def postgres_urls(tmp_path: Path, infrastructure: Infrastructure) -> Iterator[dict[str, str]]:
    yield from _databases("postgresql", tmp_path, infrastructure)


class MigratedTemplates:
    """Each service's database migrated once per test session, then copied for every test that
    asks for fresh databases (the copy is what a migration from empty writes; running every
    migration again cost about a second per test): SQLite by the backup API, PostgreSQL by
    ``CREATE DATABASE … TEMPLATE``. Dropped when the session ends."""

    def __init__(self) -> None:
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}
        self._pg: PostgresDatabases | None = None
        self._dir: Path | None = None

    def sqlite(self, service: str, path: Path) -> str:
        template = self._sqlite.get(service)
        if template is None:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="govproj-templates-"))
            template = self._sqlite[service] = self._dir / f"{service}.db"
            upgrade(service, f"sqlite:///{template}")
        with sqlite3.connect(template) as source, sqlite3.connect(path) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        return f"sqlite:///{path}"

    def postgres(self, service: str, pg: PostgresDatabases, name: str, maintenance_uri: str) -> str:
        template = self._postgres.get(service)
        if template is None:
            if self._pg is None:
                self._pg = PostgresDatabases(maintenance_uri)
            template = f"gp_template_{uuid.uuid4().hex[:8]}_{service}"
            upgrade(service, self._pg.create(template))  # upgrade's engine is disposed: no session left
            self._postgres[service] = template
        return pg.create(name, template=template)

    def drop(self) -> None:
        if self._pg is not None:
            self._pg.drop_all()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


TEMPLATES = MigratedTemplates()
atexit.register(TEMPLATES.drop)


def _databases(kind: str, tmp_path: Path, infrastructure: Infrastructure) -> Iterator[dict[str, str]]:
    pg = PostgresDatabases(infrastructure.pg_uri)
    prefix = f"gp_{uuid.uuid4().hex[:8]}"
    urls = {}
    for service in SERVICES:
        urls[service] = (
            TEMPLATES.sqlite(service, tmp_path / f"{service}.db")
            if kind == "sqlite"
            else TEMPLATES.postgres(service, pg, f"{prefix}_{service}", infrastructure.pg_uri)
        )
    try:
        yield urls
    finally:
        pg.drop_all()


def service_config(service: str, amqp_uri: str, db_url: str, **overrides: Any) -> dict:
    """The service's test config; in a provisioned vhost it logs in as its own user and trusts
    each source's events only from that source's user, as in production."""
    settings = {
        "AMQP_URI": amqp_uri,
        "DB_URI": db_url,
        "EVENT_RETRY_DELAYS_MS": FAST_RETRIES,
        "OUTBOX_POLL_SECONDS": 0.2,
        # the health endpoints on a free port: several services share this process
        "WEB_SERVER_ADDRESS": "127.0.0.1:0",
    }
    broker = _VHOSTS.get(amqp_uri)
    if broker is not None:
        settings.update(AMQP_URI=broker.uris[service], EVENT_PUBLISHER_USERS=broker.publisher_users())
    return load_config(service, **{**settings, **overrides})


def service_class(process: str) -> type:
    module, _, name = process_class(process).partition(":")
    return getattr(importlib.import_module(module), name)


@pytest.fixture
def start_service(amqp_uri: str) -> Iterator[Callable]:
    """Start a service container in this process: ``start_service("planning", db_url, **config)``."""
    from nameko.containers import ServiceContainer

    containers = []

    def start(service: str, db_url: str, **overrides: Any) -> ServiceContainer:
        """The service's container, returned; its extra processes (supervision's audit trail)
        started beside it in this process, as ``govproj run`` starts them beside it."""
        config = service_config(service, amqp_uri, db_url, **overrides)
        started = []
        for process in processes_of(service):
            container = ServiceContainer(service_class(process), config)
            container.start()
            containers.append(container)
            started.append(container)
        return started[0]

    yield start
    for container in containers:
        container.kill() if not container._died.ready() else None


def stop_service(container: ServiceContainer) -> None:
    container.stop()


def wait_for(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, message: str = "condition"
) -> object:
    """Poll until ``predicate()`` is truthy (effects across services are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


OFFICE = Identity("office-reviewer", "office")
OPERATOR = Identity("ops", "operator")


def unit_identity(unit: str = "U-370100-001") -> Identity:
    return Identity(f"staff@{unit}", "unit", unit)


def signed_identity(
    identity: Identity,
    audience: str | list[str],
    lifetime: int = 60,
    principal: str = "gateway",
    now: float | None = None,
) -> str:
    """An identity assertion signed with ``principal``'s test key (the gateway's, or, to try an
    impersonation, another's)."""
    from shared import callers

    return callers.issue(keys.load_signing_key(TEST_KEYS_DIR, principal), identity, audience, lifetime, now)


def rpc_proxy(
    amqp_uri: str, timeout: float = 10.0, identity: Identity | None = OFFICE, **context: Any
) -> ClusterRpcProxy:
    """A nameko RPC client acting as ``identity``, signed for every service as the gateway
    signs it for one (``shared.callers``; valid for an hour, a test's length)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    data = {**context, **({"identity": signed_identity(identity, list(SERVICES), 3600)} if identity else {})}
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout, context_data=data)


PLAN_ITEM = "SDZW-01"
PLAN = {
    "title": "山东省政务信息系统建设规划",
    "start_year": 2020,
    "end_year": 2035,
    "items": [{"code": PLAN_ITEM, "title": "政务服务一体化"}],
}


_PLANS: dict[str, str] = {}


def plan_in_force(amqp_uri: str) -> str:
    """Draft (office) and approve (group) a provincial plan holding PLAN_ITEM (第五条); once per
    vhost (each test has its own vhost and databases)."""
    if amqp_uri in _PLANS:
        return _PLANS[amqp_uri]
    with rpc_proxy(amqp_uri, identity=OFFICE) as cluster:
        plan_id = cluster.planning.draft_plan(PLAN)["id"]
    with rpc_proxy(amqp_uri, identity=Identity("provincial-government", "group")) as cluster:
        cluster.planning.approve_plan(plan_id)
    _PLANS[amqp_uri] = plan_id
    return plan_id


def complete_application(planning: Any, code: str) -> None:
    """File what every application needs (第七条, 第二十七条) through a planning proxy."""
    for doc_type in ("construction_plan", "investment_budget"):
        planning.file_document(code, doc_type, {"title": doc_type, "sha256": "ab" * 32})
    planning.set_catalog(
        code,
        {
            "resources": [
                {
                    "name": "项目基础信息",
                    "source": "本系统",
                    "format": "JSON",
                    "update_frequency": "daily",
                    "sharing_type": "unconditional",
                    "open_type": "none",
                }
            ]
        },
    )


def outbox_rows(url: str, tables: PlatformTables, routing_key: str | None = None) -> Sequence[Row[Any]]:
    """A service's outbox rows in order (optionally of one event type), read directly."""
    table = tables.outbox
    query = select(table).order_by(table.c.seq)
    if routing_key:
        query = query.where(table.c.routing_key == routing_key)
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    engine.dispose()
    return rows


def publish_raw(amqp_uri: str, exchange: str, routing_key: str, body: Any, **properties: Any) -> None:
    """Publish exactly these bytes/properties (for malformed, spoofed or replayed messages), as
    whoever ``amqp_uri`` logs in as; the vhost's topology is already declared."""
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        producer.publish(body, exchange=exchange, routing_key=routing_key, **properties)


def get_dead_letters(amqp_uri: str, service: str, timeout: float = 10.0) -> list[Message]:
    """Drain the service's dead-letter queue (messages with their reasons)."""
    from shared.messaging import topology

    out: list[Message] = []
    with Connection(amqp_uri) as conn:
        queue = topology.dead_letter_queue(service)(conn.default_channel)
        queue.declare()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = queue.get(no_ack=False)
            if message is None:
                if out:
                    break
                time.sleep(0.1)
                continue
            message.ack()
            out.append(message)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_stack(infrastructure: Infrastructure, workdir: Path, **env: str) -> Iterator[Stack]:
    """A started Stack, closed (processes killed, vhost given back to the pool) afterwards."""
    stack = Stack(infrastructure, workdir, **env)
    try:
        yield stack.start_all()
    finally:
        stack.close()


class Stack:
    """The whole suite as processes — six ``nameko run`` services and the gunicorn gateway —
    on a vhost of its own (``VHOST_POOL``) and fresh SQLite databases. Used by the end-to-end tests."""

    def __init__(self, infrastructure: Infrastructure, workdir: Path, **env: str) -> None:
        self.admin = RabbitAdmin(infrastructure.rabbit_api)
        self.broker = VHOST_POOL.take(self.admin, infrastructure.amqp_uri)  # given back by close()
        self.vhost = self.broker.vhost
        self.amqp_uri = self.broker.admin_uri  # test plumbing; each process has its own user
        self.workdir = workdir
        self.urls = {}
        for service in SERVICES:
            self.urls[service] = f"sqlite:///{workdir / f'{service}.db'}"
            upgrade(service, self.urls[service])
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v1"
        self.extra_env = env
        self.procs: dict[str, Popen] = {}

    def env(self, principal: str | None = None, **extra: str) -> dict[str, str]:
        """A process's environment: as ``principal``'s own broker user, else the administrator."""
        env = {
            **broker_env(self.amqp_uri, principal),
            "LOG_LEVEL": "WARNING",
            "GATEWAY_BIND": f"127.0.0.1:{self.port}",
            **self.extra_env,
            **extra,
        }
        env.update({f"{s.upper()}_DB_URI": url for s, url in self.urls.items()})
        return env

    def start(self, name: str, **extra: str) -> Popen:
        from shared.cli import start_gateway, start_service

        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (owned by the process)
        # (either takes the environment by keyword: ``args`` is the service's name, or nothing)
        starter: Callable[..., Popen] = start_gateway if name == "gateway" else start_service
        args = () if name == "gateway" else (name,)
        if name in PROCESSES:  # its /health/live, /health/ready, /metrics on a port of its own
            extra = {"WEB_SERVER_ADDRESS": f"127.0.0.1:{self.http_port(name)}", **extra}
        principal = "gateway" if name == "gateway" else service_of(name)
        self.procs[name] = starter(*args, env=self.env(principal, **extra), stdout=log, stderr=log)
        return self.procs[name]

    def http_port(self, service: str) -> int:
        """The port of a service's own HTTP endpoints (WEB_SERVER_ADDRESS), kept across restarts."""
        ports = self.__dict__.setdefault("http_ports", {})
        if service not in ports:
            ports[service] = free_port()
        return ports[service]

    def service_url(self, service: str, path: str) -> str:
        """A service's own HTTP endpoint: ``/health/live``, ``/health/ready``, ``/metrics``."""
        return f"http://127.0.0.1:{self.http_port(service)}{path}"

    def stop(self, name: str, sig: int = 15) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(30)

    def start_all(self) -> Stack:
        for name in (*PROCESSES, "gateway"):
            self.start(name)
        wait_for(self.ready, timeout=90, interval=0.5, message="the stack to be ready")
        return self

    def ready(self) -> bool:
        """The gateway is ready (its broker connection) and names no service missing."""
        try:
            answer = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=10)
            return answer.ok and not answer.json().get("missing")
        except (requests.RequestException, ValueError):
            return False

    def close(self) -> None:
        for name in list(self.procs):
            self.stop(name, 9)
        VHOST_POOL.give_back(self.broker)

    def token(self, role: str, unit: str | None = None, sub: str | None = None) -> str:
        from services.gateway.auth import development_token

        return development_token(load_config("gateway")["JWT_DEV_SECRET"], role, unit, sub)

    # -- the usual way to a project in a given state, through the API ---------------------
    def plan_in_force(self, item: str, start_year: int = 2020, end_year: int = 2035) -> str:
        plan = self.http(
            "POST",
            "/plans",
            "office",
            json={
                "title": "山东省政务信息系统建设规划",
                "start_year": start_year,
                "end_year": end_year,
                "items": [{"code": item, "title": item}],
            },
        ).json()["id"]
        assert self.http("POST", f"/plans/{plan}/approval", "group").status_code == 200
        return plan

    def set_today(self, day: str) -> None:
        """Simulated clock: set today for the suite and wait until every service has it."""
        r = self.http("POST", "/admin/clock", "operator", json={"today": day, "force": True})
        assert r.status_code == 200, r.text
        with rpc_proxy(self.amqp_uri) as cluster:
            for service in SERVICES:

                def on_the_day(s: str = service) -> bool:
                    return getattr(cluster, s).health()["today"] == day

                wait_for(
                    on_the_day,
                    timeout=20,
                    message=f"{service} on {day}",
                )

    def status(self, code: str) -> str:
        return self.http("GET", f"/projects/{code}", "office").json()["status"]

    def submitted(self, unit: str, plan_item: str, **changes: Any) -> str:
        """Registered, complete and submitted; returns once the review case is open."""
        body = {
            "name": "测试项目",
            "kind": "construction",
            "level": "province",
            "plan_item": plan_item,
            "budget": {"total": "1000000.00"},
            **changes,
        }
        code = self.http("POST", "/projects", "unit", unit, json=body).json()["code"]
        for doc in ("construction_plan", "investment_budget"):
            self.http(
                "PUT",
                f"/projects/{code}/documents/{doc}",
                "unit",
                unit,
                json={"title": doc, "sha256": "ab" * 32},
            )
        self.http(
            "PUT",
            f"/projects/{code}/catalog",
            "unit",
            unit,
            json={
                "resources": [
                    {
                        "name": "基础数据",
                        "source": "本系统",
                        "format": "JSON",
                        "update_frequency": "每日",
                        "sharing_type": "unconditional",
                        "open_type": "none",
                    }
                ]
            },
        )
        r = self.http("POST", f"/projects/{code}/submission", "unit", unit)
        assert r.status_code == 200, r.text
        wait_for(lambda: self.status(code) == "under_review", timeout=20, message="review")
        return code

    def review(self, *opinions: dict) -> str:
        """A round over the projects, one opinion each (necessity and feasibility filled), closed."""
        r = self.http(
            "POST",
            "/review-rounds",
            "office",
            json={"title": "集中评审", "projects": [o["project"] for o in opinions]},
        )
        assert r.status_code == 201, r.text
        round_id = r.json()["id"]
        for opinion in opinions:
            r = self.http(
                "POST",
                f"/review-rounds/{round_id}/opinions",
                "office",
                json={"necessity": "确有必要", "feasibility": "技术可行", **opinion},
            )
            assert r.status_code == 201, r.text
        assert self.http("POST", f"/review-rounds/{round_id}/closure", "office").status_code == 200
        return round_id

    def failed_finding(self, code: str, unit: str) -> str:
        """An inspection's finding, ordered rectified, reported by ``unit`` and verified as not
        resolved: what a sanction needs first (第三十四条)."""
        [finding] = self.http(
            "POST",
            "/inspections",
            "office",
            json={"project": code, "findings": [{"articles": [17], "description": "擅自扩大建设规模"}]},
        ).json()
        fid = finding["id"]
        self.http("POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2099-01-01"})
        self.http("POST", f"/findings/{fid}/rectification-report", "unit", unit, json={"report": "已整改"})
        r = self.http("POST", f"/findings/{fid}/verification", "office", json={"resolved": False})
        assert r.json()["status"] == "failed", r.text
        return fid

    def approved(self, unit: str, plan_item: str, amount: str = "1000000.00", **changes: Any) -> str:
        code = self.submitted(unit, plan_item, **changes)
        self.review({"project": code, "decision": "approve", "approved_amount": amount})
        wait_for(lambda: self.status(code) == "approved", timeout=20, message="approved")
        return code

    def budgeted(self, code: str, construction: str, om: str | None = None, message: str = "budget") -> None:
        """Finance records the project's budget (province level) once it has learned the approval:
        construction money, and O&M money only when ``om`` is given — a construction project's
        O&M is budgeted by year after its acceptance (第十一条, 第二十三条)."""

        def recorded() -> bool:
            body: dict[str, Any] = {
                "construction": {"total": construction, "by_level": {"province": construction}}
            }
            if om is not None:
                body["om"] = {"total": om, "by_level": {"province": om}}
            return self.http("POST", f"/projects/{code}/budget", "finance", json=body).status_code == 201

        wait_for(recorded, timeout=20, message=message)

    def timeline_with(
        self,
        code: str,
        action: str,
        role: str,
        unit: str | None = None,
        message: str = "the step on the timeline",
    ) -> list[dict]:
        """The project's timeline as ``role`` reads it, once it shows a step ``action`` (the
        step's event reaches planning asynchronously)."""

        def read() -> list[dict] | None:
            events = self.http("GET", f"/projects/{code}/timeline", role, unit).json()["events"]
            return events if action in [e["action"] for e in events] else None

        return cast(list[dict], wait_for(read, timeout=20, message=message))

    def http(
        self,
        method: str,
        path: str,
        role: str | None = None,
        unit: str | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif role:
            headers["Authorization"] = f"Bearer {self.token(role, unit)}"
        return requests.request(method, self.api + path, headers=headers, timeout=30, **kwargs)


# -- agencies apart: a second broker, federation (issue 14) ----------------------------------


@dataclass(frozen=True)
class RabbitNode:
    """A RabbitMQ node this test run started (``second_rabbitmq_node``)."""

    name: str
    amqp_uri: str  # guest on its default vhost
    rabbit_api: str


def rabbitmq_federation_enabled() -> None:
    """Enable the federation plugin on the shared broker (online, harmless when it already is;
    `.ci/run` does it too)."""
    import subprocess

    done = subprocess.run(
        ["rabbitmq-plugins", "enable", "--online", "rabbitmq_federation"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmq-plugins enable rabbitmq_federation: {done.stderr.strip()}")


@contextmanager
def second_rabbitmq_node(
    name: str = "r2",
    port: int = 5673,
    api_port: int = 15673,
    dist_port: int = 25673,
    conf: str = "",
    files: dict[str, bytes] | None = None,
) -> Iterator[RabbitNode]:
    """Another agency's broker on this machine (docs/architecture.md §1): its own directory owned by the
    ``rabbitmq`` user (the server drops root for it), federation and management enabled; stopped
    and removed afterwards. Needs root (CI) or the rabbitmq user itself. ``files`` are written
    into that directory (certificates, keys: readable by the broker only); ``conf`` is added to
    its rabbitmq.conf, ``{dir}`` standing for the directory."""
    import pwd
    import subprocess

    node = f"{name}@localhost"
    try:
        owner = pwd.getpwnam("rabbitmq")
    except KeyError:
        unavailable("no rabbitmq user on this machine: RabbitMQ is not installed here")
    if os.geteuid() not in (0, owner.pw_uid):
        unavailable("a second RabbitMQ node needs root or the rabbitmq user")
    ctl = ["rabbitmqctl", "-n", node]
    subprocess.run([*ctl, "stop"], capture_output=True, timeout=60)  # a stale one of a crash
    base = Path(tempfile.mkdtemp(prefix=f"govproj-{name}-"))
    base.chmod(0o755)
    (base / "enabled_plugins").write_text("[rabbitmq_federation,rabbitmq_management].\n")
    (base / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = {port}\n"
        f"management.tcp.port = {api_port}\n" + conf.replace("{dir}", str(base))
    )
    for file, content in (files or {}).items():
        (base / file).write_bytes(content)
        (base / file).chmod(0o600)
    for path in (
        base,
        base / "enabled_plugins",
        base / "rabbitmq.conf",
        *(base / file for file in files or {}),
    ):
        os.chown(path, owner.pw_uid, owner.pw_gid)
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
        "RABBITMQ_PID_FILE": str(base / "pid"),
    }
    try:
        subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True, timeout=60, capture_output=True)
        subprocess.run(
            [*ctl, "wait", str(base / "pid"), "--timeout", "120"],
            check=True,
            capture_output=True,
            timeout=150,
        )
        api = f"http://guest:guest@127.0.0.1:{api_port}/api"
        wait_for(
            lambda: RabbitAdmin(api).answers(),
            timeout=60,
            interval=0.5,
            message=f"the management API of {node}",
        )
        yield RabbitNode(node, f"amqp://guest:guest@127.0.0.1:{port}/", api)
    finally:
        subprocess.run([*ctl, "stop"], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class SiteVhost(VhostUsers):
    """A test vhost on one site's broker: its own services' users, the gateway's, and the
    federation users of the sites that read its events."""

    hosted: tuple[str, ...] = ()

    def publisher_users(self) -> dict[str, str]:
        return {service: self.users[service] for service in self.hosted}


def provision_site_vhost(
    admin: RabbitAdmin, base_amqp_uri: str, vhost: str, deployment: Deployment, site: str
) -> SiteVhost:
    """``vhost`` on one site's broker as its administrator provisions it
    (shared.messaging.federation.provision_site): the site's topology only, its principals'
    users (named ``<user>.<vhost>``, users being global on a broker) and the federation users
    of its downstream sites. Upstreams are set afterwards (``federate``)."""
    from shared.messaging import federation

    admin.create_vhost(vhost)
    base = urlsplit(base_amqp_uri)
    admin_uri = f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    handed = federation.provision_site(
        admin_uri,
        deployment,
        site,
        api=admin.base,
        retry_delays_ms=TEST_RETRY_DELAYS_MS,
        user_of=lambda r: f"{r.user}.{vhost}",
    )
    users, uris = {}, {}
    for rights in federation.site_rights(deployment, site, TEST_RETRY_DELAYS_MS):
        name, password = f"{rights.user}.{vhost}", uuid.uuid4().hex
        users[rights.principal] = admin.create_user(name, password, vhost, rights)
        uris[rights.principal] = with_credentials(admin_uri, name, password)
    for downstream, uri in handed.items():
        principal = federation.federation_principal(downstream)
        user = urlsplit(uri).username
        assert user is not None  # provision_site hands each a URI logging in as its user
        users[principal], uris[principal] = user, uri
    hosted = deployment.site(site).services
    site_vhost = _VHOSTS[admin_uri] = SiteVhost(admin, vhost, admin_uri, users, uris, hosted=hosted)
    return site_vhost


class FederatedStack(Stack):
    """The suite on two brokers, as two agencies run it: the ``apart`` services (finance) on
    ``node`` with a vhost of their own, the others on the shared broker; events cross by exchange
    federation both ways (links logging in as the federation users, reconnecting after 1 s); the
    gateway on the first broker reaches the ``apart`` services on theirs (AMQP_URI_<SERVICE>)."""

    SITES = ("office", "agency")

    def __init__(
        self,
        infrastructure: Infrastructure,
        workdir: Path,
        node: RabbitNode,
        apart: tuple[str, ...] = ("finance",),
        apart_pg: str | None = None,
        **env: str,
    ) -> None:
        """``apart_pg``: the ``apart`` agency's own PostgreSQL (a maintenance database's URI),
        where their databases are created; else SQLite files, as ``Stack``."""
        from shared.messaging import federation

        self.deployment = federation.Deployment.from_mapping(
            {"office": [s for s in SERVICES if s not in apart], "agency": list(apart)}
        )
        self.apart = apart
        self.admins = {
            "office": RabbitAdmin(infrastructure.rabbit_api),
            "agency": RabbitAdmin(node.rabbit_api),
        }
        self.admin = self.admins["office"]
        self.vhost = f"govproj-e2e-{uuid.uuid4().hex[:10]}"  # the same name on both brokers
        base = {"office": infrastructure.amqp_uri, "agency": node.amqp_uri}
        self.sites = {
            site: provision_site_vhost(self.admins[site], base[site], self.vhost, self.deployment, site)
            for site in self.SITES
        }
        for site in self.SITES:
            self.link(site)
        self.broker = self.sites["office"]
        self.amqp_uri = self.broker.admin_uri
        self.workdir = workdir
        self.urls = {}
        self.pg = PostgresDatabases(apart_pg) if apart_pg else None
        for service in SERVICES:
            self.urls[service] = (
                self.pg.create(f"gp_{uuid.uuid4().hex[:8]}_{service}")
                if self.pg and service in apart
                else f"sqlite:///{workdir / f'{service}.db'}"
            )
            upgrade(service, self.urls[service])
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v1"
        self.extra_env = env
        self.procs = {}

    def other(self, site: str) -> str:
        return next(s for s in self.SITES if s != site)

    def link(self, site: str) -> None:
        """Set ``site``'s upstream (and policy) to the other site, as its federation user there."""
        from shared.messaging import federation

        upstream = self.other(site)
        principal = federation.federation_principal(site)
        federation.set_upstream(
            self.admins[site],
            self.vhost,
            upstream,
            federation.upstreams_of(self.deployment, site)[upstream],
            self.sites[upstream].uris[principal],
            reconnect_delay=1,
        )

    def federation_user(self, downstream: str) -> str:
        """The user ``downstream``'s links log in as on the other site's broker."""
        from shared.messaging import federation

        return self.sites[self.other(downstream)].users[federation.federation_principal(downstream)]

    def site_of(self, principal: str | None) -> str:
        return "agency" if principal in self.apart else "office"

    def env(self, principal: str | None = None, **extra: str) -> dict[str, str]:
        site = self.site_of(principal)
        broker = self.sites[site]
        env = {
            "AMQP_URI": broker.uris[principal] if principal else broker.admin_uri,
            "EVENT_PUBLISHER_USERS": json.dumps(broker.publisher_users()),
            "BROKER_SERVICES": ",".join(self.deployment.site(site).services),
            "LOG_LEVEL": "WARNING",
            "GATEWAY_BIND": f"127.0.0.1:{self.port}",
            **self.extra_env,
            **extra,
        }
        if principal == "gateway":
            env.update({f"AMQP_URI_{s.upper()}": self.sites["agency"].uris["gateway"] for s in self.apart})
        env.update({f"{s.upper()}_DB_URI": url for s, url in self.urls.items()})
        return env

    def admin_uri_of(self, service: str) -> str:
        return self.sites[self.site_of(service)].admin_uri

    def set_today(self, day: str) -> None:
        r = self.http("POST", "/admin/clock", "operator", json={"today": day, "force": True})
        assert r.status_code == 200, r.text

    def close(self) -> None:
        for name in list(self.procs):
            self.stop(name, 9)
        for site in self.SITES:
            self.sites[site].release()
        if self.pg:
            self.pg.drop_all()


@contextmanager
def second_postgres_cluster(name: str = "govproj_agency", port: int = 5433) -> Iterator[str]:
    """Another agency's PostgreSQL on this machine (ENGINEERING §1): a cluster of its own on
    ``port`` with trust authentication, dropped afterwards; → its maintenance database's URI.
    Needs root (CI) and Debian's postgresql-common."""
    import subprocess

    if not shutil.which("pg_createcluster") or os.geteuid() != 0:
        unavailable("a second PostgreSQL cluster needs root and pg_createcluster")
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=60)
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--start", "--", "--auth=trust"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        uri = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
        wait_for(lambda: _answers("127.0.0.1", port), timeout=30, message=f"PostgreSQL {name}")
        yield uri
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)
