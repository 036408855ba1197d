"""Signed callers without a signature and a verification per RPC (issue 19): the gateway reuses
an assertion while half its lifetime is left; a service remembers one it verified until it
expires, but still refuses it at once when its key is no longer trusted."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import callers
from shared.authz import Identity
from shared.keys import KeyRing, SigningKey, key_id

OFFICE = Identity("office-1", "office")


def gateway_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    return SigningKey("gateway", private, key_id(private.public_key()))


def ring_of(key: SigningKey) -> KeyRing:
    return KeyRing({"gateway": {key.kid: key.private.public_key()}})


def test_the_gateway_reuses_an_assertion_per_caller_and_service_for_half_its_life():
    issue = callers.Issuer(gateway_key(), lifetime=60)
    first = issue(OFFICE, "planning")
    assert issue(OFFICE, "planning") == first
    assert issue(OFFICE, "finance") != first  # another audience
    assert issue(Identity("u-1", "unit", "U-1"), "planning") != first  # another caller
    issue._issued[("office-1", "office", None, "planning")] = (first, 0.0)  # half-life passed
    assert issue(OFFICE, "planning") != first


def test_a_verified_assertion_is_remembered_but_not_past_its_key():
    key = gateway_key()
    assertion = callers.Issuer(key)(OFFICE, "planning")
    assert callers.verify(assertion, ring_of(key), "planning") == OFFICE
    assert callers.verify(assertion, ring_of(key), "planning") == OFFICE  # remembered
    with pytest.raises(callers.UnverifiedCaller, match="not for finance"):
        callers.verify(assertion, ring_of(key), "finance")  # audience still checked
    with pytest.raises(callers.UnverifiedCaller, match="unknown key"):
        callers.verify(assertion, KeyRing({}), "planning")  # key no longer trusted
