"""Supervision's lists in keyset pages (issue 19), on SQLite and PostgreSQL: following `next`
from page to page lists every row once in the list's order, pages do not shift while rows are
added, a unit's pages hold only its projects, and the overview pages its projects."""

from datetime import date, timedelta

import pytest

from services.supervision.application import SupervisionUseCases
from services.supervision.models import (
    DeadlineRow,
    FindingRow,
    ProjectUnitRow,
    SanctionRow,
    SupervisedProjectRow,
    platform,
)
from services.supervision.schemas import DeadlineFilter, FindingFilter, OverviewPage
from shared import paging
from shared.authz import Identity
from shared.context import AppContext
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.timekit.clock import fixed

pytestmark = pytest.mark.integration

OFFICE = Identity("office-1", "office")
TODAY = date(2027, 6, 1)


@pytest.fixture
def store(database_urls):
    engine = create_engine_for(database_urls["supervision"])
    yield Store(engine, platform)
    engine.dispose()


@pytest.fixture
def cases(store):
    return SupervisionUseCases(AppContext(store, fixed(TODAY)))


def seed(store, n=12):
    with store.transaction() as tx:
        for i in range(n):
            code, unit = f"SD-2027-{i:06d}", f"U-{i % 2}"
            tx.session.add(SupervisedProjectRow(project_code=code, owner_unit=unit))
            tx.session.add(ProjectUnitRow(unit=unit, project_code=code, role="owner"))
            tx.session.add(
                DeadlineRow(
                    id=f"contract_filing:{code}",
                    project_code=code,
                    kind="contract_filing",
                    article=13,
                    due_on=TODAY - timedelta(days=i % 4),
                    status="open",
                    ledger=[],
                )
            )
            tx.session.add(
                FindingRow(
                    id=f"F{i:03d}",
                    project_code=code,
                    source="inspection",
                    kind="inspection",
                    articles=[17],
                    description="d",
                    details={},
                    status="open",
                    found_on=date(2027, 1, 1 + i % 3),
                    history=[],
                )
            )
            if i % 3 == 0:
                tx.session.add(
                    SanctionRow(
                        id=f"S{i:03d}",
                        project_code=code,
                        type="criticism",
                        reason="r",
                        status="active",
                        imposed_by="office",
                        imposed_on=date(2027, 2, 1),
                    )
                )


def walk(read, schema, key, limit=5, **filters):
    """Every page, following the cursor the gateway would give."""
    seen, cursor = [], None
    while True:
        f = schema().load({"limit": limit, **({"after": cursor} if cursor else {}), **filters})
        page = read((f["limit"], 0, f.get("after")))
        seen += page
        cursor = paging.next_cursor(page, limit, key)
        if cursor is None:
            return seen


def test_deadlines_findings_and_sanctions_walk_once_each_in_order(store, cases):
    seed(store)
    every = cases.list_deadlines(OFFICE, page=(500, 0))
    paged = walk(
        lambda page: cases.list_deadlines(OFFICE, page=page),
        DeadlineFilter,
        ("due_on", "id"),
    )
    assert [d["id"] for d in paged] == [d["id"] for d in every] and len(paged) == 12
    assert [d["due_on"] for d in paged] == sorted(d["due_on"] for d in paged)
    unit = Identity("u", "unit", "U-1")
    mine = walk(
        lambda page: cases.list_findings(unit, page=page),
        FindingFilter,
        ("found_on", "id"),
        limit=2,
    )
    assert len(mine) == 6 and {f["project"][-1] for f in mine} <= {"1", "3", "5", "7", "9"}
    listed = walk(
        lambda page: cases.list_sanctions(OFFICE, status="active", page=page),
        FindingFilter,
        ("imposed_on", "id"),
        limit=3,
    )
    assert [s["id"] for s in listed] == ["S000", "S003", "S006", "S009"]


def test_a_page_does_not_shift_when_rows_land_before_it(store, cases):
    seed(store)
    first = cases.list_findings(OFFICE, page=(4, 0, None))
    after = FindingFilter().load({"after": paging.next_cursor(first, 4, ("found_on", "id"))})
    with store.transaction() as tx:  # a finding found earlier than the page's last one
        tx.session.add(
            FindingRow(
                id="F000a",
                project_code="SD-2027-000000",
                source="s",
                kind="k",
                articles=[17],
                description="d",
                details={},
                status="open",
                found_on=date(2026, 1, 1),
                history=[],
            )
        )
    second = cases.list_findings(OFFICE, page=(4, 0, after["after"]))
    assert not {f["id"] for f in first} & {f["id"] for f in second}
    assert second[0]["found_on"] >= first[-1]["found_on"]


def test_the_overview_pages_its_projects_and_sums_every_unit(store, cases):
    seed(store)
    whole = cases.overview(page=(500, 0, None))
    assert len(whole["by_project"]) == 12
    assert whole["by_unit"]["U-0"]["open_findings"] == 6
    assert whole["by_unit"]["U-0"]["active_sanctions"] == 2  # 0, 6 (U-0); 3, 9 (U-1)
    pages, cursor = [], None
    while True:
        after = OverviewPage().load({"after": cursor})["after"] if cursor else None
        page = cases.overview(page=(5, 0, after))
        assert page["by_unit"] == whole["by_unit"]
        pages += page["by_project"]
        cursor = paging.next_cursor(page["by_project"], 5, ("project",))
        if cursor is None:
            break
    assert pages == whole["by_project"]
