"""Recording every event in the hash-chained ledger, verifying it, and reading a project's
timeline from it (痕迹管理: who did what, when, under which article — docs/regulation.md §13)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, Result, Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from services.supervision import visibility
from services.supervision.audit_chain import Record, chained
from services.supervision.models import AuditChainHeadRow, AuditChainRow
from shared.authz import Identity, sees_classified_content
from shared.errors import NotFound
from shared.events import Event, signing
from shared.events.titles import title
from shared.keys import KeyRing
from shared.persistence.store import Store, Transaction
from shared.policy import article_label_zh

BEIJING = timezone(timedelta(hours=8), "CST")  # the date a Shandong official reads


def append(tx: Transaction, event: Event) -> None:
    """Chain the event after the head (``append_batch`` of one)."""
    append_batch(tx, [event])


def append_batch(tx: Transaction, events: list[Event]) -> None:
    """Chain the events after the head, in order: one read of the head (its row lock makes the
    appenders one at a time), one multi-row insert, one update of the head — three Core
    statements per batch, no ORM objects (issue 19: every event of every service passes here)."""
    if not events:
        return
    head = tx.session.execute(_HEAD_FOR_UPDATE).one()
    entries = (
        # the envelope as received, its publisher's signature included (non-repudiation)
        (
            seq,
            e.message_id,
            e.event_type,
            e.source,
            e.project_code,
            e.occurred_at.isoformat(),
            e.received_json(),
        )
        for seq, e in enumerate(events, start=head.seq + 1)
    )
    records = [vars(r) for r in chained(entries, head.hash)]  # a Record's fields are the columns
    tx.session.execute(insert(_LEDGER), records)
    last = records[-1]
    tx.session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(seq=last["seq"], hash=last["hash"]))


_LEDGER, _HEAD = AuditChainRow.__table__, AuditChainHeadRow.__table__
_HEAD_ROW = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD_ROW.with_for_update()
RECORD_COLUMNS = tuple(_LEDGER.c[f.name] for f in fields(Record))


def recorded_head(session: Session | Connection) -> tuple[int, str] | None:
    """The head as recorded: (last seq, its hash); None before the first record."""
    head = session.execute(_HEAD_ROW).first()
    return (head.seq, head.hash) if head is not None and head.seq else None


def records(
    session: Session | Connection,
    *,
    after: int = 0,
    upto: int | None = None,
    limit: int | None = None,
    stream: int | None = None,
) -> Iterator[Record]:
    """The ledger's records after seq ``after`` (up to ``upto``, at most ``limit``) in seq
    order: read at once, or (``stream``) as they are walked, that many rows a fetch — then
    walk them all before the next statement."""
    query = select(*RECORD_COLUMNS).where(_LEDGER.c.seq > after).order_by(_LEDGER.c.seq)
    if upto is not None:
        query = query.where(_LEDGER.c.seq <= upto)
    if limit is not None:
        query = query.limit(limit)
    if stream is None:
        return iter([Record.of(r) for r in session.execute(query)])
    return (Record.of(r) for r in session.execute(query.execution_options(yield_per=stream)))


def signature_problem(ring: KeyRing, record: Record) -> str | None:
    """Was the record signed by the publisher it names (its ``source`` column, the envelope's)?"""
    try:
        envelope = json.loads(record.body)
    except ValueError:
        return "the stored envelope is not JSON"
    if (
        not isinstance(envelope, dict)
        or envelope.get("source") != record.source
        or envelope.get("message_id") != record.message_id
    ):
        return "the stored envelope does not name the record's source and message id"
    return signing.problem(envelope, ring)


def _project_rows(session: Session, code: str, page: tuple | None) -> Result:
    """The project's ledger rows in seq order; ``page``: (limit, offset, after seq) — an index
    range on (project_code, seq). Core statements built once, rows as tuples (issue 19: the ORM's
    statement building and entity loading were two thirds of a timeline read)."""
    if not page:
        return session.execute(_PROJECT_ROWS, {"code": code})
    limit, offset, after = page
    return session.execute(
        _PROJECT_PAGE, {"code": code, "after": after[0] if after else 0, "limit": limit, "offset": offset}
    )


_PROJECT_ROWS = select(_LEDGER).where(_LEDGER.c.project_code == bindparam("code")).order_by(_LEDGER.c.seq)
_PROJECT_PAGE = (
    _PROJECT_ROWS.where(_LEDGER.c.seq > bindparam("after"))  # seq starts at 1 (genesis head: 0)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def project_trail(store: Store, code: str, page: tuple | None = None) -> list[dict]:
    with store.read() as session:
        rows = _project_rows(session, code, page)
        out = []
        for r in rows:
            envelope = json.loads(r.body)
            out.append(
                {
                    "seq": r.seq,
                    "event_type": r.event_type,
                    "source": r.source,
                    "actor": envelope.get("actor"),
                    "occurred_at": r.occurred_at,
                    "recorded_at": r.occurred_at,
                    "business_date": business_date(envelope, r.occurred_at),
                    "articles": [article_label_zh(a) for a in envelope["articles"]],
                    "hash": r.hash,
                }
            )
        return out


def project_timeline(store: Store, caller: Identity, code: str, page: tuple | None = None) -> dict:
    """Every recorded event of the project, in ledger order. Whoever sees the project sees its
    timeline. The payloads are what travelled on the bus (never classified content); of a
    classified project even those (e.g. its name, sent for review) are shown only to its unit
    and the secrecy bureau, as the register shows the others a stub."""
    with store.read() as session:
        project = visibility.require_known(session, caller, "project.timeline", code)
        if project is None:
            raise NotFound(f"no project {code} in the ledger", f"台账中无项目 {code}", details={"code": code})
        owner, classified = project
        details = not classified or sees_classified_content(caller, owner)
        return {
            "code": code,
            "events": [_timeline_entry(r, details) for r in _project_rows(session, code, page)],
        }


def business_date(envelope: dict, occurred_at: str) -> str:
    """The day the act happened on, as its publisher signed it in the envelope (the simulated
    day under a simulated clock); an envelope from before envelopes carried it: the Beijing date
    it was published. Read from the signed, hash-chained body, so it cannot be altered unseen."""
    day = envelope.get("business_date")
    if isinstance(day, str) and day:
        return day
    return datetime.fromisoformat(occurred_at).astimezone(BEIJING).date().isoformat()


def _timeline_entry(row: Row, details: bool) -> dict:
    envelope = json.loads(row.body)
    what, what_zh = title(row.event_type)
    at = datetime.fromisoformat(row.occurred_at)
    return {
        "seq": row.seq,
        "at": row.occurred_at,
        "recorded_at": row.occurred_at,
        "business_date": business_date(envelope, row.occurred_at),
        "date": at.astimezone(BEIJING).date().isoformat(),
        "actor": envelope.get("actor") or row.source,
        "service": row.source,
        "action": row.event_type,
        "what": what,
        "what_zh": what_zh,
        "articles": [article_label_zh(a) for a in envelope["articles"]],
        "details": envelope["payload"] if details else {},
        "hash": row.hash,
    }
