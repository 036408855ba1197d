"""Each agency's Ed25519 keys: its own private key, and the public keys of those it trusts.

A deployment's keys live in one directory (``KEYS_DIR``, env ``GOVPROJ_KEYS_DIR``, default
``var/keys``)::

    private/<principal>.pem          the principal's own signing key (a secret; never committed)
    public/<principal>.<kid>.pem     public keys, any number per principal (rotation: old and new)

An agency keeps only its services' private keys and receives the others' ``public/`` files. A key
id is derived from the public key (its SHA-256, 16 hex digits), so it cannot be claimed apart
from the key; which principal a public key speaks for is what this agency was given — the file's
name — never what a message says.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DEFAULT_KEYS_DIR = "var/keys"


class KeyProblem(Exception):
    """A key that is missing or unreadable: the process cannot sign or verify."""


def keys_dir(config: dict | None = None) -> Path:
    return Path((config or {}).get("KEYS_DIR") or os.environ.get("GOVPROJ_KEYS_DIR") or DEFAULT_KEYS_DIR)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class SigningKey:
    principal: str
    private: Ed25519PrivateKey
    kid: str

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


@dataclass
class KeyRing:
    """The public keys this deployment trusts: principal → {key id → key}."""

    keys: dict[str, dict[str, Ed25519PublicKey]] = field(default_factory=dict)

    def owner_of(self, kid: str) -> str | None:
        return next((p for p, ks in self.keys.items() if kid in ks), None)

    def verifies(self, principal: str, kid: str, signature: bytes, data: bytes) -> bool:
        public = self.keys.get(principal, {}).get(kid)
        if public is None:
            return False
        try:
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def private_path(directory: Path, principal: str) -> Path:
    return directory / "private" / f"{principal}.pem"


def load_signing_key(directory: Path, principal: str) -> SigningKey:
    path = private_path(directory, principal)
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyProblem(
            f"no usable signing key for {principal} at {path} ({exc}); "
            "run `govproj keys` (development) or mount the agency's key"
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 private key")
    return SigningKey(principal, private, key_id(private.public_key()))


def load_key_ring(directory: Path) -> KeyRing:
    ring = KeyRing()
    for path in sorted((directory / "public").glob("*.pem")):
        principal = path.name.split(".", 1)[0]
        try:
            public = serialization.load_pem_public_key(path.read_bytes())
        except ValueError as exc:
            raise KeyProblem(f"{path} is not a public key: {exc}") from None
        if not isinstance(public, Ed25519PublicKey):
            raise KeyProblem(f"{path} is not an Ed25519 public key")
        ring.keys.setdefault(principal, {})[key_id(public)] = public
    return ring


_RINGS: dict[str, tuple[float, KeyRing]] = {}
_CHECKED: dict[str, float] = {}
RECHECK_SECONDS = 2.0


def key_ring(directory: Path) -> KeyRing:
    """The ring, re-read when the public directory changes (a rotation needs no restart),
    looked at no more than every ``RECHECK_SECONDS``."""
    now = time.monotonic()
    if str(directory) in _RINGS and now - _CHECKED.get(str(directory), 0) < RECHECK_SECONDS:
        return _RINGS[str(directory)][1]
    _CHECKED[str(directory)] = now
    public = directory / "public"
    try:
        stamp = max([public.stat().st_mtime, *(p.stat().st_mtime for p in public.glob("*.pem"))])
    except OSError:
        stamp = -1.0
    cached = _RINGS.get(str(directory))
    if cached is None or cached[0] != stamp:
        cached = _RINGS[str(directory)] = (stamp, load_key_ring(directory))
    return cached[1]


def generate(directory: Path, principal: str, *, rotate: bool = False) -> SigningKey | None:
    """Create the principal's key pair unless it has one (or ``rotate``: a new private key, its
    public key added beside the old one, which stays trusted until removed) → the new key."""
    path = private_path(directory, principal)
    if path.exists() and not rotate:
        return None
    private = Ed25519PrivateKey.generate()
    kid = key_id(private.public_key())
    (directory / "public").mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    (directory / "public" / f"{principal}.{kid}.pem").write_bytes(_public_pem(private.public_key()))
    os.replace(tmp, path)
    return SigningKey(principal, private, kid)
