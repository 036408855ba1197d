"""A project the secrecy bureau declares classified (第四条): its content leaves every store but
the security service's — also the copies a service keeps of what it answered and what it
published. ``forget_project_content`` removes them from a service's own platform tables in the
transaction of its ``project_classified`` handler:

- the outcomes of its commands (``idempotency_keys``: a replay answers what the project is now,
  its content blanked as the register shows it after the declaration);
- its outbox (the events of the project it wrote: a document's title, what a change request
  said of goal, location and content) — published or not; the relay signs a row when it
  publishes it, so what is still to go goes without them.

What was published before the declaration has reached the audit ledger, whose signed, chained
envelopes cannot change; it shows them to the unit and the bureau only from then on."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.persistence.platform_tables import PlatformTables

# a project's content (第四条): what its views and events may hold of it, and what is left
CONTENT = {"goals": None, "content": None, "location": None}
CHANGED_CONTENT = ("goal", "location", "content")  # what a change request says (第十八条)


def _of(value: dict[str, Any], code: str) -> bool:
    return code in (value.get("code"), value.get("project_code"), value.get("project"))


def forget(value: Any, code: str) -> Any:
    """``value`` (a command's answer, an event's payload) without project ``code``'s content:
    goals, content and location blanked, no catalog, no documents, no document title, change
    requests without what they said of goal, location and content. Anything else as it is."""
    if isinstance(value, list):
        return [forget(v, code) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: forget(v, code) for k, v in value.items()}
    if _of(value, code):
        out.update({k: v for k, v in CONTENT.items() if k in out})
        if isinstance(out.get("catalog"), list):
            out["catalog"] = []
        if isinstance(out.get("documents"), list | dict):
            out["documents"] = type(out["documents"])()
        if isinstance(out.get("changes"), dict):
            out["changes"] = {k: v for k, v in out["changes"].items() if k not in CHANGED_CONTENT}
    return out


def _forget_payload(envelope: dict[str, Any], code: str) -> dict[str, Any]:
    payload = forget({**envelope.get("payload", {}), "project": code}, code)
    payload.pop("project")
    if "title" in payload:  # document_filed: the archive's entry, without its title
        payload["title"] = None
    return {**envelope, "payload": payload}


def forget_project_content(session: Session, tables: PlatformTables, code: str) -> int:
    """Remove project ``code``'s content from this service's kept answers and its outbox;
    returns how many rows changed."""
    changed = 0
    keys = tables.idempotency_keys
    for row in session.execute(
        select(keys.c.principal, keys.c.key, keys.c.response, keys.c.error).where(
            keys.c.response.contains(code) | keys.c.error.contains(code)
        )
    ):
        values = {}
        for column in ("response", "error"):
            text = getattr(row, column)
            if text:
                kept = json.dumps(forget(json.loads(text), code), ensure_ascii=False)
                if kept != text:
                    values[column] = kept
        if values:
            session.execute(
                update(keys).where(keys.c.principal == row.principal, keys.c.key == row.key).values(**values)
            )
            changed += 1
    outbox = tables.outbox
    for seq, text in session.execute(
        select(outbox.c.seq, outbox.c.body).where(outbox.c.project_code == code)
    ):
        envelope = json.loads(text)
        forgotten = _forget_payload(envelope, code)
        if forgotten != envelope:
            session.execute(
                update(outbox)
                .where(outbox.c.seq == seq)
                .values(body=json.dumps(forgotten, ensure_ascii=False))
            )
            changed += 1
    return changed
