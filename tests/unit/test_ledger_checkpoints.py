"""Ledger verification that does not grow (issue 19, 第三十五条): the chain walked from a
checkpoint on, or in batches, says what the whole walk says; a checkpoint holds only under
supervision's own key."""

from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.supervision.audit_chain import Chain, chained, verify
from services.supervision.audit_chain_checks import checkpoint_holds, signed_checkpoint
from shared.keys import KeyRing, SigningKey, key_id


def chain(n=6):
    at = "2026-01-01T00:00:00+00:00"
    return list(
        chained((s, f"m{s}", "clock_set", "supervision", None, at, f'{{"n": {s}}}') for s in range(1, n + 1))
    )


def head(records):
    return (records[-1].seq, records[-1].hash)


def test_from_a_checkpoint_only_the_new_records_are_walked():
    records = chain()
    start = (records[2].seq, records[2].hash)
    result = verify(records[3:], head(records), start=start)
    assert result == verify(records, head(records))
    nothing_new = verify([], head(records), start=head(records))
    assert nothing_new == {"ok": True, "length": 6, "head": records[-1].hash, "problems": []}


def test_a_wrong_checkpoint_hash_breaks_the_first_new_link():
    records = chain()
    result = verify(records[3:], head(records), start=(3, "f" * 64))
    assert [(p["seq"], p["problem"]) for p in result["problems"]] == [(4, "inserted")]


def test_records_removed_right_after_the_checkpoint_or_at_the_end_are_located():
    records = chain()
    gap = verify(records[4:], head(records), start=(records[2].seq, records[2].hash))
    assert (4, "removed") in [(p["seq"], p["problem"]) for p in gap["problems"]]
    cut = verify(records[3:5], head(records), start=(records[2].seq, records[2].hash))
    assert [(p["seq"], p["problem"]) for p in cut["problems"]] == [(6, "removed")]


def test_a_walk_in_batches_says_what_one_walk_says():
    records = chain()
    tampered = records[:3] + [replace(records[3], body="{}")] + records[4:]
    walk = Chain()
    for batch in (tampered[:2], tampered[2:5], tampered[5:]):
        for record in batch:
            walk.feed(record)
    assert walk.result(head(records)) == verify(tampered, head(records))
    assert walk.count == 6


def signing_key(principal="supervision"):
    private = Ed25519PrivateKey.generate()
    return SigningKey(principal, private, key_id(private.public_key()))


def test_a_checkpoint_holds_only_as_signed_and_only_under_supervisions_key():
    key, other = signing_key(), signing_key("finance")
    ring = KeyRing(
        {
            "supervision": {key.kid: key.private.public_key()},
            "finance": {other.kid: other.private.public_key()},
        }
    )
    row = signed_checkpoint(key, 6, "a" * 64, "incremental")
    assert checkpoint_holds(ring, row)
    moved = signed_checkpoint(key, 6, "a" * 64, "incremental")
    moved.seq = 7  # an insider moves it on
    assert not checkpoint_holds(ring, moved)
    assert not checkpoint_holds(ring, signed_checkpoint(other, 6, "a" * 64, "full"))
    garbled = signed_checkpoint(key, 6, "a" * 64, "full")
    garbled.signature = "not base64!"
    assert not checkpoint_holds(ring, garbled)
