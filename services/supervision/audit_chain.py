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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
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

    @classmethod
    def of(cls, row: Any) -> Record:
        """The record a stored row (ORM or Core, anything with these attributes) holds."""
        return cls(*(getattr(row, f.name) for f in fields(cls)))

    @classmethod
    def linked(cls, *fields_hashed: Any) -> Record:
        """The record of these fields (``entry_hash``'s, in its order: the previous record's
        hash last), chained after it: its hash computed over them."""
        return cls(*(*fields_hashed, entry_hash(*fields_hashed)))

    def relinked(self, prev_hash: str) -> Record:
        """The same fields chained after ``prev_hash`` instead, its hash recomputed (a chain
        rebuilt from a record on: every later record relinked after the one before)."""
        return Record.linked(*self.fields_hashed()[:-1], prev_hash)

    @property
    def intact(self) -> bool:
        """Does the record still match its hash (no field changed since it was chained)?"""
        return entry_hash(*self.fields_hashed()) == self.hash

    def fields_hashed(self) -> tuple[int, str, str, str, str | None, str, str, str]:
        """What the hash covers: every field but the hash itself, the previous record's included."""
        return (
            self.seq,
            self.message_id,
            self.event_type,
            self.source,
            self.project_code,
            self.occurred_at,
            self.body,
            self.prev_hash,
        )


def chained(entries: Iterable[tuple[Any, ...]], prev_hash: str = GENESIS) -> Iterator[Record]:
    """The records of ``entries`` (each a record's fields up to its body, in ``entry_hash``'s
    order) linked one after the other, the first after ``prev_hash``: how the ledger appends."""
    for entry in entries:
        record = Record.linked(*entry, prev_hash)
        yield record
        prev_hash = record.hash


def entry_hash(
    seq: int,
    message_id: str,
    event_type: str,
    source: str,
    project_code: str | None,
    occurred_at: str,
    body: str,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [seq, message_id, event_type, source, project_code, occurred_at, body, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Chain:
    """The walk of ``verify``, fed one record at a time, so that a long chain is checked in
    batches (a background job yielding between them) or from a signed checkpoint on: ``start``
    is the (seq, hash) of the last record already verified — (0, GENESIS) for the whole chain."""

    def __init__(
        self,
        signature_problem: Callable[[Record], str | None] | None = None,
        start: tuple[int, str] = (0, GENESIS),
    ) -> None:
        self.signature_problem = signature_problem
        self.start = start
        self.prev_hash, self.expected_seq = start[1], start[0] + 1
        self.last: tuple[int, str] = start
        self.count = 0
        self.problems: list[dict[str, Any]] = []

    def feed(self, r: Record) -> None:
        """A changed field breaks its own hash (altered); a record put in breaks the sequence or
        the link to its predecessor (inserted); a record taken out leaves a gap (removed); a
        record its claimed publisher did not sign is ``unsigned``."""
        problems = self.problems
        if r.seq < self.expected_seq:
            problems.append(
                {"seq": r.seq, "problem": "inserted", "detail": "sequence number repeated or out of order"}
            )
        elif r.seq > self.expected_seq:
            problems.append(
                {
                    "seq": self.expected_seq,
                    "problem": "removed",
                    "detail": f"records {self.expected_seq}–{r.seq - 1} are missing",
                }
            )
        if not r.intact:
            problems.append(
                {"seq": r.seq, "problem": "altered", "detail": "the record does not match its hash"}
            )
        elif r.prev_hash != self.prev_hash:
            problems.append(
                {"seq": r.seq, "problem": "inserted", "detail": "the record does not link to its predecessor"}
            )
        why = self.signature_problem(r) if self.signature_problem else None
        if why:
            problems.append({"seq": r.seq, "problem": "unsigned", "detail": why})
        self.prev_hash, self.expected_seq = r.hash, max(self.expected_seq, r.seq) + 1
        self.last, self.count = (r.seq, r.hash), self.count + 1

    def result(self, head: tuple[int, str] | None) -> dict[str, Any]:
        """A head that no longer matches the last record: records were removed at the end."""
        problems = list(self.problems)
        if head is not None and self.last != tuple(head):
            problems.append(
                {"seq": head[0], "problem": "removed", "detail": "the ledger ends before its recorded head"}
            )
        return {"ok": not problems, "length": self.last[0], "head": self.last[1], "problems": problems}


def verify(
    records: Iterable[Record],
    head: tuple[int, str] | None,
    signature_problem: Callable[[Record], str | None] | None = None,
    start: tuple[int, str] = (0, GENESIS),
) -> dict[str, Any]:
    """Walk the chain (from ``start``, the last record already verified): see ``Chain``."""
    chain = Chain(signature_problem, start)
    for r in records:
        chain.feed(r)
    return chain.result(head)
