"""Bearer JWT authentication. Claims: ``sub``, ``role``, ``unit`` (for role ``unit``), ``exp``.

Development signs and verifies HS256 with a configured secret (``govproj token``); production
verifies against a configured public key or a JWKS endpoint and never accepts HS256.
"""

from __future__ import annotations

import time
from typing import Any

import jwt

from shared.authz import ROLES, Identity, Unauthenticated

DEV_ALGORITHM = "HS256"
# a token verified is remembered this long (never past its exp): a client sends the same token
# with every request, and verifying it again was a tenth of a read's cost in the gateway (issue
# 19). No weaker than the JWKS client, which trusts a fetched key for minutes.
REMEMBER_SECONDS = 60.0
REMEMBER_MAX = 10_000


class Authenticator:
    def __init__(self, config: dict[str, Any]) -> None:
        self.mode = config.get("JWT_MODE", "development")
        self.issuer = config.get("JWT_ISSUER") or None
        self.audience = config.get("JWT_AUDIENCE") or None
        if self.mode == "development":
            self.algorithms = [DEV_ALGORITHM]
            self._key = config["JWT_DEV_SECRET"]
            self._jwks = None
        elif self.mode == "production":
            self.algorithms = [
                a.strip()
                for a in str(config["JWT_ALGORITHMS"]).split(",")
                if a.strip() and not a.strip().startswith("HS")
            ]
            self._key = config.get("JWT_PUBLIC_KEY") or None
            url = config.get("JWT_JWKS_URL") or None
            self._jwks = jwt.PyJWKClient(url, cache_keys=True) if url else None
            if not (self._key or self._jwks):
                raise ValueError("production JWT_MODE needs JWT_PUBLIC_KEY or JWT_JWKS_URL")
        else:
            raise ValueError(f"JWT_MODE must be development or production, not {self.mode!r}")
        self._verified: dict[str, tuple[Identity, float]] = {}  # token → (identity, until)

    def identify(self, authorization: str | None) -> Identity:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated(
                "a bearer token is required (Authorization: Bearer <JWT>)",
                "需要身份令牌（Authorization: Bearer <JWT>）",
            )
        token = authorization[len("Bearer ") :].strip()
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None and now < remembered[1]:
            return remembered[0]
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._key
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["sub", "role", "exp"], "verify_aud": self.audience is not None},
            )
            _check_claims(claims)
            identity = Identity(sub=claims["sub"], role=claims["role"], unit=claims.get("unit"))
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthenticated(f"invalid token: {exc}", "身份令牌无效或已过期") from None
        if len(self._verified) >= REMEMBER_MAX:
            self._verified.clear()
        self._verified[token] = (identity, min(float(claims["exp"]), now + REMEMBER_SECONDS))
        return identity


MAX_CLAIM = 200


def _check_claims(claims: dict[str, Any]) -> None:
    """A validly signed token still carries only what an identity can be: ``sub``, ``role`` and
    ``unit`` are short printable strings (they travel to every service and into every record)."""
    for name in ("sub", "role", "unit"):
        value = claims.get(name)
        if value is None and name == "unit":
            continue
        if not isinstance(value, str) or not 0 < len(value) <= MAX_CLAIM or not value.isprintable():
            raise Unauthenticated(
                f"invalid token: claim {name!r} must be a string of 1 to {MAX_CLAIM} printable characters",
                f"身份令牌无效：{name} 须为 1 至 {MAX_CLAIM} 个可打印字符的字符串",
                details={"claim": name},
            )


def development_token(
    secret: str, role: str, unit: str | None = None, sub: str | None = None, ttl_seconds: int = 8 * 3600
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    Identity(sub or role, role, unit)  # a unit token must carry its unit code
    now = int(time.time())
    claims = {
        "sub": sub or (f"{role}@{unit}" if unit else f"{role}-dev"),
        "role": role,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if unit:
        claims["unit"] = unit
    return jwt.encode(claims, secret, algorithm=DEV_ALGORITHM)
