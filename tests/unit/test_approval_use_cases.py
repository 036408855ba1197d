"""Approval's use cases without a broker (issue 20): ApprovalUseCases over an application
context — a Store on a temporary SQLite file and a fixed clock. The office opens a round of a
submitted application, records a favourable opinion and closes the round (第八条, 第九条): the
opinion is issued on the clock's day and, nothing else being needed, the project approved."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.approval import application, schemas
from services.approval.application import ApprovalUseCases
from services.approval.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit.clock import fixed
from shared.wire import load

CODE, TODAY = "SD-2026-000001", date(2026, 3, 2)
OFFICE = Identity("o1", "office")
SUBMITTED = dict(
    name="政务云",
    unit="U-370100-001",
    kind="construction",
    level="province",
    plan_item=None,
    budget_total=Decimal("500000"),
    fixed_asset_investment=False,
    classified=False,
    submission=1,
    submitted_on=TODAY,
)


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'approval.db'}"
    upgrade("approval", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="approval.test", today=lambda _session: TODAY)
    store.handle_once(
        make_event(
            "application_submitted",
            SUBMITTED,
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[6, 7],
        ),
        application.open_review_case(TODAY),
    )
    yield store
    engine.dispose()


def emitted(store: Store) -> list[tuple[str, list[int]]]:
    with store.read() as session:
        rows = session.execute(select(platform.outbox)).all()
    return [(r.routing_key, json.loads(r.body)["articles"]) for r in rows]


def test_a_round_opened_decided_and_closed_approves_the_project(store):
    cases = ApprovalUseCases(AppContext(store, fixed(TODAY)))
    round_, opened = cases.open_round(OFFICE, title="2026年第一批", projects=[CODE])
    assert [c.project_code for c in opened] == [CODE] and round_.opened_on == TODAY
    cases.record_opinion(
        OFFICE,
        round_id=round_.id,
        data=load(
            schemas.OpinionFiling,
            {
                "project": CODE,
                "decision": "approve",
                "necessity": "确有必要",
                "feasibility": "技术可行",
                "approved_amount": "450000.00",
            },
        ),
    )
    closed, decided = cases.close_round(round_id=round_.id)
    assert decided[0].approved_on == TODAY
    assert [k for k, _ in emitted(store)] == [
        "review_case_opened",
        "review_opinion_issued",
        "project_approved",
    ]
    assert cases.review_cases(project_code=CODE)[0].approved_on == TODAY
    assert cases.incidents(code=CODE) == [] and cases.change_reviews(code=CODE) == []


def test_a_suspension_is_refused_once_the_completion_is_known(store):
    """第十九条 暂停项目建设: approval keeps acceptance's construction_completed; from then on a
    suspension is refused (409 citing the article) before the incident's own state is looked at,
    nothing changes and nothing is emitted; a rectification may still be ordered."""
    from shared.errors import StateConflict

    cases = ApprovalUseCases(AppContext(store, fixed(TODAY)))
    round_, _ = cases.open_round(OFFICE, title="2026年第一批", projects=[CODE])
    opinion = {"project": CODE, "decision": "approve", "necessity": "n", "feasibility": "f"}
    opinion["approved_amount"] = "450000.00"
    cases.record_opinion(OFFICE, round_id=round_.id, data=load(schemas.OpinionFiling, opinion))
    cases.close_round(round_id=round_.id)
    unit = Identity("u1", "unit", SUBMITTED["unit"])
    report = load(schemas.IncidentReport, {"kind": "major_loss", "description": "损失"})
    decided, loss = (cases.report_incident(unit, code=CODE, data=report) for _ in range(2))
    cases.decide_incident(
        OFFICE, code=CODE, incident_id=decided.id, data=load(schemas.IncidentDecision, {"action": "none"})
    )
    completed = {"completed_on": TODAY, "acceptance_due": date(2026, 6, 2)}
    store.handle_once(
        make_event(
            "construction_completed",
            completed,
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[23],
        ),
        application.construction_completed,
    )
    before = emitted(store)
    suspend = load(schemas.IncidentDecision, {"action": "suspend"})
    for incident in (loss, decided):  # the completion is said first, whatever the incident's state
        with pytest.raises(StateConflict) as err:
            cases.decide_incident(OFFICE, code=CODE, incident_id=incident.id, data=suspend)
        assert err.value.as_dict()["articles"] == ["第十九条"]
        assert err.value.details == {"action": "suspend", "completed_on": "2026-03-02"}
    assert emitted(store) == before
    assert [i.status for i in cases.incidents(code=CODE)].count("open") == 1
    rectify = load(schemas.IncidentDecision, {"action": "rectify", "deadline": "2099-01-01"})
    assert cases.decide_incident(OFFICE, code=CODE, incident_id=loss.id, data=rectify).status == "decided"
