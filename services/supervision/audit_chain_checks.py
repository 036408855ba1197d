"""Verifying the audit ledger at a cost that does not grow with it (issue 19, 第三十五条).

- **Checkpoints.** A verified prefix of the chain is remembered as its last seq and hash, signed
  with supervision's own Ed25519 key. ``GET /ledger/verification`` goes on from the newest
  checkpoint whose signature holds — checking that the record it names still has its hash — so
  it reads only the records appended since, and signs a new checkpoint when they check out. An
  insider with the database but not the key can delete checkpoints (verification then starts
  further back, at worst from the first record) but cannot forge or move one.
- **The full re-verification** walks the whole chain again, from the first record to the head
  as it was when it started, as a background job with its progress (start it, poll it): it reads
  the records in batches by seq, each in its own short read, and yields between batches, so the
  service's other reads are never held behind it. It finds what the incremental check cannot —
  a record altered, removed or inserted before the newest checkpoint — and, when the chain
  checks out, signs a checkpoint at its end.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.supervision.audit_chain import GENESIS, Chain
from services.supervision.audit_trail import recorded_head, records, signature_problem
from services.supervision.models import (
    AuditChainCheckpointRow,
    AuditChainHeadRow,
    AuditChainVerificationRow,
)
from shared import keys
from shared.keys import KeyRing, SigningKey
from shared.persistence.lookup import found
from shared.persistence.store import Store

log = logging.getLogger(__name__)

PRINCIPAL = "supervision"  # whose key signs checkpoints
BATCH = 500  # records per read of the full re-verification
STALE = timedelta(seconds=30)  # a running job without a heartbeat this long was interrupted
MAX_PROBLEMS = 1000  # problems kept per job (the count is kept whole)


class CheckpointKey(DependencyProvider):
    """``self.checkpoint_key``: this service's own signing key (``KEYS_DIR``)."""

    def setup(self) -> None:
        self.key = keys.load_signing_key(keys.keys_dir(self.container.config), self.container.service_name)

    def get_dependency(self, worker_ctx) -> SigningKey:
        return self.key


def _now() -> str:
    return datetime.now(UTC).isoformat()


def checkpoint_bytes(seq: int, digest: str, at: str, how: str) -> bytes:
    return json.dumps(["govproj-ledger-checkpoint", seq, digest, at, how], separators=(",", ":")).encode(
        "utf-8"
    )


def signed_checkpoint(key: SigningKey, seq: int, digest: str, how: str) -> AuditChainCheckpointRow:
    at = _now()
    signature = base64.b64encode(key.sign(checkpoint_bytes(seq, digest, at, how))).decode()
    return AuditChainCheckpointRow(seq=seq, hash=digest, at=at, how=how, key_id=key.kid, signature=signature)


def checkpoint_holds(ring: KeyRing, row: AuditChainCheckpointRow) -> bool:
    try:
        raw = base64.b64decode(row.signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return ring.verifies(PRINCIPAL, row.key_id, raw, checkpoint_bytes(row.seq, row.hash, row.at, row.how))


def _keep_checkpoint(store: Store, key: SigningKey, seq: int, digest: str, how: str) -> None:
    try:
        with store.transaction() as tx:
            if tx.session.get(AuditChainCheckpointRow, seq) is None:
                tx.session.add(signed_checkpoint(key, seq, digest, how))
    except IntegrityError:  # another verification signed the same point meanwhile
        pass


def latest_checkpoint(session, ring: KeyRing) -> tuple[AuditChainCheckpointRow | None, list[dict]]:
    """The newest checkpoint whose signature holds; newer ones that do not are reported."""
    problems = []
    for row in session.scalars(
        select(AuditChainCheckpointRow).order_by(AuditChainCheckpointRow.seq.desc()).limit(20)
    ):
        if checkpoint_holds(ring, row):
            return row, problems
        problems.append(
            {
                "seq": row.seq,
                "problem": "checkpoint",
                "detail": "a checkpoint whose signature does not verify under "
                "supervision's key (forged or altered): ignored",
            }
        )
    return None, problems


def verification(store: Store, ring: KeyRing, key: SigningKey | None) -> dict:
    """The chain from the newest valid checkpoint to the head, from one snapshot (an append
    committing mid-read is neither half-seen nor mistaken for tampering). ``ok`` also carries
    the last full re-verification's verdict, when one found a problem."""
    with store.snapshot() as session:
        head = recorded_head(session)
        checkpoint, problems = latest_checkpoint(session, ring)
        start = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS)
        if checkpoint is not None:
            anchor = next(records(session, after=checkpoint.seq - 1, upto=checkpoint.seq), None)
            if anchor is None:
                problems.append(
                    {
                        "seq": checkpoint.seq,
                        "problem": "removed",
                        "detail": f"the record checkpointed at {checkpoint.at} is missing",
                    }
                )
            elif anchor.hash != checkpoint.hash or not anchor.intact:
                problems.append(
                    {
                        "seq": checkpoint.seq,
                        "problem": "altered",
                        "detail": f"the record no longer matches the checkpoint signed at {checkpoint.at}",
                    }
                )
        chain = Chain(functools.partial(signature_problem, ring), start)
        for record in records(session, after=start[0], stream=BATCH):
            chain.feed(record)
        result = chain.result(head)
        last_full = session.scalars(
            select(AuditChainVerificationRow)
            .where(AuditChainVerificationRow.state == "done")
            .order_by(AuditChainVerificationRow.finished_at.desc())
            .limit(1)
        ).first()
        full = job_view(last_full) if last_full else None
    result["problems"] = problems + result["problems"]
    if not result["problems"] and chain.count and key is not None:
        _keep_checkpoint(store, key, *chain.last, "incremental")
    result["ok"] = not result["problems"] and (full is None or full["ok"] is not False)
    return {
        **result,
        "mode": "incremental",
        "verified_from": start[0] + 1,
        "verified_records": chain.count,
        "checkpoint": {
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "at": checkpoint.at,
            "how": checkpoint.how,
            "key_id": checkpoint.key_id,
        }
        if checkpoint
        else None,
        "full": full,
    }


# -- the full re-verification, in the background -------------------------------------------------
def job_view(row: AuditChainVerificationRow) -> dict:
    state = row.state
    if state == "running" and datetime.fromisoformat(row.heartbeat_at) < datetime.now(UTC) - STALE:
        state = "interrupted"  # the process running it stopped; start another
    problems = row.problems or []
    return {
        "id": row.id,
        "state": state,
        "length": row.target_seq,
        "verified": row.verified,
        "progress": round(row.verified / row.target_seq, 4) if row.target_seq else 1.0,
        "ok": row.ok,
        "problems": problems,
        "started_by": row.started_by,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


def start_full(store: Store, caller_sub: str) -> tuple[dict, bool]:
    """A new job over the chain up to the current head → (its view, whether it must be run);
    a job already running is answered instead of starting a second."""
    with store.transaction() as tx:
        session = tx.session
        # the head locked first: two starts at once queue here, and the second answers the
        # first's job instead of starting another over the same chain
        head = session.get(AuditChainHeadRow, 1, with_for_update=True)
        for running in session.scalars(
            select(AuditChainVerificationRow).where(AuditChainVerificationRow.state == "running")
        ):
            if job_view(running)["state"] == "running":
                return job_view(running), False
            running.state = "interrupted"
        now = _now()
        row = AuditChainVerificationRow(
            id=uuid.uuid4().hex,
            state="running",
            target_seq=head.seq if head else 0,
            target_hash=head.hash if head else GENESIS,
            verified=0,
            started_by=caller_sub,
            started_at=now,
            heartbeat_at=now,
        )
        session.add(row)
        session.flush()
        return job_view(row), True


def get_job(store: Store, job_id: str) -> dict:
    with store.read() as session:
        row = session.get(AuditChainVerificationRow, job_id)
        missing = (f"no ledger verification {job_id}", f"无台账校验任务 {job_id}")
        return job_view(found(row, *missing, details={"id": job_id}))


def run_full(store: Store, ring: KeyRing, key: SigningKey, job_id: str) -> None:
    """The job's body, in its own greenthread: batches by seq, each a short read, a heartbeat
    and a yield between them."""
    store = Store(store.engine, store.tables)
    job = None
    for _ in range(400):  # the command that created it may not have committed
        with store.read() as session:
            job = session.get(AuditChainVerificationRow, job_id)
        if job is not None:
            break
        eventlet.sleep(0.05)
    if job is None:
        log.error("ledger verification %s never appeared", job_id)
        return
    target = (job.target_seq, job.target_hash)
    chain, after = Chain(functools.partial(signature_problem, ring)), 0
    try:
        while after < target[0]:
            with store.read() as session:
                batch = list(records(session, after=after, upto=target[0], limit=BATCH))
            if not batch:
                break
            for record in batch:
                chain.feed(record)
            after = batch[-1].seq
            with store.transaction() as tx:
                tx.session.execute(
                    update(AuditChainVerificationRow)
                    .where(AuditChainVerificationRow.id == job_id)
                    .values(verified=chain.count, heartbeat_at=_now())
                )
            eventlet.sleep(0)  # the other reads go first
        result = chain.result(target if target[0] else None)
        with store.transaction() as tx:
            tx.session.execute(
                update(AuditChainVerificationRow)
                .where(AuditChainVerificationRow.id == job_id)
                .values(
                    state="done",
                    ok=result["ok"],
                    verified=chain.count,
                    problems=result["problems"][:MAX_PROBLEMS],
                    heartbeat_at=_now(),
                    finished_at=_now(),
                )
            )
        if result["ok"] and target[0]:
            _keep_checkpoint(store, key, *target, "full")
    except Exception:
        log.exception("ledger verification %s failed", job_id)
        with store.transaction() as tx:
            tx.session.execute(
                update(AuditChainVerificationRow)
                .where(AuditChainVerificationRow.id == job_id)
                .values(state="failed", finished_at=_now())
            )
