"""The gateway remembers a bearer token it verified (issue 19: a client sends the same token with
every request) — never past the token's expiry, and never one it refused."""

from __future__ import annotations

import time

import jwt
import pytest

from services.gateway.auth import Authenticator
from shared.authz import Identity, Unauthenticated
from shared.config import load_config

CONFIG = load_config("gateway", CLOCK="real")


def token(**claims: object) -> str:
    return "Bearer " + jwt.encode(
        {"sub": "office-1", "role": "office", **claims}, CONFIG["JWT_DEV_SECRET"], "HS256"
    )


def test_a_remembered_token_is_refused_once_it_expires():
    auth = Authenticator(CONFIG)
    short = token(exp=int(time.time()) + 2)
    assert auth.identify(short) == Identity("office-1", "office")
    assert auth.identify(short) == Identity("office-1", "office")  # remembered
    time.sleep(
        max(0.0, jwt.decode(short[7:], options={"verify_signature": False})["exp"] - time.time()) + 0.1
    )
    with pytest.raises(Unauthenticated):
        auth.identify(short)


def test_a_refused_token_is_not_remembered():
    auth = Authenticator(CONFIG)
    forged = "Bearer " + jwt.encode(
        {"sub": "office-1", "role": "office", "exp": int(time.time()) + 60}, "another secret", "HS256"
    )
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            auth.identify(forged)
