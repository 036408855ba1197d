"""Recording every event in the hash-chained ledger, and verifying it."""
from __future__ import annotations

import json

from sqlalchemy import select

from services.supervision.ledger import Record, entry_hash, verify
from services.supervision.models import LedgerHeadRow, LedgerRow
from shared.events import Event
from shared.persistence.store import Store, Transaction
from shared.policy import article_label_zh


def append(tx: Transaction, event: Event) -> None:
    """Chain the event after the head; the head row's lock makes appends one at a time."""
    head = tx.session.get(LedgerHeadRow, 1, with_for_update=True)
    seq, body, occurred = head.seq + 1, event.to_json(), event.occurred_at.isoformat()
    digest = entry_hash(seq, event.message_id, event.event_type, event.source,
                        event.project_code, occurred, body, head.hash)
    tx.session.add(LedgerRow(seq=seq, message_id=event.message_id, event_type=event.event_type,
                             source=event.source, project_code=event.project_code,
                             occurred_at=occurred, body=body, prev_hash=head.hash, hash=digest))
    head.seq, head.hash = seq, digest


def verification(store: Store) -> dict:
    with store.read() as session:
        head = session.get(LedgerHeadRow, 1)
        rows = session.scalars(select(LedgerRow).order_by(LedgerRow.seq))
        return verify((Record(r.seq, r.message_id, r.event_type, r.source, r.project_code,
                              r.occurred_at, r.body, r.prev_hash, r.hash) for r in rows),
                      (head.seq, head.hash) if head and head.seq else None)


def project_trail(store: Store, code: str) -> list[dict]:
    with store.read() as session:
        rows = session.scalars(select(LedgerRow).where(LedgerRow.project_code == code)
                               .order_by(LedgerRow.seq))
        out = []
        for r in rows:
            envelope = json.loads(r.body)
            out.append({"seq": r.seq, "event_type": r.event_type, "source": r.source,
                        "actor": envelope.get("actor"), "occurred_at": r.occurred_at,
                        "articles": [article_label_zh(a) for a in envelope["articles"]],
                        "hash": r.hash})
        return out
