"""Signed callers over RPC: a service acts only on an identity it can verify.

Anyone holding broker credentials that may publish RPC requests could set a plain identity
header. So the gateway, having verified the caller's token, forwards a short-lived assertion it
signs with its own Ed25519 key (a JWT, ``EdDSA``, ``kid`` = its key id): issuer ``gateway``,
the caller's ``sub``/``role``/``unit``, the target service as audience, ``iat`` and ``exp``
(``DEFAULT_LIFETIME``). The service checks signature (a key this deployment trusts for the
gateway), issuer, audience and expiry before ``@command``/``@query`` apply the role matrix.

Both ends remember (issue 19: a signature and a verification per RPC were a tenth of a read's
cost): ``Issuer`` reuses an assertion for the same caller and service while at least half its
lifetime is left; ``verify`` remembers an assertion it verified until it expires — the key it
was signed with is still looked up in the ring every time, so a key no longer trusted is
refused at once.
"""

from __future__ import annotations

import threading
import time
import uuid

import jwt

from shared.authz import Identity
from shared.keys import KeyRing, SigningKey

ISSUER = "gateway"  # the one principal that vouches for callers
DEFAULT_LIFETIME = 60  # seconds: covers RPC_TIMEOUT and a redelivery, not a replay later
LEEWAY = 5  # seconds of clock skew between the gateway's host and the service's


class UnverifiedCaller(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue(
    key: SigningKey,
    identity: Identity,
    audience: str | list[str],
    lifetime: int = DEFAULT_LIFETIME,
    now: float | None = None,
) -> str:
    now = int(time.time() if now is None else now)
    claims = {
        "iss": key.principal,
        "sub": identity.sub,
        "role": identity.role,
        "unit": identity.unit,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})


class Issuer:
    """``issue`` for a process that calls many times for the same callers (the gateway): an
    assertion is reused for the same caller and audience while at least half its lifetime is
    left, so a request still has ≥ ``lifetime / 2`` seconds to be delivered and redelivered."""

    def __init__(self, key: SigningKey, lifetime: int = DEFAULT_LIFETIME, max_entries: int = 10_000) -> None:
        self.key, self.lifetime, self.max_entries = key, lifetime, max_entries
        self._issued: dict[tuple, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, identity: Identity, audience: str) -> str:
        now = time.time()
        key = (identity.sub, identity.role, identity.unit, audience)
        hit = self._issued.get(key)
        if hit is not None and now < hit[1]:
            return hit[0]
        assertion = issue(self.key, identity, audience, self.lifetime, now)
        with self._lock:
            if len(self._issued) >= self.max_entries:
                self._issued.clear()
            self._issued[key] = (assertion, now + self.lifetime / 2)
        return assertion


_VERIFIED: dict[tuple[str, str], tuple[Identity, float, str]] = {}  # → (caller, expiry, key id)
_VERIFIED_MAX = 10_000


def verify(assertion: object, ring: KeyRing, audience: str) -> Identity:
    """The caller the gateway vouches for, or ``UnverifiedCaller`` saying why not."""
    remembered = _VERIFIED.get((assertion, audience)) if isinstance(assertion, str) else None
    if (
        remembered is not None
        and time.time() < remembered[1]
        and remembered[2] in ring.keys.get(ISSUER, {})  # its key still trusted, asked every time
    ):
        return remembered[0]  # no header parsed again: a tenth of a millisecond per RPC
    if not isinstance(assertion, str) or assertion.count(".") != 2:
        raise UnverifiedCaller("the identity is not a signed assertion")
    try:
        kid = jwt.get_unverified_header(assertion).get("kid")
    except jwt.PyJWTError as exc:
        raise UnverifiedCaller(f"unreadable assertion: {exc}") from None
    public = ring.keys.get(ISSUER, {}).get(kid) if isinstance(kid, str) else None
    if public is None:
        owner = ring.owner_of(kid) if isinstance(kid, str) else None
        whose = f"{owner}'s key" if owner else "an unknown key"
        raise UnverifiedCaller(f"signed with {whose} {kid}, not the gateway's")
    try:
        claims = jwt.decode(
            assertion,
            public,
            algorithms=["EdDSA"],
            audience=audience,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "role"]},
        )
        identity = Identity(claims["sub"], claims["role"], claims.get("unit"))
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[(assertion, audience)] = (identity, float(claims["exp"]), str(kid))
        return identity
    except jwt.ExpiredSignatureError:
        raise UnverifiedCaller("the assertion has expired") from None
    except jwt.InvalidAudienceError:
        raise UnverifiedCaller(f"the assertion is not for {audience}") from None
    except jwt.InvalidSignatureError:
        raise UnverifiedCaller("forged: the assertion's signature does not verify") from None
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise UnverifiedCaller(f"invalid assertion: {exc}") from None
