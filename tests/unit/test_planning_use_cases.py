"""Planning's use cases without a broker: services/planning/application.py run against a Store
on a temporary SQLite file, with the entrypoint's own schemas loading the commands' data and the
other services' events made as they publish them. The broker, PostgreSQL and concurrency stay in
tests/integration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from unittest.mock import ANY

import pytest
from sqlalchemy import select

from services.planning import application, schemas
from services.planning.application import PlanningUseCases
from services.planning.models import platform
from shared import paging
from shared.authz import Forbidden, Identity
from shared.context import AppContext
from shared.errors import RuleViolation
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit import SimulatedClock

UNIT, TODAY = "U-370100-001", date(2026, 3, 2)
UNIT_CALLER = Identity("u1", "unit", UNIT)
OFFICE, GROUP = Identity("o1", "office"), Identity("g1", "group")
CLOCK = SimulatedClock(lambda: TODAY)


def cases(store: Store) -> PlanningUseCases:
    """Planning's use cases over the store and the test's clock (shared.context)."""
    return PlanningUseCases(AppContext(store, CLOCK))


CATALOG = {
    "resources": [
        {
            "name": "电子证照",
            "source": "本系统",
            "format": "JSON",
            "update_frequency": "每日",
            "sharing_type": "unconditional",
            "open_type": "none",
        }
    ]
}


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'planning.db'}"
    upgrade("planning", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="planning.test", today=lambda _session: TODAY)
    engine.dispose()


def outbox_types(store: Store) -> list[str]:
    with store.read() as session:
        return [r.routing_key for r in session.execute(select(platform.outbox)).all()]


def plan_in_force(store: Store) -> None:
    """第五条: the office drafts the provincial plan, the provincial government approves it."""
    plan = cases(store).draft_plan(
        OFFICE,
        data=schemas.load(
            schemas.PlanDraft,
            {
                "title": "山东省政务信息系统建设规划",
                "start_year": 2025,
                "end_year": 2030,
                "items": [{"code": "SDZW-2026-01", "title": "全省电子证照系统"}],
            },
        ),
    )
    cases(store).approve_plan(GROUP, plan_id=plan.id)


def register(store: Store, **changes: Any) -> str:
    data = {
        "name": "全省电子证照系统",
        "kind": "construction",
        "level": "province",
        "plan_item": "SDZW-2026-01",
        "budget": {"total": "500000.00"},
        **changes,
    }
    fields = schemas.registration_fields(schemas.load(schemas.ProjectRegistration, data))
    return cases(store).register_project(UNIT_CALLER, data=fields).code


def complete_application(store: Store, code: str) -> None:
    for doc in ("construction_plan", "investment_budget"):
        cases(store).file_document(
            UNIT_CALLER,
            code=code,
            doc_type=doc,
            data=schemas.load(schemas.DocumentFiling, {"title": doc, "sha256": "b" * 64}),
        )
    cases(store).set_catalog(
        UNIT_CALLER, code=code, resources=schemas.load(schemas.Catalog, CATALOG)["resources"]
    )


def test_an_incomplete_application_is_refused_with_every_missing_item_and_emits_nothing(store):
    """第六条, 第七条, 第二十七条: every missing item named with its article; nothing changes."""
    plan_in_force(store)
    code = register(store)
    with pytest.raises(RuleViolation) as err:
        cases(store).submit_application(UNIT_CALLER, code=code)
    refusal = err.value.as_dict()
    assert {"第七条", "第二十七条"} <= set(refusal["articles"])
    assert outbox_types(store) == ["project_registered"]
    project, _ = cases(store).get_project(UNIT_CALLER, code=code)
    assert project.status == "draft"


def test_a_project_outside_the_plan_in_force_is_refused(store):
    """第六条: the application follows the provincial plan; no plan in force, no submission."""
    code = register(store)
    complete_application(store, code)
    with pytest.raises(RuleViolation) as err:
        cases(store).submit_application(UNIT_CALLER, code=code)
    assert "第六条" in err.value.as_dict()["articles"]


def test_a_complete_application_is_submitted_then_follows_the_review_and_approval(store):
    """Submitted (第六条, 第七条) → under review (第八条) → approved (第九条), from events."""
    plan_in_force(store)
    code = register(store)
    complete_application(store, code)
    project = cases(store).submit_application(UNIT_CALLER, code=code)
    assert project.status == "submitted"
    assert outbox_types(store) == [
        "project_registered",
        "document_filed",
        "document_filed",
        "catalog_set",
        "application_submitted",
    ]

    def learn(effect: Any, event_type: str, payload: dict[str, Any], articles: list[int]) -> None:
        store.handle_once(
            make_event(
                event_type, payload, project_code=code, regulation_version="shandong/v1", articles=articles
            ),
            effect,
        )

    learn(
        application.review_case_opened,
        "review_case_opened",
        {"case_id": "RC-1", "submission": 1, "opened_on": TODAY},
        [8],
    )
    learn(
        application.project_approved,
        "project_approved",
        {
            "case_id": "RC-1",
            "unit": UNIT,
            "approved_amount": Decimal("500000.00"),
            "approved_on": TODAY,
            "fixed_asset_investment": False,
            "classified": False,
        },
        [9],
    )
    project, _ = cases(store).get_project(UNIT_CALLER, code=code)
    assert project.status == "approved"


def test_another_units_project_is_not_theirs_to_submit(store):
    plan_in_force(store)
    code = register(store)
    other = Identity("u2", "unit", "U-370100-002")
    with pytest.raises(Forbidden):
        cases(store).submit_application(other, code=code)
    assert outbox_types(store) == ["project_registered"]


def test_a_classified_project_is_a_stub_to_everyone_but_its_unit(store):
    """第四条: the office reads the register's stub of a classified project; its unit, all of it
    (the stub's fields are shared.authz.CLASSIFIED_STUB)."""
    plan_in_force(store)
    code = register(store, classified=True)
    project, _ = cases(store).get_project(OFFICE, code=code)
    stub = schemas.project_view(project, OFFICE)
    assert stub["classified"] is True and stub["code"] == code and "name" not in stub
    mine, _ = cases(store).get_project(UNIT_CALLER, code=code)
    assert schemas.project_view(mine, UNIT_CALLER)["name"] == "全省电子证照系统"


def test_what_the_bureaus_declaration_moves_is_read_here_once_and_then_gone(store):
    """第四条: the register hands the bureau's declaring command what it holds of the content —
    goals, content, location, catalog, every document version — and after project_classified
    holds none of it, so a retried declaration finds nothing more to move."""
    bureau = Identity("s1", "secrecy")
    code = register(store, goals="目标", content="内容", location="济南")
    complete_application(store, code)
    cases(store).file_document(
        UNIT_CALLER,
        code=code,
        doc_type="construction_plan",
        data=schemas.load(schemas.DocumentFiling, {"title": "方案第二版", "sha256": "c" * 64}),
    )
    moved = cases(store).content_to_classify(bureau, code=code)
    assert (moved["goals"], moved["content"], moved["location"]) == ("目标", "内容", "济南")
    assert [r["name"] for r in moved["catalog"]] == ["电子证照"]
    assert [(v["version"], v["title"]) for v in moved["documents"]["construction_plan"]] == [
        (1, "construction_plan"),
        (2, "方案第二版"),
    ]
    assert set(moved["documents"]) == {"construction_plan", "investment_budget"}
    store.handle_once(
        make_event(
            "project_classified",
            {"declared_on": TODAY},
            project_code=code,
            regulation_version="shandong/v1",
            articles=[4],
        ),
        application.project_classified,
    )
    assert cases(store).content_to_classify(bureau, code=code) is None
    # nor in what it wrote to the outbox: the document_filed events keep no title
    with store.read() as session:
        bodies = [r.body for r in session.execute(select(platform.outbox)).all()]
    assert any('"document_filed"' in b for b in bodies) and not any("方案第二版" in b for b in bodies)
    mine, _ = cases(store).get_project(UNIT_CALLER, code=code)
    view = schemas.project_view(mine, UNIT_CALLER)
    assert view["goals"] is None and view["catalog"] == [] and not view.get("documents")


def test_the_plan_items_in_force_are_read_from_that_years_plans_only_and_are_the_same(store):
    """第五条, 第六条: the items an application may cite in a year are those of the plans approved
    and covering it and of that year's annual plans derived from them — read from that year's
    plans only (issue 19), the same set and the same project view as from every plan."""
    from services.planning import repository
    from services.planning.plans import AnnualPlan, Plan, items_in_force

    def item(code: str) -> dict[str, str]:
        return {"code": code, "title": code}

    plans = [
        Plan("PL-A", "in force 2025–2027", 2025, 2027, [item("A-1"), item("A-2")], "approved", TODAY, "g1"),
        Plan("PL-B", "in force 2027–2030", 2027, 2030, [item("B-1")], "approved", TODAY, "g1"),
        Plan("PL-C", "a draft covering 2026", 2026, 2026, [item("C-1")]),
        Plan("PL-D", "in force before", 2020, 2024, [item("D-1")], "approved", TODAY, "g1"),
    ]
    annual = [
        AnnualPlan("AP-1", 2026, "PL-A", [item("A-2026")], TODAY),
        AnnualPlan("AP-2", 2027, "PL-B", [item("B-2027")], TODAY),
        AnnualPlan("AP-3", 2026, "PL-C", [item("C-2026")], TODAY),  # of a plan not in force
        AnnualPlan("AP-4", 2024, "PL-D", [item("D-2024")], TODAY),
    ]
    with store.transaction() as tx:
        for plan in plans:
            repository.add_plan(tx.session, plan)
        for a in annual:
            repository.add_annual_plan(tx.session, a)
    with store.read() as session:
        for year in range(2019, 2032):
            old = items_in_force(*repository.all_plans(session), year)
            assert items_in_force(*repository.plans_of_year(session, year), year) == old, year
        assert items_in_force(*repository.plans_of_year(session, 2026), 2026) == {"A-1", "A-2", "A-2026"}
        assert items_in_force(*repository.plans_of_year(session, 2027), 2027) == {
            "A-1",
            "A-2",
            "B-1",
            "B-2027",
        }
    assert cases(store).plan_items() == {"A-1", "A-2", "A-2026"}
    for plan_item in ("A-2026", "B-1", "C-1", None):
        code = register(store, plan_item=plan_item)
        project, plan_items = cases(store).get_project(UNIT_CALLER, code=code)
        with store.read() as session:
            old = items_in_force(*repository.all_plans(session), TODAY.year)
        assert schemas.project_view(project, UNIT_CALLER, plan_items=plan_items) == schemas.project_view(
            project, UNIT_CALLER, plan_items=old
        )
        open_items = [
            i["item"] for i in schemas.project_view(project, UNIT_CALLER, plan_items=plan_items)["open_items"]
        ]
        assert ("plan_item" in open_items) == (plan_item != "A-2026"), plan_item
    code = register(store, plan_item="A-2026")  # past submission: no open items, no plans read
    complete_application(store, code)
    cases(store).submit_application(UNIT_CALLER, code=code)
    project, plan_items = cases(store).get_project(UNIT_CALLER, code=code)
    assert project.status == "submitted" and plan_items == set()
    view = schemas.project_view(project, UNIT_CALLER, plan_items=plan_items)
    assert view == schemas.project_view(project, UNIT_CALLER, plan_items={"A-1", "A-2", "A-2026"})
    assert view["open_items"] == []


def test_the_project_list_pages_by_offset_as_before_and_by_cursor_without_counting_again(store):
    """Issue 19: ``after`` (the code of the page before's last project) walks the list by code
    once each; the first page counts the list (``total``), a page asked by cursor does not
    (None); ``offset`` pages and counts as before."""
    codes = sorted(register(store) for _ in range(5))
    filters = schemas.load(schemas.ProjectFilters, {"limit": 200})
    assert cases(store).list_projects(OFFICE, **filters) == (5, ANY)
    total, shifted = cases(store).list_projects(
        OFFICE, **schemas.load(schemas.ProjectFilters, {"limit": 2, "offset": 2})
    )
    assert total == 5 and [p.code for p in shifted] == codes[2:4]
    walked, totals, cursor = [], [], None
    while True:
        page = schemas.load(schemas.ProjectFilters, {"limit": 2, **({"after": cursor} if cursor else {})})
        total, projects = cases(store).list_projects(OFFICE, **page)
        walked += [p.code for p in projects]
        totals.append(total)
        cursor = paging.next_cursor([{"code": p.code} for p in projects], 2, ("code",))
        if cursor is None:
            break
    assert walked == codes and totals == [5, None, None]
