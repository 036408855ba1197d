"""A self-evaluation window that closed empty is reported once (第二十四条)."""
from datetime import date

import pytest

from services.acceptance import application
from services.acceptance.models import AcceptanceFileRow, platform
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.testing import outbox_rows

pytestmark = pytest.mark.integration


def test_missed_self_evaluation_is_reported_once(database_urls):
    url = database_urls["acceptance"]
    engine = create_engine_for(url)
    store = Store(engine, platform)
    with store.transaction() as tx:
        for code, evaluation in (("SD-2024-000001", None),
                                 ("SD-2024-000002", {"report_document": "r", "on": "2025-06-01",
                                                     "by": "u"})):
            tx.session.add(AcceptanceFileRow(
                project_code=code, unit="U1", regulation_version="shandong/v1",
                completed_on=date(2024, 1, 31), acceptance_due=date(2024, 4, 30),
                clock_ledger=[], applied_on=date(2024, 2, 1),
                decision={"passed": True, "on": "2024-02-29", "findings": "", "items": {},
                          "report_document": "r", "by": "office"},
                live_on=date(2024, 2, 29), self_evaluation=evaluation))
    # window: 2025-02-28 … 2026-02-28 (from 29 Feb 2024, clamped)
    assert application.report_missed_self_evaluations(store, date(2026, 2, 28)) == []
    assert application.report_missed_self_evaluations(store, date(2026, 3, 1)) == [
        "SD-2024-000001"]
    assert application.report_missed_self_evaluations(store, date(2026, 3, 2)) == []
    [event] = outbox_rows(url, platform, "self_evaluation_missed")
    assert "SD-2024-000001" in event.body and '"window_closes": "2026-02-28"' in event.body
    engine.dispose()
