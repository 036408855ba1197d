"""finance_0011 (issue 18): ledger entries and disbursements from before business dates keep
being readable — each takes its own date as the business date of its act."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from shared.persistence.migrations import upgrade
from shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def old_finance(request, tmp_path, infrastructure):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'finance.sqlite'}"
        return
    pg = PostgresDatabases(infrastructure.pg_uri)
    try:
        yield pg.create(f"gp_bd_{uuid.uuid4().hex[:8]}")
    finally:
        pg.drop_all()


def test_old_entries_and_requests_take_their_own_date_as_business_date(old_finance):
    upgrade("finance", old_finance, "finance_0010")
    engine = create_engine(old_finance)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ledger_entries (project_code, purpose, level, kind, fen, ref, on_date, "
                "at, actor, articles, year) VALUES ('SD-2026-000001', 'construction', 'province', "
                "'budget', 100, 'budget-review', '2030-01-02', '2026-11-30 09:00:00+00', 'f', "
                "'[11]', 2030)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO disbursements (id, project_code, purpose, level, amount_fen, "
                "contract_no, status, failed_gates, requested_by, requested_on, at) VALUES "
                "('DB-1', 'SD-2026-000001', 'construction', 'province', 50, 'HT-1', 'paid', '[]', "
                "'u', '2030-01-03', '2026-11-30 09:05:00+00')"
            )
        )
    upgrade("finance", old_finance)
    with engine.begin() as conn:
        entries = conn.execute(text("SELECT ref, business_date FROM ledger_entries")).all()
        requests = conn.execute(text("SELECT id, business_date FROM disbursements")).all()
    engine.dispose()
    assert [(r, str(d)) for r, d in entries] == [("budget-review", "2030-01-02")]
    assert [(i, str(d)) for i, d in requests] == [("DB-1", "2030-01-03")]
