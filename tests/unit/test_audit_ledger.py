from dataclasses import replace

from services.supervision.audit_chain import GENESIS, Record, chained, entry_hash, verify


def chain(n=5):
    at = "2026-01-01T00:00:00+00:00"
    return list(
        chained((s, f"m{s}", "clock_set", "supervision", None, at, f'{{"n": {s}}}') for s in range(1, n + 1))
    )


def head(records):
    return (records[-1].seq, records[-1].hash)


def test_an_intact_chain_verifies():
    records = chain()
    result = verify(records, head(records))
    assert result == {"ok": True, "length": 5, "head": records[-1].hash, "problems": []}
    assert verify([], None)["ok"]


def test_an_altered_record_is_located():
    records = chain()
    tampered = records[:2] + [replace(records[2], body='{"n": 999}')] + records[3:]
    result = verify(tampered, head(records))
    assert not result["ok"] and result["problems"] == [
        {"seq": 3, "problem": "altered", "detail": "the record does not match its hash"}
    ]


def test_a_rehashed_record_still_breaks_the_link():
    records = chain()
    forged = replace(records[2], body='{"n": 999}')
    forged = replace(
        forged,
        hash=entry_hash(
            3, "m3", "clock_set", "supervision", None, forged.occurred_at, forged.body, forged.prev_hash
        ),
    )
    result = verify(records[:2] + [forged] + records[3:], head(records))
    assert [p["seq"] for p in result["problems"]] == [4]  # its successor no longer links
    assert result["problems"][0]["problem"] == "inserted"


def test_a_removed_record_is_located():
    records = chain()
    result = verify(records[:2] + records[3:], head(records))
    assert {"seq": 3, "problem": "removed"} == {k: result["problems"][0][k] for k in ("seq", "problem")}


def test_removing_the_last_records_is_seen_from_the_head():
    records = chain()
    result = verify(records[:3], head(records))
    assert result["problems"] == [
        {"seq": 5, "problem": "removed", "detail": "the ledger ends before its recorded head"}
    ]


def test_an_inserted_record_is_located():
    records = chain()
    extra = Record(
        3,
        "mX",
        "clock_set",
        "supervision",
        None,
        records[2].occurred_at,
        "{}",
        records[1].hash,
        entry_hash(3, "mX", "clock_set", "supervision", None, records[2].occurred_at, "{}", records[1].hash),
    )
    result = verify(records[:3] + [extra] + records[3:], head(records))
    assert not result["ok"]
    assert {"seq": 3, "problem": "inserted"} in [
        {k: p[k] for k in ("seq", "problem")} for p in result["problems"]
    ]


def test_a_record_is_linked_by_the_hash_of_its_fields_and_the_one_before():
    first, second = chain(2)
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert second.hash == entry_hash(*second.fields_hashed()) and second.intact
    assert not replace(second, body='{"n": 999}').intact
    relinked = replace(second, body='{"n": 999}').relinked(first.hash)  # what a forger can do
    assert relinked.intact and relinked.hash != second.hash and relinked.body == '{"n": 999}'
    assert verify([first, relinked], head([first, relinked]))["ok"]  # hashes alone: the signatures tell
    row = type("Row", (), vars(second))()  # a stored row: the same attributes
    assert Record.of(row) == second
