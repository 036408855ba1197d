"""The audit trail: every event of every service in an append-only, hash-chained ledger.

Each entry's hash covers its own fields and the previous entry's hash; the head (last seq and
hash) is kept apart. Verification recomputes the chain and locates any altered, inserted or
removed record (痕迹管理; the audit office's check, 第三十五条). Each record keeps the envelope as
its publisher signed it; verification also checks that signature against the claimed publisher's
keys (non-repudiation across agencies: a chain rewritten whole still cannot forge a signature).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Record:
    seq: int
    message_id: str
    event_type: str
    source: str
    project_code: str | None
    occurred_at: str
    body: str
    prev_hash: str
    hash: str


def entry_hash(seq: int, message_id: str, event_type: str, source: str,
               project_code: str | None, occurred_at: str, body: str, prev_hash: str) -> str:
    canonical = json.dumps([seq, message_id, event_type, source, project_code, occurred_at, body,
                            prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify(records: Iterable[Record], head: tuple[int, str] | None,
           signature_problem: Callable[[Record], str | None] | None = None) -> dict[str, Any]:
    """Walk the chain. A changed field breaks its own hash (altered); a record put in breaks the
    sequence or the link to its predecessor (inserted); a record taken out leaves a gap, or a
    head that no longer matches the last record (removed); a record its claimed publisher did
    not sign is ``unsigned`` (``signature_problem`` says why)."""
    problems: list[dict[str, Any]] = []
    prev_hash, expected_seq, last = GENESIS, 1, None
    for r in records:
        if r.seq < expected_seq:
            problems.append({"seq": r.seq, "problem": "inserted",
                             "detail": "sequence number repeated or out of order"})
        elif r.seq > expected_seq:
            problems.append({"seq": expected_seq, "problem": "removed",
                             "detail": f"records {expected_seq}–{r.seq - 1} are missing"})
        if entry_hash(r.seq, r.message_id, r.event_type, r.source, r.project_code,
                      r.occurred_at, r.body, r.prev_hash) != r.hash:
            problems.append({"seq": r.seq, "problem": "altered",
                             "detail": "the record does not match its hash"})
        elif r.prev_hash != prev_hash:
            problems.append({"seq": r.seq, "problem": "inserted",
                             "detail": "the record does not link to its predecessor"})
        why = signature_problem(r) if signature_problem else None
        if why:
            problems.append({"seq": r.seq, "problem": "unsigned", "detail": why})
        prev_hash, expected_seq, last = r.hash, max(expected_seq, r.seq) + 1, r
    if head is not None and (last is None or (last.seq, last.hash) != head):
        problems.append({"seq": head[0], "problem": "removed",
                         "detail": "the ledger ends before its recorded head"})
    return {"ok": not problems, "length": last.seq if last else 0,
            "head": last.hash if last else GENESIS, "problems": problems}
