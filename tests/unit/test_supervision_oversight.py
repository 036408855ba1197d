"""A project's view of supervision in one read (issue 19, ``project_oversight``): the same
deadlines, findings and sanctions as the three lists filtered on the project answer the caller —
all of them to the office, the project's own to its unit, nothing to another unit — and only the
parts asked."""

from __future__ import annotations

from datetime import date

import pytest

from services.supervision import deadlines, schemas
from services.supervision.application import SupervisionUseCases
from services.supervision.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit.clock import fixed
from shared.wire import load

CODE, UNIT, TODAY = "SD-2026-000001", "U-370100-001", date(2026, 3, 2)
OFFICE, OWNER = Identity("o1", "office"), Identity("u1", "unit", UNIT)
OTHER_UNIT = Identity("u2", "unit", "U-370100-999")
PARTS = ("deadlines", "findings", "sanctions")


def fact(store: Store, effect, event_type: str, payload: dict, articles: list[int], code: str = CODE) -> None:
    store.handle_once(
        make_event(
            event_type, payload, project_code=code, regulation_version="shandong/v1", articles=articles
        ),
        effect,
    )


@pytest.fixture
def cases(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="supervision.test", today=lambda _session: TODAY)
    for code in (CODE, "SD-2026-000002"):  # a second project whose records must not show
        registered = {
            "unit": UNIT,
            "co_builders": [],
            "kind": "construction",
            "level": "province",
            "classified": False,
            "registered_on": TODAY,
        }
        fact(store, deadlines.project_registered, "project_registered", registered, [3], code)
        fact(
            store,
            deadlines.construction_completed,
            "construction_completed",
            {"completed_on": date(2026, 1, 2), "acceptance_due": date(2026, 3, 1)},  # past due
            [23],
            code,
        )
    cases = SupervisionUseCases(AppContext(store, fixed(TODAY)))
    for code in (CODE, "SD-2026-000002"):
        [found] = cases.record_inspection(
            OFFICE, project=code, found=[{"articles": [17], "description": "未按批复内容建设"}]
        )
        cases.order_rectification(OFFICE, finding_id=found["id"], deadline=date(2026, 3, 20))
        cases.report_rectification(OWNER, finding_id=found["id"], report="已整改")
        cases.verify_rectification(OFFICE, finding_id=found["id"], resolved=False)
        cases.impose_sanction(
            OFFICE,
            data=load(
                schemas.Imposition,
                {
                    "project": code,
                    "type": "criticism",
                    "finding": found["id"],
                    "reason": "整改后仍不符合要求",
                },
            ),
        )
    yield cases
    engine.dispose()


def lists(cases: SupervisionUseCases, caller: Identity) -> dict:
    return {
        "deadlines": cases.list_deadlines(caller, project=CODE),
        "findings": cases.list_findings(caller, project=CODE),
        "sanctions": cases.list_sanctions(caller, project=CODE),
    }


def test_the_office_and_the_owner_read_what_the_three_lists_answer(cases):
    for caller in (OFFICE, OWNER):
        one_read = cases.project_oversight(caller, code=CODE, parts=PARTS)
        assert one_read == lists(cases, caller)
        late = {d["kind"]: d["overdue"] for d in one_read["deadlines"]}
        assert late["acceptance_application"] is True  # past due on the clock's day
        assert len(one_read["findings"]) == 1 and len(one_read["sanctions"]) == 1
        assert {row["project"] for part in PARTS for row in one_read[part]} == {CODE}


def test_another_unit_reads_nothing_of_the_project(cases):
    assert cases.project_oversight(OTHER_UNIT, code=CODE, parts=PARTS) == lists(cases, OTHER_UNIT)
    assert cases.project_oversight(OTHER_UNIT, code=CODE, parts=PARTS) == {part: [] for part in PARTS}


def test_only_the_parts_asked(cases):
    assert set(cases.project_oversight(OFFICE, code=CODE, parts=("deadlines", "sanctions"))) == {
        "deadlines",
        "sanctions",
    }
