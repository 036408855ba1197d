"""Signed envelopes: who published an event is proven by its Ed25519 signature, not by the broker.

A broker's ``user_id`` check holds only on one broker (federation clears it). So the publisher
signs the canonical JSON of the envelope — every field, ``key_id`` included, except the
signature itself — and every consumer, and the audit ledger later, checks that the signature is
valid under a key this deployment trusts FOR THE SOURCE THE ENVELOPE NAMES: an event of
``finance`` signed with planning's key is wrongly attributed, whatever its signature.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from shared.events.envelope import InvalidEvent
from shared.keys import KeyRing, SigningKey


def canonical(envelope: dict[str, Any]) -> bytes:
    """The signed bytes: sorted keys, no spaces, UTF-8; the signature itself left out."""
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(envelope: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """The envelope with ``key_id`` and ``signature`` set (Ed25519 is deterministic: signing a
    re-sent outbox row again gives the same bytes)."""
    if envelope.get("source") != key.principal:
        raise ValueError(f"{key.principal} may not sign an event of {envelope.get('source')}")
    signed = {**envelope, "key_id": key.kid}
    signed["signature"] = base64.b64encode(key.sign(canonical(signed))).decode("ascii")
    return signed


def sign_json(body: str, key: SigningKey) -> str:
    return json.dumps(sign(json.loads(body), key), ensure_ascii=False)


def problem(envelope: dict[str, Any], ring: KeyRing) -> str | None:
    """Why the envelope is not proven to come from its source — None when it is."""
    source, kid, signature = (envelope.get("source"), envelope.get("key_id"), envelope.get("signature"))
    if not kid or not signature:
        return "unsigned: the event carries no key_id and signature"
    if not isinstance(kid, str) or not isinstance(signature, str):
        return "malformed key_id or signature"
    owner = ring.owner_of(kid)
    if owner is None:
        return f"signed with key {kid}, which is not a trusted key of any publisher"
    if owner != source:
        return f"wrongly attributed: claims source {source} but is signed with {owner}'s key {kid}"
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return "malformed signature (not base64)"
    if not ring.verifies(source, kid, raw, canonical(envelope)):
        return f"forged or altered: the signature does not verify under {source}'s key {kid}"
    return None


def verify(envelope: dict[str, Any], ring: KeyRing) -> None:
    reason = problem(envelope, ring)
    if reason:
        raise InvalidEvent(reason, {"source": envelope.get("source"), "key_id": envelope.get("key_id")})
