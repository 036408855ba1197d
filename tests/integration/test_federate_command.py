"""`govproj federate` (issue 14): one agency's broker as its administrator sets it up — its part
of the topology only, the federation user of the agency reading its events (with exactly the
derived rights), the upstream and policy federating the events it reads."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote, urlsplit

import pytest
from amqp.exceptions import NotFound
from kombu import Connection

from shared import cli
from shared.messaging import federation
from shared.testing import RabbitAdmin, rabbitmq_federation_enabled

pytestmark = pytest.mark.integration


@pytest.fixture
def office_broker(infrastructure, tmp_path, monkeypatch):
    """A fresh vhost as the office's broker; the other site has a name of this test's own
    (the federation user is global on the broker)."""
    rabbitmq_federation_enabled()
    admin = RabbitAdmin(infrastructure.rabbit_api)
    vhost = f"govproj-fed-{uuid.uuid4().hex[:8]}"
    admin.create_vhost(vhost)
    base = urlsplit(infrastructure.amqp_uri)
    uri = f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    other = f"fin{uuid.uuid4().hex[:6]}"
    sites = tmp_path / "sites.json"
    sites.write_text(
        json.dumps(
            {
                "sites": {
                    "office": ["planning", "approval", "acceptance", "security", "supervision"],
                    other: ["finance"],
                }
            }
        )
    )
    monkeypatch.setenv("AMQP_URI", uri)
    monkeypatch.setenv("GOVPROJ_RABBIT_API", admin.base)
    yield admin, vhost, uri, other, str(sites)
    admin.delete_vhost(vhost)
    admin.delete_user(f"govproj-federation-{other}")


def test_federate_sets_up_one_agencys_broker(office_broker, capsys):
    admin, vhost, uri, other, sites = office_broker
    assert cli.main(["federate", "--deployment", sites, "--site", "office"]) == 0
    out = capsys.readouterr().out
    assert f"federation user for {other} created" in out
    assert "BROKER_SERVICES=planning,approval,acceptance,security,supervision" in out
    assert f"--upstream {other}=URI" in out  # not yet federated: said so
    with Connection(uri) as conn:
        channel = conn.channel()
        channel.queue_declare("rpc-planning", passive=True)
        channel.queue_declare("supervision.audit-trail", passive=True)
        channel.exchange_declare("finance.events", "topic", passive=True)  # read from finance
    with Connection(uri) as conn, pytest.raises(NotFound):  # finance's queues are not here
        conn.channel().queue_declare("rpc-finance", passive=True)
    # the federation user reads only what the other site federates from here
    user = f"govproj-federation-{other}"
    [permission] = admin._call("GET", f"/users/{user}/permissions").json()
    expected = federation.federation_rights(federation.Deployment.load(sites), "office", other)
    assert (permission["vhost"], permission["configure"], permission["write"], permission["read"]) == (
        vhost,
        expected.configure,
        expected.write,
        expected.read,
    )
    assert "planning\\.events" in permission["read"] and "finance" not in permission["read"]

    link = f"amqp://govproj-federation-office:secret@127.0.0.1:5673/{vhost}"
    assert (
        cli.main(
            [
                "federate",
                "--deployment",
                sites,
                "--site",
                "office",
                "--no-grant",
                "--upstream",
                f"{other}={link}",
            ]
        )
        == 0
    )
    v = quote(vhost, safe="")
    upstream = admin._call("GET", f"/parameters/federation-upstream/{v}/govproj-{other}").json()
    assert upstream["value"]["uri"] == link and upstream["value"]["trust-user-id"] is False
    policy = admin._call("GET", f"/policies/{v}/govproj-federate-from-{other}").json()
    assert policy["pattern"] == r"^(finance\.events)$" and policy["apply-to"] == "exchanges"
    assert policy["definition"] == {"federation-upstream": f"govproj-{other}"}


def test_a_deployment_that_places_no_site_is_refused_in_both_languages(office_broker, capsys):
    _, _, _, _, sites = office_broker
    assert cli.main(["federate", "--deployment", sites, "--site", "drc"]) == 2
    err = capsys.readouterr().err
    assert "no site 'drc'" in err and "部署中没有站点" in err
    assert (
        cli.main(["federate", "--deployment", sites, "--site", "office", "--upstream", "office-broker"]) == 2
    )
    assert "SITE=URI" in capsys.readouterr().err
