"""The register reads each document type's latest version only (issue 19: a command on a
project costs its document types, not every version it ever filed; 第二十条 keeps them all),
and the plans of the year only for the items in force."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from services.planning.models import DocumentRow
from services.planning.plans import AnnualPlan, Plan, items_in_force
from services.planning.repository import (
    add_annual_plan,
    add_plan,
    all_plans,
    latest_documents,
    plans_of_year,
)
from shared.persistence import create_engine_for

pytestmark = pytest.mark.integration


def test_the_latest_version_of_each_type_and_no_other_projects(database_urls):
    engine = create_engine_for(database_urls["planning"])
    now = datetime(2027, 1, 4, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        for code, doc_type, version in [
            ("P1", "construction_plan", 1),
            ("P1", "construction_plan", 2),
            ("P1", "construction_plan", 3),
            ("P1", "investment_budget", 1),
            ("P2", "construction_plan", 9),
        ]:
            session.add(
                DocumentRow(
                    project_code=code,
                    doc_type=doc_type,
                    version=version,
                    title=f"v{version}",
                    sha256=f"{version:064d}",
                    filed_by="u",
                    filed_at=now,
                )
            )
    with Session(engine) as session:
        latest = latest_documents(session, "P1")
        assert {t: (d.version, d.title) for t, d in latest.items()} == {
            "construction_plan": (3, "v3"),
            "investment_budget": (1, "v1"),
        }
        assert latest_documents(session, "P3") == {}
    engine.dispose()


def test_the_plan_items_in_force_from_that_years_plans_are_those_from_every_plan(database_urls):
    """第五条, 第六条: the register reads only the plans covering a year and its annual plans
    (issue 19); on each database the items in force are the same as from every plan."""
    engine = create_engine_for(database_urls["planning"])
    today = datetime(2026, 3, 2, tzinfo=UTC).date()

    def items(*codes: str) -> list[dict[str, str]]:
        return [{"code": c, "title": c} for c in codes]

    with Session(engine) as session, session.begin():
        for plan in [
            Plan("PL-A", "a", 2025, 2027, items("A-1", "A-2"), "approved", today, "g"),
            Plan("PL-B", "b", 2027, 2030, items("B-1"), "approved", today, "g"),
            Plan("PL-C", "c", 2026, 2026, items("C-1")),
        ]:
            add_plan(session, plan)
        for annual in [
            AnnualPlan("AP-1", 2026, "PL-A", items("A-2026"), today),
            AnnualPlan("AP-2", 2026, "PL-C", items("C-2026"), today),
            AnnualPlan("AP-3", 2028, "PL-B", items("B-2028"), today),
        ]:
            add_annual_plan(session, annual)
    with Session(engine) as session:
        for year in range(2024, 2032):
            expected = items_in_force(*all_plans(session), year)
            assert items_in_force(*plans_of_year(session, year), year) == expected, year
        assert items_in_force(*plans_of_year(session, 2026), 2026) == {"A-1", "A-2", "A-2026"}
    engine.dispose()
