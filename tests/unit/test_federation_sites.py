"""Agencies apart (issue 14): which site federates what from whom, with which user's rights,
and where the gateway sends each service's RPCs — derived from the event registry."""

from __future__ import annotations

import re

import pytest
from kombu import Exchange, Queue

from services.gateway.rpc import RoutedRpcClient, RpcClient, service_uris
from shared.events.registry import SERVICES
from shared.messaging import federation as fed
from shared.messaging import topology

OFFICE = ("planning", "approval", "acceptance", "security", "supervision")
APART = fed.Deployment.from_mapping({"office": OFFICE, "finance": ["finance"]})


def test_finance_apart_federates_what_its_consumers_read_and_the_office_what_finance_publishes():
    # finance reads security's too: a classified project is paid once the bureau confirmed it (第四条)
    read = ["acceptance", "approval", "planning", "security", "supervision"]
    assert fed.federated_sources(APART, "finance") == read
    assert fed.upstreams_of(APART, "finance") == {"office": read}
    # the office's consumers (the audit trail among them) read finance's events
    assert fed.federated_sources(APART, "office") == ["finance"]
    assert fed.upstreams_of(APART, "office") == {"finance": ["finance"]}
    assert fed.downstreams_of(APART, "finance") == {"office": ["finance"]}
    one_site = fed.Deployment.from_mapping({"all": SERVICES})
    assert fed.federated_sources(one_site, "all") == [] and fed.upstreams_of(one_site, "all") == {}


def test_names_the_kubernetes_overlays_match():
    assert fed.upstream_name("office") == "govproj-office"
    assert fed.policy_name("office") == "govproj-federate-from-office"
    rights = fed.federation_rights(APART, "office", "finance")
    assert rights.user == "govproj-federation-finance"
    policy = fed.policy_definition("office", ["planning", "approval"])
    assert policy["definition"] == {"federation-upstream": "govproj-office"}
    assert policy["apply-to"] == "exchanges"
    assert re.match(policy["pattern"], "planning.events")
    assert not re.match(policy["pattern"], "finance.events")
    assert not re.match(policy["pattern"], "planning.events.x")
    upstream = fed.upstream_definition("amqps://u:p@office:5671/govproj")
    assert upstream["trust-user-id"] is False and upstream["ack-mode"] == "on-confirm"
    assert "expires" not in upstream and "message-ttl" not in upstream  # a cut link loses nothing


def test_the_federation_user_reads_the_federated_exchanges_only():
    rights = fed.federation_rights(APART, "office", "finance")

    def may(pattern: str, name: str) -> bool:
        return re.match(pattern, name) is not None

    link_queue = "federation: planning.events -> r2@vm"
    link_exchange = "federation: planning.events -> r2@vm B"
    for name in (link_queue, link_exchange):
        assert may(rights.configure, name) and may(rights.write, name) and may(rights.read, name)
    assert may(rights.read, "planning.events") and may(rights.read, "supervision.events")
    # not the exchange finance publishes itself, nor anyone's queue, nor publishing an event
    for name in (
        "finance.events",
        "federation: finance.events -> rabbit@vm",
        "finance.planning.project_approved",
        "govproj.dlq.finance",
        "rpc-finance",
        "nameko-rpc",
    ):
        assert not may(rights.read, name), name
    assert not may(rights.write, "planning.events") and not may(rights.configure, "planning.events")
    assert rights.topics == ()
    with pytest.raises(fed.InvalidDeployment, match="federates nothing"):
        fed.federation_rights(APART, "finance", "finance")


def test_a_site_declares_only_what_its_own_services_use():
    decl = fed.site_declarations(["finance"], [1000])
    queues = [d.name for d in decl if isinstance(d, Queue)]
    exchanges = [d.name for d in decl if isinstance(d, Exchange)]
    assert exchanges == ["finance.events"]  # published here, federated away
    assert "rpc-finance" in queues and "govproj.dlq.finance" in queues
    assert all(
        q.startswith(("finance.", "govproj.dlq.finance", "rpc-finance", "govproj.delay.")) for q in queues
    ), queues
    office = [d.name for d in fed.site_declarations(OFFICE, [1000]) if isinstance(d, Queue)]
    assert "supervision.audit-trail" in office and "rpc-finance" not in office
    assert not any(q.startswith("finance.") for q in office)


def test_a_deployment_places_every_service_once_or_says_why_in_both_languages():
    with pytest.raises(fed.InvalidDeployment, match="no site hosts finance.*没有部署站点"):
        fed.Deployment.from_mapping({"office": OFFICE})
    with pytest.raises(fed.InvalidDeployment, match="on both.*只能部署在一个站点"):
        fed.Deployment.from_mapping({"office": SERVICES, "finance": ["finance"]})
    with pytest.raises(fed.InvalidDeployment, match="unknown service 'treasury'.*未知服务"):
        fed.Deployment.from_mapping({"all": (*SERVICES, "treasury")})
    with pytest.raises(fed.InvalidDeployment, match="小写字母"):
        fed.Deployment.from_mapping({"Office": SERVICES})
    with pytest.raises(fed.InvalidDeployment, match="部署中没有站点"):
        APART.site("audit")


def test_each_process_is_told_which_services_share_its_broker():
    assert fed.broker_services(None) == set(SERVICES) == fed.broker_services("")
    assert fed.broker_services(["finance"]) == {"finance"}
    assert fed.broker_services("planning, approval") == {"planning", "approval"}
    assert fed.broker_services('["planning","approval"]') == {"planning", "approval"}
    with pytest.raises(ValueError, match="treasury.*未知服务"):
        fed.broker_services("finance,treasury")


def test_the_relay_requires_only_the_queues_of_subscribers_on_its_broker():
    everywhere = {q.name for q in topology.queues_for_event("contract_filed")}
    assert {"planning.finance.contract_filed", "supervision.audit-trail"} <= everywhere
    # on finance's own broker nothing local subscribes: its copy waits in the link queue
    assert topology.queues_for_event("contract_filed", {"finance"}) == []
    office = {q.name for q in topology.queues_for_event("contract_filed", set(OFFICE))}
    assert office == everywhere


def test_the_gateway_calls_each_service_on_its_own_broker():
    env = {"AMQP_URI_FINANCE": "amqp://gw:pw@finance-broker:5672/govproj"}
    assert service_uris({}, env) == {"finance": env["AMQP_URI_FINANCE"]}
    assert service_uris({"AMQP_URI_FINANCE": "amqp://x@y/z"}, env) == {"finance": "amqp://x@y/z"}
    routed = RoutedRpcClient.from_uris("amqp://gw:pw@office-broker/govproj", service_uris({}, env))
    assert routed.client("finance").amqp_uri == env["AMQP_URI_FINANCE"]
    assert routed.client("planning").amqp_uri == "amqp://gw:pw@office-broker/govproj"
    # one broker for all: the plain client, as before
    assert isinstance(RoutedRpcClient.from_uris("amqp://a@b/c", {}), RpcClient)
