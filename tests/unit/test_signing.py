"""Signed envelopes and key files (issue 14), without a broker."""

import json
import stat
from datetime import date

import pytest

from shared import keys
from shared.events import InvalidEvent, load_event, make_event, signing


@pytest.fixture
def deployment(tmp_path):
    for principal in ("planning", "finance"):
        keys.generate(tmp_path, principal)
    return tmp_path


def envelope():
    return json.loads(
        make_event(
            "clock_set",
            {"today": date(2027, 1, 4), "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        ).to_json()
    )


def test_keys_are_made_once_the_private_one_readable_by_its_owner_only(deployment):
    assert keys.generate(deployment, "planning") is None  # kept, not replaced
    path = keys.private_path(deployment, "planning")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = keys.load_signing_key(deployment, "planning")
    assert (deployment / "public" / f"planning.{key.kid}.pem").exists()
    with pytest.raises(keys.KeyProblem, match="govproj keys"):
        keys.load_signing_key(deployment, "security")


def test_a_signed_envelope_verifies_whatever_the_order_of_its_keys(deployment):
    signed = signing.sign(envelope(), keys.generate(deployment, "supervision"))
    ring = keys.load_key_ring(deployment)
    reordered = json.loads(json.dumps(dict(reversed(list(signed.items())))))
    assert signing.problem(reordered, ring) is None
    assert load_event(reordered).signature == signed["signature"]


def test_unsigned_forged_misattributed_and_unknown_envelopes_say_why(deployment, tmp_path):
    supervision = keys.generate(deployment, "supervision")
    ring = keys.load_key_ring(deployment)
    assert "unsigned" in signing.problem(envelope(), ring)
    altered = signing.sign(envelope(), supervision)
    altered["payload"]["set_by"] = "mallory"
    assert "forged or altered" in signing.problem(altered, ring)
    with pytest.raises(ValueError):  # a publisher signs its own events only
        signing.sign(envelope(), keys.load_signing_key(deployment, "finance"))
    finance = keys.load_signing_key(deployment, "finance")
    misattributed = {**envelope(), "key_id": finance.kid}
    import base64

    misattributed["signature"] = base64.b64encode(finance.sign(signing.canonical(misattributed))).decode()
    assert "wrongly attributed" in signing.problem(misattributed, ring)
    stranger = keys.generate(tmp_path / "elsewhere", "supervision")
    assert "not a trusted key" in signing.problem(signing.sign(envelope(), stranger), ring)
    with pytest.raises(InvalidEvent, match="unsigned"):
        signing.verify(envelope(), ring)


def test_a_rotation_keeps_the_old_public_key_until_it_is_withdrawn(deployment):
    old = keys.load_signing_key(deployment, "planning")
    new = keys.generate(deployment, "planning", rotate=True)
    assert keys.load_signing_key(deployment, "planning").kid == new.kid
    assert set(keys.load_key_ring(deployment).keys["planning"]) == {old.kid, new.kid}
    (deployment / "public" / f"planning.{old.kid}.pem").unlink()
    assert set(keys.load_key_ring(deployment).keys["planning"]) == {new.kid}


def test_the_ledger_reports_a_record_its_publisher_did_not_sign(deployment):
    from services.supervision.audit_chain import GENESIS, Record, entry_hash, verify
    from services.supervision.audit_trail import signature_problem

    supervision = keys.generate(deployment, "supervision")
    ring = keys.load_key_ring(deployment)
    records, prev = [], GENESIS
    for seq, body in enumerate([signing.sign(envelope(), supervision), envelope()], start=1):
        text = json.dumps(body, ensure_ascii=False)
        digest = entry_hash(
            seq, body["message_id"], "clock_set", "supervision", None, body["occurred_at"], text, prev
        )
        records.append(
            Record(
                seq,
                body["message_id"],
                "clock_set",
                "supervision",
                None,
                body["occurred_at"],
                text,
                prev,
                digest,
            )
        )
        prev = digest
    result = verify(records, (2, prev), lambda r: signature_problem(ring, r))
    assert [(p["seq"], p["problem"]) for p in result["problems"]] == [(2, "unsigned")]
