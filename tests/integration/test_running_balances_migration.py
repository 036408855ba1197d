"""finance_0013 (issue 19): a ledger written before running balances is summed into them on
upgrade — on SQLite and PostgreSQL the balances read from the new rows are ``domain.balances``
of the entries already written (every kind, two projects, several levels and budget years),
in order, for the whole history and for what can leave in a year (第十一条)."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from services.finance import application, domain
from shared.persistence.migrations import upgrade
from shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration

A, B = "SD-2026-000001", "SD-2026-000002"
# (project, purpose, level, kind, fen, ref, year) in the order they were written
LEDGER = [
    (A, "construction", "province", "budget", 30_000_000, "budget-review:2026", 2026),
    (A, "construction", "city", "budget", 10_000_000, "budget-review:2026", 2026),
    (B, "om", "county", "budget", 500_000, "budget-review:2026", 2026),
    (A, "construction", "province", "budget", 5_000_000, "budget-review:2027", 2027),
    (A, "construction", "city", "payment", 2_500_001, "disbursement:DB-1", 2026),
    (A, "construction", "province", "budget_change", -1_000_000, "change:CR-1", 2026),
    (A, "construction", "province", "withholding", 29_000_000, "sanction:SN-1", 2026),
    (A, "construction", "city", "withholding", 7_499_999, "sanction:SN-1", 2026),
    (B, "om", "county", "payment", 123_456, "disbursement:DB-2", 2026),
    (A, "construction", "province", "release", 29_000_000, "sanction:SN-1", 2026),
    (A, "construction", "city", "release", 7_499_999, "sanction:SN-1", 2026),
    (A, "construction", "province", "surplus_return", 29_000_000, "surplus:2027-01-05", 2027),
    (A, "construction", "city", "recovery_due", 2_500_001, "sanction:SN-2", 2027),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_finance(request, tmp_path, infrastructure):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'finance.sqlite'}"
        return
    pg = PostgresDatabases(infrastructure.pg_uri)
    try:
        yield pg.create(f"gp_rb_{uuid.uuid4().hex[:8]}")
    finally:
        pg.drop_all()


def test_the_upgrade_sums_the_ledger_into_running_balances(old_finance):
    upgrade("finance", old_finance, "finance_0012")
    engine = create_engine(old_finance)
    with engine.begin() as conn:
        for code, purpose, level, kind, fen, ref, year in LEDGER:
            conn.execute(
                text(
                    "INSERT INTO ledger_entries (project_code, purpose, level, kind, fen, ref, "
                    "on_date, at, actor, articles, year) VALUES (:code, :purpose, :level, :kind, "
                    ":fen, :ref, :on, '2026-11-30 09:00:00+00', 'f', '[11]', :year)"
                ),
                {
                    "code": code,
                    "purpose": purpose,
                    "level": level,
                    "kind": kind,
                    "fen": fen,
                    "ref": ref,
                    "on": f"{year}-01-05",
                    "year": year,
                },
            )
    upgrade("finance", old_finance)
    try:
        with Session(engine) as session:
            for code in (A, B):
                entries = [domain.Entry(*e[1:]) for e in LEDGER if e[0] == code]
                ordered = _ordered(domain.balances(entries))
                assert _ordered(application._balances(session, code)) == ordered
                for year in (2025, 2026, 2027):
                    assert _ordered(application._balances(session, code, spendable_in=year)) == _ordered(
                        domain.balances(domain.spendable(entries, year))
                    )
            budgets = session.execute(
                text("SELECT project_code, purpose, level, year FROM ledger_balances WHERE budget_recorded")
            ).all()
            types = session.execute(text("SELECT approved, available FROM ledger_balances")).all()
    finally:
        engine.dispose()
    assert sorted(budgets) == [
        (A, "construction", "city", 2026),
        (A, "construction", "province", 2026),
        (A, "construction", "province", 2027),
        (B, "om", "county", 2026),
    ]
    assert all(isinstance(v, int) for row in types for v in row)  # exact fen, never a float


def _ordered(balances: dict) -> list:
    return [(p, [(lvl, list(b.items())) for lvl, b in levels.items()]) for p, levels in balances.items()]
