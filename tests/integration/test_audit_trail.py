"""Every event of every service lands in supervision's hash-chained ledger; tampering with a
stored record (update, delete, insert) is detected and located (第三十五条)."""

import json
import time
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from services.supervision.audit_process import SupervisionAuditTrail
from shared.authz import Identity
from shared.errors import PermanentError
from shared.events import make_event
from shared.messaging import topology
from shared.messaging.reliable import audit_trail_handler
from shared.testing import (
    OPERATOR,
    as_principal,
    broker_user_of,
    get_dead_letters,
    rpc_proxy,
    service_config,
    sign_as,
    wait_for,
)
from shared.testing_events import submission

pytestmark = pytest.mark.integration

AUDIT = Identity("auditor", "audit")


def verification(amqp_uri):
    with rpc_proxy(amqp_uri, identity=AUDIT) as cluster:
        return cluster.supervision.verify_ledger()


def full_verification(amqp_uri):
    """The background re-verification of the whole chain: started, then polled until done."""
    with rpc_proxy(amqp_uri, identity=AUDIT) as cluster:
        job = cluster.supervision.start_ledger_verification()
        assert job["state"] == "running" and job["started_by"] == AUDIT.sub
        return wait_for(
            lambda: (lambda j: j if j["state"] == "done" else None)(
                cluster.supervision.ledger_verification_job(job["id"])
            ),
            message="the full verification",
        )


def test_the_ledger_records_every_event_and_detects_tampering(amqp_uri, database_urls, start_service):
    start_service("supervision", database_urls["supervision"], CLOCK="simulated")
    with rpc_proxy(amqp_uri, identity=OPERATOR) as cluster:
        for day in ("2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07"):
            cluster.supervision.set_clock(day)
    result = wait_for(
        lambda: (lambda v: v if v["length"] == 4 else None)(verification(amqp_uri)),
        message="four events chained",
    )
    assert result["ok"] and result["problems"] == []
    # the next check goes on from the checkpoint it signed: nothing new, nothing read
    again = verification(amqp_uri)
    assert again["ok"] and again["checkpoint"]["seq"] == 4 and again["verified_records"] == 0
    assert (again["length"], again["head"]) == (4, result["head"])
    job = full_verification(amqp_uri)
    assert (job["ok"], job["verified"], job["progress"], job["problems"]) == (True, 4, 1.0, [])

    engine = create_engine(database_urls["supervision"])
    with engine.begin() as conn:  # an insider edits a stored record behind the checkpoint
        conn.execute(text("UPDATE audit_ledger SET body = body || ' ' WHERE seq = 2"))
    job = full_verification(amqp_uri)  # the full re-verification finds it
    assert not job["ok"] and {"seq": 2, "problem": "altered"} in [
        {k: p[k] for k in ("seq", "problem")} for p in job["problems"]
    ]
    assert not verification(amqp_uri)["ok"]  # and the quick check says so from then on

    with engine.begin() as conn:  # ... restores it, then deletes one
        conn.execute(text("UPDATE audit_ledger SET body = substr(body, 1, length(body) - 1) WHERE seq = 2"))
        conn.execute(text("DELETE FROM audit_ledger WHERE seq = 3"))
    job = full_verification(amqp_uri)
    assert [(p["seq"], p["problem"]) for p in job["problems"]][0] == (3, "removed")

    with engine.begin() as conn:  # ... and puts a forged one in its place
        conn.execute(
            text(
                "INSERT INTO audit_ledger (seq, message_id, event_type, source, project_code, "
                "occurred_at, body, prev_hash, hash) SELECT 3, 'forged', event_type, source, "
                "project_code, occurred_at, body, hash, hash FROM audit_ledger WHERE seq = 2"
            )
        )
    job = full_verification(amqp_uri)
    assert not job["ok"] and 3 in [p["seq"] for p in job["problems"]]
    engine.dispose()


def test_verification_costs_the_new_records_and_trusts_only_signed_checkpoints(
    amqp_uri, sqlite_urls, start_service
):
    """Issue 19: each check reads the records appended since the newest checkpoint signed with
    supervision's key; a record tampered with after it, or the checkpointed record itself, is
    found at once; a checkpoint without a valid signature is ignored and named."""
    start_service("supervision", sqlite_urls["supervision"], CLOCK="simulated")

    def days(*days):
        with rpc_proxy(amqp_uri, identity=OPERATOR) as cluster:
            for day in days:
                cluster.supervision.set_clock(day)

    engine = create_engine(sqlite_urls["supervision"])

    def chained(n):  # read from the database, so that no verification runs meanwhile
        with engine.connect() as conn:
            return conn.execute(text("SELECT seq FROM audit_ledger_head")).scalar() == n

    days("2027-01-04", "2027-01-05")
    wait_for(lambda: chained(2), message="two events chained")
    first = verification(amqp_uri)
    assert first["ok"] and first["checkpoint"] is None and first["verified_records"] == 2
    days("2027-01-06", "2027-01-07", "2027-01-08")
    wait_for(lambda: chained(5), message="five events chained")
    later = verification(amqp_uri)
    assert later["ok"] and later["checkpoint"]["seq"] == 2 and later["length"] == 5
    assert (later["verified_from"], later["verified_records"]) == (3, 3)

    with engine.begin() as conn:  # a forged checkpoint past the head is ignored and named
        conn.execute(
            text(
                "INSERT INTO audit_ledger_checkpoints (seq, hash, at, how, key_id, "
                "signature) VALUES (99, :h, '2027-01-01', 'full', 'x', 'eA==')"
            ),
            {"h": "0" * 64},
        )
    result = verification(amqp_uri)
    assert result["checkpoint"]["seq"] == 5 and [(p["seq"], p["problem"]) for p in result["problems"]] == [
        (99, "checkpoint")
    ]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_ledger_checkpoints WHERE seq = 99"))
        conn.execute(text("UPDATE audit_ledger SET body = body || ' ' WHERE seq = 5"))
    result = verification(amqp_uri)  # the checkpointed record itself was edited
    assert not result["ok"] and (5, "altered") in [(p["seq"], p["problem"]) for p in result["problems"]]
    engine.dispose()


def test_only_the_audit_office_verifies(amqp_uri, sqlite_urls, start_service):
    from nameko.exceptions import RemoteError

    start_service("supervision", sqlite_urls["supervision"])
    with rpc_proxy(amqp_uri, identity=OPERATOR) as cluster:
        with pytest.raises(RemoteError) as err:
            cluster.supervision.verify_ledger()
    assert "Forbidden" in err.value.exc_type


def test_verification_reads_one_snapshot_while_appends_commit(database_urls):
    """An append that commits between reading the head and reading the records must not look
    like tampering (PostgreSQL's default read committed would let it)."""
    from services.supervision import audit_chain_checks, audit_trail
    from services.supervision.models import AuditChainHeadRow, AuditChainRow, platform
    from shared.keys import KeyRing
    from shared.persistence import create_engine_for
    from shared.persistence.store import Store

    engine = create_engine_for(database_urls["supervision"])
    store = Store(engine, platform)

    def append():
        store.handle_once(
            make_event(
                "clock_set",
                {"today": date(2027, 1, 4), "set_by": "op"},
                project_code=None,
                regulation_version=None,
                articles=[],
            ),
            audit_trail.append,
        )

    append()
    with store.snapshot() as session:
        head = session.get(AuditChainHeadRow, 1).seq
        append()  # commits from another connection meanwhile
        assert session.query(AuditChainRow).count() == head == 1
    assert audit_chain_checks.verification(store, KeyRing(), None)["length"] == 2
    engine.dispose()


def test_a_chain_rewritten_whole_still_fails_on_its_publishers_signatures(
    amqp_uri, sqlite_urls, start_service
):
    """Non-repudiation: each record keeps its publisher's signature; an insider who edits a
    record and re-hashes the chain up to the head passes the hash checks, not the signature's;
    a record re-attributed to another agency names the key that really signed it."""
    import dataclasses
    import json

    from services.supervision import audit_trail

    start_service("supervision", sqlite_urls["supervision"], CLOCK="simulated")
    with rpc_proxy(amqp_uri, identity=OPERATOR) as cluster:
        for day in ("2027-01-04", "2027-01-05", "2027-01-06"):
            cluster.supervision.set_clock(day)
    assert wait_for(
        lambda: (lambda v: v if v["length"] == 3 else None)(verification(amqp_uri)),
        message="three events chained",
    )["ok"]

    engine = create_engine(sqlite_urls["supervision"])

    def rewrite(seq, change):
        """Edit one record's envelope, then re-hash it and every later record and the head."""
        with engine.begin() as conn:
            chain = list(audit_trail.records(conn))
            prev = chain[0].prev_hash
            for r in chain:
                if r.seq == seq:
                    envelope = json.loads(r.body)
                    assert envelope["source"] == "supervision" and envelope["signature"]
                    change(envelope)
                    body = json.dumps(envelope, ensure_ascii=False)
                    r = dataclasses.replace(r, body=body, source=envelope["source"])
                r = r.relinked(prev)
                conn.execute(
                    text(
                        "UPDATE audit_ledger SET body = :b, source = :s, "
                        "prev_hash = :p, hash = :h WHERE seq = :q"
                    ),
                    {"b": r.body, "s": r.source, "p": r.prev_hash, "h": r.hash, "q": r.seq},
                )
                prev = r.hash
            conn.execute(text("UPDATE audit_ledger_head SET hash = :h WHERE id = 1"), {"h": prev})

    rewrite(2, lambda e: e["payload"].update(set_by="someone-else"))
    result = full_verification(amqp_uri)
    assert [(p["seq"], p["problem"]) for p in result["problems"]] == [(2, "unsigned")]
    assert "forged or altered" in result["problems"][0]["detail"]

    rewrite(2, lambda e: e["payload"].update(set_by="ops"))  # undo, by the same means
    rewrite(3, lambda e: e.update(source="finance"))
    result = full_verification(amqp_uri)
    assert [(p["seq"], p["problem"]) for p in result["problems"]] == [(3, "unsigned")]
    assert "wrongly attributed" in result["problems"][0]["detail"]
    engine.dispose()


# -- the audit trail in its own process, appended in batches (issue 19) ----------------------


def submitted(code: str) -> dict:
    """A signed application_submitted of planning's (supervision's main process consumes none)."""
    return sign_as(submission(code), "planning")


def publish_as_planning(amqp_uri: str, bodies: list[dict]) -> None:
    """Each body as planning's own broker user, on one connection (a burst)."""
    from kombu import Connection

    with Connection(as_principal(amqp_uri, "planning")) as conn:
        producer = conn.Producer()
        for body in bodies:
            producer.publish(
                body,
                exchange=topology.events_exchange("planning").name,
                routing_key="application_submitted",
                serializer="json",
                message_id=body["message_id"],
                user_id=broker_user_of(amqp_uri, "planning"),
            )


def chained(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT message_id FROM audit_ledger ORDER BY seq")).scalars().all()
    finally:
        engine.dispose()


def audit_workers() -> float:
    """Workers the audit-trail handler has run in this test process (its latency histogram)."""
    from prometheus_client import REGISTRY

    return (
        REGISTRY.get_sample_value(
            "govproj_event_handler_seconds_count", {"service": "supervision", "event_type": "*"}
        )
        or 0.0
    )


def test_a_burst_lands_once_each_in_batches_and_a_forged_event_is_dead_lettered_alone(
    amqp_uri, sqlite_urls, start_service
):
    """Supervision's audit-trail process (started beside supervision, as `govproj run` does)
    takes the burst in batches: each event chained once — a duplicate delivery too —, the chain
    verifies with every publisher's signature, and only the forged event is dead-lettered."""
    url = sqlite_urls["supervision"]
    start_service("supervision", url)
    before = audit_workers()
    good = [submitted(f"SD-2026-{n:06d}") for n in range(1, 301)]
    forged = submitted("SD-2026-009999")
    forged["payload"] = {**forged["payload"], "budget_total": "99999999.00"}  # altered after signing
    publish_as_planning(amqp_uri, good[:150] + [forged] + good[150:] + [good[7]])  # good[7] twice

    wait_for(lambda: len(chained(url)) >= 300, timeout=60, message="the burst chained")
    time.sleep(0.5)  # nothing more comes: the duplicate was chained once
    records = chained(url)
    assert len(records) == 300 and set(records) == {b["message_id"] for b in good}  # once each
    [dead] = get_dead_letters(amqp_uri, "supervision")
    assert dead.headers["x-govproj-original-queue"] == topology.AUDIT_TRAIL_QUEUE
    assert dead.headers["x-govproj-dead-outcome"] == "invalid"
    assert "forged or altered" in dead.headers["x-govproj-dead-reason"]
    assert json.loads(dead.body)["message_id"] == forged["message_id"]
    assert get_dead_letters(amqp_uri, "supervision", timeout=0.5) == []
    result = verification(amqp_uri)  # hashes and every record's publisher's signature
    assert result["ok"] and result["length"] == 300 and result["problems"] == []
    workers = audit_workers() - before
    assert 3 <= workers < 150, workers  # batches (at most EVENT_BATCH_SIZE each), not one per event


class FailingAuditTrail(SupervisionAuditTrail):
    """The audit-trail process whose effect refuses one project's event, wherever it sits."""

    @audit_trail_handler
    def on_any_event(self, events):
        if any(e.project_code == "SD-2026-000013" for e in events):
            raise PermanentError("refused for the test", "测试拒绝")
        super().on_any_event(events)


def test_a_failing_batch_falls_back_to_one_event_at_a_time(amqp_uri, sqlite_urls):
    """The batch holding the refused event rolls back whole; each of its events is handled
    again alone: the others chained once, the refused one dead-lettered alone (rejected)."""
    from nameko.containers import ServiceContainer

    url = sqlite_urls["supervision"]
    bodies = [submitted(f"SD-2026-{n:06d}") for n in range(1, 41)]
    publish_as_planning(amqp_uri, bodies)  # waiting in the queue: the first batch takes many
    container = ServiceContainer(
        FailingAuditTrail, service_config("supervision", amqp_uri, url, EVENT_BATCH_LINGER_MS=50)
    )
    container.start()
    try:
        wait_for(lambda: len(chained(url)) >= 39, timeout=30, message="the others chained")
        [dead] = get_dead_letters(amqp_uri, "supervision")
        assert dead.headers["x-govproj-dead-outcome"] == "rejected"
        assert "PermanentError" in dead.headers["x-govproj-dead-reason"]
        assert json.loads(dead.body)["project_code"] == "SD-2026-000013"
        assert chained(url) == [b["message_id"] for b in bodies if b["project_code"] != "SD-2026-000013"]
        assert get_dead_letters(amqp_uri, "supervision", timeout=0.5) == []
    finally:
        container.kill()
