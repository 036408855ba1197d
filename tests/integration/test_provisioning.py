"""`govproj run` provisions the derived users itself (management API, else rabbitmqctl), or says
plainly that it falls back to one user."""

import os
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection

from shared import cli
from shared.messaging import topology
from shared.messaging.provision import provision_users, rabbitmqctl_available
from shared.messaging.rights import all_rights
from shared.testing import FAST_RETRIES

pytestmark = pytest.mark.integration


@pytest.fixture
def unique_users(rabbit_admin):
    """The derived rights under names of this test's own (users are global on a broker)."""
    suffix = uuid.uuid4().hex[:8]
    names = []

    def user_of(rights):
        names.append(f"{rights.user}.prov-{suffix}")
        return names[-1]

    yield user_of
    for name in names:
        rabbit_admin.delete_user(name)


def assert_least_privilege(uri: str) -> None:
    with Connection(uri) as conn:  # its own queue: may consume
        conn.channel().basic_get(topology.own_queue_names("planning")[0])
    with Connection(uri) as conn, pytest.raises(AccessRefused):  # another's: refused
        conn.channel().basic_get(topology.own_queue_names("finance")[0])


def test_provisioned_through_the_management_api(amqp_uri, unique_users):
    how, uris = provision_users(amqp_uri, all_rights(FAST_RETRIES), user_of=unique_users)
    assert how.startswith("the management API")
    assert set(uris) == {
        "planning",
        "approval",
        "finance",
        "acceptance",
        "security",
        "supervision",
        "gateway",
    }
    assert_least_privilege(uris["planning"])


# rabbitmqctl talks to a broker on this machine; where the broker runs elsewhere (pytest-docker)
# there is none to reach. In CI the broker is local: there the test must run, never skip.
@pytest.mark.skipif(
    os.environ.get("CI") != "true" and not rabbitmqctl_available(),
    reason="rabbitmqctl cannot reach the broker (a broker not on this machine)",
)
def test_provisioned_with_rabbitmqctl_when_the_api_does_not_answer(amqp_uri, unique_users):
    how, uris = provision_users(
        amqp_uri, all_rights(FAST_RETRIES), api="http://127.0.0.1:9/api", user_of=unique_users
    )
    assert how == "rabbitmqctl"
    assert_least_privilege(uris["planning"])


def test_run_says_it_falls_back_to_one_user(amqp_uri, monkeypatch, capsys):
    monkeypatch.setenv("GOVPROJ_RABBIT_API", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PATH", "/nonexistent")  # no rabbitmqctl either
    assert cli.broker_users(amqp_uri) == {}
    err = capsys.readouterr().err
    assert "FALLING BACK TO ONE USER" in err and "'guest'" in err
