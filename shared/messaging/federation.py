"""Agencies apart: each agency's services on its own broker, events crossing by RabbitMQ
exchange federation (issue 14). Nothing home-made carries an event between brokers.

A *site* is one broker (one vhost) and the services it hosts; a *deployment* says which site
hosts each service. On every site an administrator declares only what its own services use
(``site_declarations``): their queues and dead-letter queues, their RPC queues, the delay queues,
their own ``<service>.events`` exchanges, and — as plain topic exchanges — the events exchanges
of the other sites' publishers that local consumers read. A policy
(``govproj-federate-from-<upstream>``) makes each of those exchanges federated from the site
that hosts its publisher, through an upstream (``govproj-<upstream>``) that logs in there as its
own user: ``govproj-federation-<downstream>``, which may read those events exchanges only and
own nothing but the federation link's queue and exchange (``federation: <x> -> <node>``).

The federation link copies each binding of the downstream exchange to a queue on the upstream:
while a link is cut, the upstream queue keeps the events (no ``expires`` on the upstream), and
``ack-mode: on-confirm`` acknowledges them upstream only once the downstream has them. A
redelivered event is absorbed by the consumers' inbox.

Each process is told which services share its broker (``BROKER_SERVICES``; empty: all of
them). RabbitMQ federation clears ``user_id`` (``trust-user-id`` stays off: a remote broker's
user is no proof here): for an event of a service on another broker (``federated_sources``) the
publisher's Ed25519 signature is the proof (shared.messaging.reliable) — for local sources the
broker user is still checked as well. The outbox relay requires only the queues of subscribers
on its own broker (a remote subscriber's copy waits in its federation link's upstream queue).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shared.events.registry import SERVICES, SUBSCRIPTIONS, event_type, publishers_of
from shared.messaging import tls, topology
from shared.messaging.rights import GATEWAY, Rights, _exactly, rights_of

SITE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
RECONNECT_DELAY_S = 5


def broker_services(setting: Any) -> frozenset[str]:
    """``BROKER_SERVICES``: the services on this process's broker, as a list (YAML/JSON) or a
    comma-separated string; empty → every service (one broker for all)."""
    if isinstance(setting, str):
        setting = setting.strip("[] ").replace('"', "").split(",")
    named = frozenset(s.strip() for s in (setting or ()) if s and s.strip())
    unknown = named - set(SERVICES)
    if unknown:
        raise ValueError(
            f"BROKER_SERVICES names unknown services {sorted(unknown)} (BROKER_SERVICES 含未知服务)"
        )
    return named or frozenset(SERVICES)


class InvalidDeployment(ValueError):
    """A deployment that does not place every service exactly once on a well-named site."""


@dataclass(frozen=True)
class Site:
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Deployment:
    sites: tuple[Site, ...]

    def __post_init__(self) -> None:
        placed: dict[str, str] = {}
        for site in self.sites:
            if not SITE_NAME.match(site.name):
                raise InvalidDeployment(
                    f"site name {site.name!r}: lower-case letters, digits and '-' only "
                    f"(站点名称只能包含小写字母、数字和连字符)"
                )
            for service in site.services:
                if service not in SERVICES:
                    raise InvalidDeployment(
                        f"site {site.name}: unknown service {service!r} "
                        f"(未知服务；已知: {', '.join(SERVICES)})"
                    )
                if service in placed:
                    raise InvalidDeployment(
                        f"{service} is on both {placed[service]} and {site.name}: each service "
                        f"runs on one site (每个服务只能部署在一个站点)"
                    )
                placed[service] = site.name
        missing = [s for s in SERVICES if s not in placed]
        if missing:
            raise InvalidDeployment(
                f"no site hosts {', '.join(missing)} (以下服务没有部署站点: {', '.join(missing)})"
            )
        if len({s.name for s in self.sites}) != len(self.sites):
            raise InvalidDeployment("two sites share a name (站点名称重复)")

    @classmethod
    def from_mapping(cls, sites: Mapping[str, Iterable[str]]) -> Deployment:
        """``{"office": ["planning", ...], "finance": ["finance"]}`` (a JSON file's contents)."""
        return cls(tuple(Site(name, tuple(services)) for name, services in sites.items()))

    @classmethod
    def load(cls, path: str) -> Deployment:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls.from_mapping(data.get("sites", data))

    def site(self, name: str) -> Site:
        for site in self.sites:
            if site.name == name:
                return site
        raise InvalidDeployment(
            f"no site {name!r} in the deployment "
            f"(部署中没有站点 {name!r}; sites: "
            f"{', '.join(s.name for s in self.sites)})"
        )

    def site_of(self, service: str) -> Site:
        return next(site for site in self.sites if service in site.services)


def sources_read_by(services: Iterable[str]) -> set[str]:
    """Every publisher whose events these services consume (the audit trail reads them all)."""
    services = set(services)
    sources = {event_type(name).source for svc in services for name in SUBSCRIPTIONS.get(svc, ())}
    if topology.AUDIT_TRAIL_CONSUMER in services:
        sources |= {svc for svc in SERVICES if publishers_of(svc)}
    return sources


def federated_sources(deployment: Deployment, site: str) -> list[str]:
    """The publishers on other sites whose events ``site``'s services read."""
    here = deployment.site(site)
    return sorted(sources_read_by(here.services) - set(here.services))


def upstreams_of(deployment: Deployment, site: str) -> dict[str, list[str]]:
    """{upstream site: the sources ``site`` federates from it}."""
    out: dict[str, list[str]] = {}
    for source in federated_sources(deployment, site):
        out.setdefault(deployment.site_of(source).name, []).append(source)
    return out


def downstreams_of(deployment: Deployment, site: str) -> dict[str, list[str]]:
    """{downstream site: the sources it federates from ``site``}."""
    out = {}
    for other in deployment.sites:
        if other.name != site and (sources := upstreams_of(deployment, other.name).get(site)):
            out[other.name] = sources
    return out


# -- names (the Kubernetes overlays use the same: README, Agencies apart) -----------------------


def upstream_name(upstream_site: str) -> str:
    return f"govproj-{upstream_site}"


def policy_name(upstream_site: str) -> str:
    return f"govproj-federate-from-{upstream_site}"


def federation_principal(downstream_site: str) -> str:
    """The principal whose user (``govproj-federation-<downstream>``) the downstream's links log
    in as on an upstream."""
    return f"federation-{downstream_site}"


def exchanges_pattern(sources: Iterable[str]) -> str:
    return _exactly([topology.events_exchange(s).name for s in sources])


def link_pattern(sources: Iterable[str]) -> str:
    """The upstream side of a federation link: a queue ``federation: <x> -> <node>[...]`` and an
    exchange of the same name ending in `` B`` (rabbitmq_federation's naming)."""
    names = "|".join(topology.events_exchange(s).name.replace(".", r"\.") for s in sorted(sources))
    return rf"^federation: ({names}) -> .+$"


def federation_rights(deployment: Deployment, upstream: str, downstream: str) -> Rights:
    """What ``downstream``'s federation links may do on ``upstream``'s broker: bind to and read
    the events exchanges it federates, and own their link queue and exchange — nothing else (no
    publishing to an events exchange, no other queue)."""
    sources = upstreams_of(deployment, downstream).get(upstream)
    if not sources:
        raise InvalidDeployment(
            f"{downstream} federates nothing from {upstream} ({downstream} 不需要从 {upstream} 联邦任何事件)"
        )
    link = link_pattern(sources)
    exchanges = [topology.events_exchange(s).name for s in sources]
    return Rights(
        principal=federation_principal(downstream),
        configure=link,
        write=link,
        read=_exactly(exchanges, [link[1:-1]]),
        topics=(),
    )


def site_rights(
    deployment: Deployment, site: str, retry_delays_ms: Iterable[int] = topology.DEFAULT_RETRY_DELAYS_MS
) -> list[Rights]:
    """The users a site's broker has for its own processes: each hosted service's and the
    gateway's (which may call services on any site: AMQP_URI_<SERVICE>)."""
    delays = tuple(retry_delays_ms)
    return [rights_of(s, delays) for s in deployment.site(site).services] + [rights_of(GATEWAY)]


def site_declarations(
    services: Iterable[str], retry_delays_ms: Iterable[int] = topology.DEFAULT_RETRY_DELAYS_MS
) -> list:
    """What one site's broker holds: ``topology.all_declarations`` restricted to the services it
    hosts, plus their own events exchanges (federated away even when no local queue binds)."""
    services = [s for s in SERVICES if s in set(services)]
    decl: list = [topology.events_exchange(s) for s in services if publishers_of(s)]
    for consumer in services:
        if consumer in SUBSCRIPTIONS:
            decl.append(topology.dead_letter_queue(consumer))
            decl += [topology.consumer_queue(consumer, n) for n in SUBSCRIPTIONS[consumer]]
    if topology.AUDIT_TRAIL_CONSUMER in services:
        decl.append(topology.audit_trail_queue())
    decl += [topology.rpc_queue(s) for s in services]
    decl += [topology.delay_queue(ms) for ms in sorted(set(retry_delays_ms))]
    return decl


def upstream_definition(uri: str, reconnect_delay: int = RECONNECT_DELAY_S) -> dict:
    """The ``federation-upstream`` parameter's value. No ``expires``/``message-ttl``: while a link
    is down its upstream queue keeps every event; ``trust-user-id`` off."""
    return {
        "uri": uri,
        "ack-mode": "on-confirm",
        "trust-user-id": False,
        "reconnect-delay": reconnect_delay,
        "max-hops": 1,
    }


def policy_definition(upstream_site: str, sources: Iterable[str]) -> dict:
    return {
        "pattern": exchanges_pattern(sources),
        "apply-to": "exchanges",
        "priority": 10,
        "definition": {"federation-upstream": upstream_name(upstream_site)},
    }


# -- applying it to a broker (management API) ----------------------------------------------------


def set_upstream(
    management: Any,
    vhost: str,
    upstream_site: str,
    sources: Iterable[str],
    uri: str,
    reconnect_delay: int = RECONNECT_DELAY_S,
) -> None:
    """Federate ``sources``' events exchanges in ``vhost`` from ``upstream_site``'s broker at
    ``uri`` (logging in as this site's federation user there)."""
    v = quote(vhost, safe="")
    management._call(
        "PUT",
        f"/parameters/federation-upstream/{v}/{upstream_name(upstream_site)}",
        json={"value": upstream_definition(uri, reconnect_delay)},
    )
    management._call(
        "PUT", f"/policies/{v}/{policy_name(upstream_site)}", json=policy_definition(upstream_site, sources)
    )


def clear_upstream(management: Any, vhost: str, upstream_site: str) -> None:
    v = quote(vhost, safe="")
    for path in (
        f"/policies/{v}/{policy_name(upstream_site)}",
        f"/parameters/federation-upstream/{v}/{upstream_name(upstream_site)}",
    ):
        management._call("DELETE", path)


def link_uri(endpoint: str, user: str, password: str) -> str:
    """The upstream's AMQP endpoint (``amqp[s]://host:port/vhost``) with the federation user."""
    from shared.messaging.provision import with_credentials

    return with_credentials(endpoint, user, password)


def provision_site(
    admin_uri: str,
    deployment: Deployment,
    site: str,
    upstream_uris: Mapping[str, str] | None = None,
    api: str | None = None,
    retry_delays_ms: Iterable[int] = topology.DEFAULT_RETRY_DELAYS_MS,
    user_of: Any = lambda rights: rights.user,
    reconnect_delay: int = RECONNECT_DELAY_S,
    grant: bool = True,
) -> dict[str, str]:
    """Everything one site's administrator does on its own broker (the vhost of ``admin_uri``):

    1. declares the site's topology (``site_declarations``);
    2. with ``grant``, creates (or resets the password of) the federation user of every
       downstream site that reads events published here → {downstream site: the AMQP URI its
       links log in with, to hand over};
    3. for each ``upstream_uris`` entry (upstream site → URI with this site's federation user on
       it, handed over by that site) sets the upstream and the policy federating its exchanges.
    """
    from shared.messaging.provision import ManagementApi, provision_users

    here = deployment.site(site)
    with tls.connection(admin_uri) as conn:
        topology.declare(conn, site_declarations(here.services, retry_delays_ms))
        vhost = conn.virtual_host or "/"
        api = api or f"http://{conn.hostname or 'localhost'}:15672/api"
        management = ManagementApi(api, auth=(conn.userid, conn.password))
    handed = {}
    downstreams = downstreams_of(deployment, site)
    if downstreams and grant:
        _, uris = provision_users(
            admin_uri, [federation_rights(deployment, site, d) for d in downstreams], api, user_of=user_of
        )
        handed = {d: uris[federation_principal(d)] for d in downstreams}
    wanted = upstreams_of(deployment, site)
    for upstream, uri in (upstream_uris or {}).items():
        if upstream not in wanted:
            raise InvalidDeployment(
                f"{site} federates nothing from {upstream} ({site} 不需要从 {upstream} 联邦任何事件)"
            )
        set_upstream(management, vhost, upstream, wanted[upstream], uri, reconnect_delay)
    return handed
