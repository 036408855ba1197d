"""Signed events (issue 14): a consumer acts only on an envelope signed by its source's key.

Every message here is published by planning's OWN broker user with its real ``user_id`` — what
the broker vouches for is right — so the signature alone decides: unsigned, forged (altered after
signing), wrongly attributed (signed by another agency) and signed by an unknown key all go to
the dead-letter queue with the reason and change nothing; during a rotation old and new keys
are both accepted.
"""

import shutil

import pytest

from shared import keys
from shared.messaging import topology
from shared.testing import (
    TEST_KEYS_DIR,
    as_principal,
    broker_user_of,
    get_dead_letters,
    publish_raw,
    rpc_proxy,
    sign_as,
    wait_for,
)
from shared.testing_events import submission

pytestmark = pytest.mark.integration


def application(code: str, name: str = "全省电子证照系统") -> dict:
    return submission(code, name=name)


def publish_as_planning(amqp_uri: str, body: dict) -> None:
    publish_raw(
        as_principal(amqp_uri, "planning"),
        topology.events_exchange("planning").name,
        "application_submitted",
        body,
        serializer="json",
        message_id=body["message_id"],
        user_id=broker_user_of(amqp_uri, "planning"),
    )


def review_cases(amqp_uri):
    with rpc_proxy(amqp_uri) as cluster:
        return cluster.approval.list_review_cases(None)


def forged(body):
    signed = sign_as(body, "planning")
    signed["payload"] = {**signed["payload"], "budget_total": "99999999.00"}
    return signed


def unknown_key(body, tmp_path):
    stranger = keys.generate(tmp_path / "stranger", "planning")  # a key nobody was given
    from shared.events import signing

    return signing.sign(body, stranger)


@pytest.mark.parametrize(
    "case, reason",
    [
        ("unsigned", "unsigned: the event carries no key_id and signature"),
        ("forged", "forged or altered: the signature does not verify under planning's key"),
        ("wrongly_attributed", "wrongly attributed: claims source planning but is signed with finance's key"),
        ("unknown_key", "which is not a trusted key of any publisher"),
    ],
)
def test_an_event_not_signed_by_its_source_is_dead_lettered_with_the_reason(
    amqp_uri, sqlite_urls, start_service, tmp_path, case, reason
):
    start_service("approval", sqlite_urls["approval"])
    body = application("SD-2026-000101")
    body = {
        "unsigned": lambda b: b,
        "forged": forged,
        "wrongly_attributed": lambda b: sign_as(b, "finance"),
        "unknown_key": lambda b: unknown_key(b, tmp_path),
    }[case](body)
    publish_as_planning(amqp_uri, body)

    [dead] = get_dead_letters(amqp_uri, "approval")
    assert dead.headers["x-govproj-dead-outcome"] == "invalid"
    assert reason in dead.headers["x-govproj-dead-reason"], dead.headers["x-govproj-dead-reason"]
    assert review_cases(amqp_uri) == []  # nothing was applied

    publish_as_planning(amqp_uri, sign_as(application("SD-2026-000102"), "planning"))
    wait_for(lambda: review_cases(amqp_uri), message="the signed event still flows")


def test_during_a_rotation_the_old_and_the_new_key_are_both_accepted(
    amqp_uri, sqlite_urls, start_service, tmp_path
):
    """Planning rotates: its new public key is handed out beside the old one, then it signs
    with the new one; events signed with either verify until the old one is withdrawn."""
    deployment = tmp_path / "keys"
    shutil.copytree(TEST_KEYS_DIR, deployment)
    old = keys.load_signing_key(deployment, "planning")
    new = keys.generate(deployment, "planning", rotate=True)
    assert new.kid != old.kid and set(keys.load_key_ring(deployment).keys["planning"]) == {old.kid, new.kid}
    start_service("approval", sqlite_urls["approval"], KEYS_DIR=str(deployment))

    from shared.events import signing

    publish_as_planning(amqp_uri, signing.sign(application("SD-2026-000201"), old))
    publish_as_planning(amqp_uri, signing.sign(application("SD-2026-000202"), new))
    wait_for(lambda: len(review_cases(amqp_uri)) == 2, message="both keys accepted")
