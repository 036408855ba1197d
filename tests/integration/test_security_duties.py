"""Overdue periodic security duties are reported once per due date (第三十条, 第三十一条)."""

from datetime import date

import pytest

from services.security.application import SecurityUseCases
from services.security.models import AssessmentRow, SecurityFileRow, platform
from shared.context import AppContext
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.testing import outbox_rows
from shared.timekit.clock import fixed

pytestmark = pytest.mark.integration


def test_overdue_assessments_become_violations_once(database_urls):
    url = database_urls["security"]
    engine = create_engine_for(url)
    store = Store(engine, platform)
    with store.transaction() as tx:
        tx.session.add(
            SecurityFileRow(
                project_code="SD-2025-000001",
                owner_unit="U1",
                classified=False,
                regulation_version="shandong/v1",
                registered_on=date(2025, 1, 10),
                profile={"protection": {"scheme": "graded", "level": 3}},
                duties_reported={},
            )
        )
        tx.session.add(
            AssessmentRow(
                project_code="SD-2025-000001",
                kind="risk_assessment",
                on_date=date(2025, 6, 30),
                result="中风险",
                report_document="r",
                filed_by="u",
            )
        )
    cases = SecurityUseCases(AppContext(store, fixed(date(2026, 1, 10))))
    assert cases.report_overdue_duties(as_of=date(2026, 1, 10)) == []
    assert cases.report_overdue_duties(as_of=date(2026, 1, 11)) == [
        ("SD-2025-000001", "crypto_evaluation")
    ]  # never evaluated: due a year on
    assert cases.report_overdue_duties(as_of=date(2026, 7, 1)) == [
        ("SD-2025-000001", "risk_assessment")
    ]  # a year after the last one
    assert cases.report_overdue_duties(as_of=date(2026, 8, 1)) == []
    assert len(outbox_rows(url, platform, "security_duty_overdue")) == 2
    engine.dispose()
