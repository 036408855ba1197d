"""Finance's use cases (so far: the state its gates learn from events)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from services.finance.models import SharingStatusRow
from shared.events import Event
from shared.persistence.store import Store, Transaction
from shared.persistence.upsert import upsert


def sharing_status_recorded(tx: Transaction, event: Event) -> None:
    """Keep the latest check per project (第二十九条); an older check arriving late loses."""
    data = event.data()
    upsert(tx.session, SharingStatusRow.__table__, {
        "project_code": event.project_code, "connected": data["connected"],
        "sharing_compliant": data["sharing_compliant"], "checked_on": data["checked_on"],
        "recorded_at": datetime.now(UTC)}, keys=["project_code"], newer_than="checked_on")


def sharing_status(store: Store, code: str) -> dict | None:
    with store.read() as session:
        row = session.scalars(select(SharingStatusRow).where(
            SharingStatusRow.project_code == code)).first()
        if row is None:
            return None
        return {"connected": row.connected, "sharing_compliant": row.sharing_compliant,
                "checked_on": row.checked_on.isoformat()}
