"""Upgrading a database that holds data keeps it: this session's migrations move rows, not just
shapes (SQLite batch rebuilds and PostgreSQL alike)."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from shared.persistence.migrations import upgrade
from shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path, infrastructure):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    pg = PostgresDatabases(infrastructure.pg_uri)
    try:
        yield pg.create(f"gp_mig_{uuid.uuid4().hex[:8]}")
    finally:
        pg.drop_all()


def run(url: str, *statements: str) -> list:
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = [
            conn.execute(text(s)).all() if s.startswith("SELECT") else conn.execute(text(s))
            for s in statements
        ]
    engine.dispose()
    return rows[-1]


def test_supervision_owners_become_readers_of_their_projects(fresh_url):
    upgrade("supervision", fresh_url, "supervision_0005")
    run(
        fresh_url,
        "INSERT INTO supervised_projects (project_code, owner_unit) VALUES ('SD-2026-000001', 'U1')",
    )
    upgrade("supervision", fresh_url)
    assert run(fresh_url, "SELECT unit, project_code, role FROM project_units") == [
        ("U1", "SD-2026-000001", "owner")
    ]


def test_planning_keeps_its_old_timeline_rows(fresh_url):
    upgrade("planning", fresh_url, "planning_0005")
    run(
        fresh_url,
        "INSERT INTO timeline (project_code, at, on_date, actor, action, articles, "
        "details) VALUES ('SD-2026-000001', '2026-03-02 09:00:00+00', '2026-03-02', "
        "'u', 'catalog_set', '[27]', '{}')",
    )
    upgrade("planning", fresh_url)
    assert run(fresh_url, "SELECT project_code, action FROM timeline_archive") == [
        ("SD-2026-000001", "catalog_set")
    ]


# -- money in fen (issue 12): NUMERIC yuan columns become integer fen, rows carried over --------


def _value_types(url: str, table: str, column: str) -> set:
    if not url.startswith("sqlite"):
        return {"integer"}  # PostgreSQL's BIGINT is an integer by declaration
    return {
        t for (t,) in run(url, f"SELECT DISTINCT typeof({column}) FROM {table} WHERE {column} IS NOT NULL")
    }


def test_planning_money_becomes_exact_fen(fresh_url):
    from alembic import command

    from shared.persistence.migrations import alembic_config

    upgrade("planning", fresh_url, "planning_0007")
    insert = (
        "INSERT INTO projects (code, name, unit, kind, level, budget_total, "
        "fixed_asset_investment, new_civil_works, classified, national_ministry, "
        "co_builders, co_builder_units, shares, catalog, regulation_version, "
        "registered_on, status, submissions, approved_amount) VALUES ('{code}', 'p', "
        "'U1', 'construction', 'province', {total}, false, false, false, false, '[]', "
        "'||', '{{}}', '[]', 'shandong/v1', '2026-03-02', 'approved', 1, {approved})"
    )
    run(
        fresh_url,
        insert.format(code="SD-2026-000001", total="9999999999999.99", approved="1250000.10"),
        insert.format(code="SD-2026-000002", total="0.01", approved="NULL"),
    )
    upgrade("planning", fresh_url)
    assert run(
        fresh_url, "SELECT code, budget_total_fen, approved_amount_fen FROM projects ORDER BY code"
    ) == [("SD-2026-000001", 999999999999999, 125000010), ("SD-2026-000002", 1, None)]
    assert _value_types(fresh_url, "projects", "budget_total_fen") == {"integer"}
    command.downgrade(alembic_config("planning", fresh_url), "planning_0007")

    def yuan(value):  # a Decimal (PostgreSQL) or SQLite's float, as the old column held it
        return None if value is None else Decimal(str(value))

    assert [
        (c, yuan(t), yuan(a))
        for c, t, a in run(
            fresh_url, "SELECT code, budget_total, approved_amount FROM projects ORDER BY code"
        )
    ] == [
        ("SD-2026-000001", Decimal("9999999999999.99"), Decimal("1250000.10")),
        ("SD-2026-000002", Decimal("0.01"), None),
    ]


def test_approval_money_becomes_exact_fen(fresh_url):
    upgrade("approval", fresh_url, "approval_0005")
    insert = (
        "INSERT INTO review_cases (id, project_code, submission, unit, name, budget_total, "
        "fixed_asset_investment, classified, regulation_version, opened_on, status, "
        "drc_investment) VALUES ('{id}', 'SD-2026-000001', {n}, 'U1', 'p', {total}, true, "
        "false, 'shandong/v1', '2026-03-02', 'decided', {drc})"
    )
    run(
        fresh_url,
        insert.format(id="RC-1", n=1, total="1000000.00", drc="999999.99"),
        insert.format(id="RC-2", n=2, total="12345.67", drc="NULL"),
    )
    upgrade("approval", fresh_url)
    assert run(
        fresh_url, "SELECT id, budget_total_fen, drc_investment_fen FROM review_cases ORDER BY id"
    ) == [("RC-1", 100000000, 99999999), ("RC-2", 1234567, None)]
    assert _value_types(fresh_url, "review_cases", "budget_total_fen") == {"integer"}


def test_finance_contracts_get_the_purpose_they_paid(fresh_url):
    upgrade("finance", fresh_url, "finance_0005")
    contract = (
        "INSERT INTO contracts (project_code, contract_no, supplier, amount_fen, "
        "signed_on, filed_on, products, filed_by) VALUES ('SD-2026-000001', '{no}', "
        "'s', 100, '2026-03-02', '2026-03-02', '[]', 'u')"
    )
    paid = (
        "INSERT INTO disbursements (id, project_code, purpose, amount_fen, contract_no, "
        "status, failed_gates, requested_by, requested_on, at) VALUES ('{id}', "
        "'SD-2026-000001', '{purpose}', 1, '{no}', '{status}', '[]', 'u', '2026-03-02', "
        "'2026-03-02 09:00:00+00')"
    )
    run(
        fresh_url,
        *(contract.format(no=no) for no in ("HT-C", "HT-O", "HT-N", "HT-R")),
        paid.format(id="D1", purpose="construction", no="HT-C", status="paid"),
        paid.format(id="D2", purpose="om", no="HT-O", status="paid"),
        paid.format(id="D3", purpose="om", no="HT-R", status="refused"),
    )
    upgrade("finance", fresh_url)
    assert run(fresh_url, "SELECT contract_no, purpose FROM contracts ORDER BY contract_no") == [
        ("HT-C", "construction"),
        ("HT-N", "construction"),
        ("HT-O", "om"),
        ("HT-R", "construction"),
    ]


def test_finance_files_become_construction_projects_and_entries_get_their_year(fresh_url):
    """finance_0010: a file from before is a construction project (finance never learned its
    kind); every ledger entry belongs to the budget year of its date (第十一条)."""
    upgrade("finance", fresh_url, "finance_0009")
    run(
        fresh_url,
        "INSERT INTO funding_files (project_code, approved_fen, co_builders, "
        "withholding_sanctions, suspensions) VALUES ('SD-2026-000001', 100, '[]', "
        "'[]', '[]')",
        "INSERT INTO ledger_entries (project_code, purpose, level, kind, fen, ref, on_date, at, "
        "actor, articles) VALUES ('SD-2026-000001', 'om', 'province', 'budget', 100, "
        "'budget-review', '2025-12-31', '2025-12-31 09:00:00+00', 'f', '[11]')",
    )
    upgrade("finance", fresh_url)
    assert run(fresh_url, "SELECT kind FROM funding_files") == [("construction",)]
    assert run(fresh_url, "SELECT ref, year FROM ledger_entries") == [("budget-review", 2025)]
