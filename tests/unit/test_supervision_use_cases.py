"""Supervision's use cases without a broker (issue 20): SupervisionUseCases over an application
context — a Store on a temporary SQLite file and a fixed clock —, commands loaded with the
entrypoint's own schemas: audit engagements (第三十五条), referrals for misconduct,
misappropriation or abuse of office (第三十七条 to 第三十九条), and the deadlines it takes from
acceptance's events (one owner per fact, 第二十三条, 第二十四条)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.supervision import deadlines, schemas
from services.supervision.application import SupervisionUseCases
from services.supervision.models import DeadlineRow, platform
from shared.authz import Forbidden, Identity
from shared.context import AppContext
from shared.errors import NotFound, RuleViolation, StateConflict, ValidationFailed
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit.clock import fixed
from shared.wire import load

CODE, UNIT, TODAY = "SD-2026-000001", "U-370100-001", date(2026, 3, 2)
OFFICE, AUDIT = Identity("o1", "office"), Identity("a1", "audit")


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="supervision.test", today=lambda _session: TODAY)
    store.handle_once(
        make_event(
            "project_registered",
            {
                "unit": UNIT,
                "co_builders": [],
                "kind": "construction",
                "level": "province",
                "classified": False,
                "registered_on": TODAY,
            },
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[3],
        ),
        deadlines.project_registered,
    )
    yield store
    engine.dispose()


@pytest.fixture
def cases(store):
    return SupervisionUseCases(AppContext(store, fixed(TODAY)))


def outbox(store: Store) -> list[tuple[str, list[int]]]:
    import json

    with store.read() as session:
        rows = session.execute(select(platform.outbox)).all()
    return [(r.routing_key, json.loads(r.body)["articles"]) for r in rows]


def test_an_officials_abuse_of_office_is_referred_citing_the_39th_article(store, cases):
    """第三十九条: abuse of power, neglect, favouritism or bribery by officials → accountability,
    recorded as a referral and on the timeline citing the article."""
    referral = cases.refer(
        AUDIT,
        data=load(
            schemas.Referral,
            {
                "project": CODE,
                "kind": "disciplinary",
                "articles": [39],
                "description": "玩忽职守，未按规定组织验收",
            },
        ),
    )
    assert referral["articles"] == ["第三十九条"] and referral["referred_on"] == "2026-03-02"
    assert outbox(store) == [("referral_recorded", [39])]


def test_a_referral_cites_only_the_articles_of_referral(store):
    """A referral cites 第三十七条, 第三十八条 or 第三十九条; another article is refused (422) and
    nothing is recorded."""
    with pytest.raises(ValidationFailed):
        load(schemas.Referral, {"project": CODE, "kind": "judicial", "articles": [34], "description": "x"})
    assert outbox(store) == []


def test_a_referral_of_an_unknown_project_or_finding_is_refused(store, cases):
    with pytest.raises(NotFound):
        cases.refer(
            OFFICE,
            data=load(
                schemas.Referral,
                {
                    "project": "SD-2026-999999",
                    "kind": "judicial",
                    "articles": [38],
                    "description": "挪用资金",
                },
            ),
        )
    with pytest.raises(NotFound):
        cases.refer(
            OFFICE,
            data=load(
                schemas.Referral,
                {
                    "project": CODE,
                    "kind": "judicial",
                    "articles": [38],
                    "description": "挪用资金",
                    "finding": "F-NONE",
                },
            ),
        )
    assert outbox(store) == []


def test_an_audit_engagement_opens_on_the_timeline(store, cases):
    """第三十五条: the audit office audits projects; the engagement is on the timeline."""
    opening = load(schemas.AuditOpening, {"project": CODE, "scope": "专项资金"})
    opened = cases.open_audit(AUDIT, project=opening["project"], scope=opening["scope"])
    assert opened["opened_on"] == "2026-03-02"
    assert outbox(store) == [("audit_opened", [35])]


def fact(store: Store, effect, event_type: str, payload: dict, articles: list[int]) -> None:
    store.handle_once(
        make_event(
            event_type, payload, project_code=CODE, regulation_version="shandong/v1", articles=articles
        ),
        effect,
    )


def due(store: Store, key: str) -> DeadlineRow:
    with store.read() as session:
        return session.get(DeadlineRow, f"{key}:{CODE}:1")


def test_the_acceptance_deadline_is_the_date_acceptance_sent(store):
    """第二十三条: acceptance computes the 3 months and sends the date; supervision does not
    recompute it (a date unlike completion + 3 months proves which one is used)."""
    fact(
        store,
        deadlines.construction_completed,
        "construction_completed",
        {"completed_on": date(2026, 3, 2), "acceptance_due": date(2026, 7, 15)},
        [23],
    )
    row = due(store, "acceptance_application")
    assert (row.due_on, row.article) == (date(2026, 7, 15), 23)


def test_the_self_evaluation_deadline_is_the_window_acceptance_sent(store):
    """第二十四条: the window runs from the later of acceptance and going live — acceptance's."""
    fact(
        store,
        deadlines.project_went_live,
        "project_went_live",
        {"live_on": date(2026, 3, 2), "window_opens": date(2027, 5, 1), "window_closes": date(2028, 5, 1)},
        [24],
    )
    row = due(store, "self_evaluation")
    assert (row.due_on, row.ledger[0]["opens"]) == (date(2028, 5, 1), "2027-05-01")


def test_a_sanction_without_a_failed_rectification_is_refused_and_changes_nothing(store, cases):
    """第三十四条: a sanction answers a finding whose ordered rectification was refused, ignored
    or failed; on a finding just recorded it is refused (409) and nothing is imposed."""
    found = cases.record_inspection(
        OFFICE, project=CODE, found=[{"articles": [13], "description": "合同未按期备案"}]
    )
    before = outbox(store)
    with pytest.raises(StateConflict) as refused:
        cases.impose_sanction(
            OFFICE,
            data=load(
                schemas.Imposition,
                {"project": CODE, "type": "criticism", "finding": found[0]["id"], "reason": "逾期"},
            ),
        )
    assert "第三十四条" in refused.value.as_dict()["articles"]
    assert outbox(store) == before and cases.list_sanctions(OFFICE, project=CODE) == []


def test_a_unit_that_does_not_answer_the_offices_supervision_is_refusing_it(store, cases):
    """第三十三条 (the unit accepts the office's supervision), with 第三十四条 and 第三十六条: a
    finding that the unit did not accept supervision is non-cooperation, whatever found it; an
    order to rectify left unanswered past its deadline is ignored — on the timeline citing 33 and
    34 — and only then may the office sanction it."""
    inspection = load(
        schemas.Inspection,
        {
            "project": CODE,
            "findings": [
                {"articles": [33], "description": "拒绝接受现场检查"},
                {"articles": [13], "description": "合同未按期备案"},
            ],
        },
    )
    found = cases.record_inspection(OFFICE, project=inspection["project"], found=inspection["findings"])
    assert [f["kind"] for f in found] == ["non_cooperation", "inspection"]
    assert found[0]["articles"] == ["第三十三条"]
    finding = found[0]["id"]
    cases.order_rectification(OFFICE, finding_id=finding, deadline=date(2026, 3, 16))

    def status() -> str:
        [row] = [f for f in cases.list_findings(OFFICE, project=CODE) if f["id"] == finding]
        return row["status"]

    cases.scan(as_of=date(2026, 3, 16))  # the last day: not ignored yet
    assert status() == "rectification_ordered"
    with pytest.raises(StateConflict):  # no sanction while it runs
        cases.impose_sanction(
            OFFICE,
            data=load(
                schemas.Imposition,
                {"project": CODE, "type": "criticism", "finding": finding, "reason": "拒不整改"},
            ),
        )
    cases.scan(as_of=date(2026, 3, 17))
    assert status() == "ignored"
    assert ("finding_ignored", [33, 34]) in outbox(store)
    imposed = cases.impose_sanction(
        OFFICE,
        data=load(
            schemas.Imposition,
            {"project": CODE, "type": "criticism", "finding": finding, "reason": "拒不整改"},
        ),
    )
    assert imposed["type"] == "criticism"


def test_a_failed_rectification_climbs_the_ladder_and_a_suspension_stops_the_deadlines(store, cases):
    """第三十四条: the office orders a finding rectified; only the project's unit reports it; found
    not resolved, the office climbs the policy's ladder one step at a time. Suspending construction
    stops the project's deadlines; lifting it on a later day (that context's clock) moves each by
    the days it stood still, in its ledger."""
    fact(
        store,
        deadlines.construction_completed,
        "construction_completed",
        {"completed_on": date(2026, 3, 2), "acceptance_due": date(2026, 7, 15)},
        [23],
    )
    [found] = cases.record_inspection(
        OFFICE, project=CODE, found=[{"articles": [17], "description": "未按批复内容建设"}]
    )
    finding = found["id"]
    ordered = cases.order_rectification(OFFICE, finding_id=finding, deadline=date(2026, 3, 20))
    assert (ordered["status"], ordered["rectification_deadline"]) == ("rectification_ordered", "2026-03-20")
    with pytest.raises(Forbidden):  # another unit's report is refused
        cases.report_rectification(
            Identity("u2", "unit", "U-370100-999"), finding_id=finding, report="已整改"
        )
    cases.report_rectification(Identity("u1", "unit", UNIT), finding_id=finding, report="已整改")
    assert cases.verify_rectification(OFFICE, finding_id=finding, resolved=False)["status"] == "failed"

    def impose(kind: str) -> dict:
        data = {"project": CODE, "type": kind, "finding": finding, "reason": "整改后仍不符合要求"}
        return cases.impose_sanction(OFFICE, data=load(schemas.Imposition, data))

    assert [impose(kind)["type"] for kind in ("criticism", "withhold_funds")] == [
        "criticism",
        "withhold_funds",
    ]
    with pytest.raises(RuleViolation):  # a step skipped
        impose("terminate")
    suspended = impose("suspend")

    def acceptance_deadline(on: SupervisionUseCases) -> dict:
        [row] = [d for d in on.list_deadlines(OFFICE, project=CODE) if d["kind"] == "acceptance_application"]
        return row

    assert acceptance_deadline(cases)["status"] == "suspended"
    later = SupervisionUseCases(AppContext(store, fixed(date(2026, 3, 12))))
    lifted = later.lift_sanction(OFFICE, sanction_id=suspended["id"], reason="已恢复建设")
    assert (lifted["status"], lifted["lifted_on"]) == ("lifted", "2026-03-12")
    resumed = acceptance_deadline(later)
    assert (resumed["status"], resumed["due_on"]) == ("open", "2026-07-25")
    assert {s["type"]: s["status"] for s in later.list_sanctions(OFFICE, project=CODE)} == {
        "criticism": "active",
        "withhold_funds": "active",
        "suspend": "lifted",
    }


def test_the_office_records_a_refusal_to_rectify_and_it_is_sanctionable(store, cases):
    """拒不整改 (第三十四条): the office records that the unit refused an order still running —
    the finding is refused (sanctionable), the order's deadline ends (never 'ignored' later);
    before an order, or a second time, the refusal is 409 and changes nothing."""
    [found] = cases.record_inspection(
        OFFICE, project=CODE, found=[{"articles": [17], "description": "擅自扩大建设规模"}]
    )
    finding = found["id"]
    before = outbox(store)
    with pytest.raises(StateConflict) as early:  # not ordered rectified yet
        cases.refuse_rectification(OFFICE, finding_id=finding, reason="拒绝整改")
    assert "第三十四条" in early.value.as_dict()["articles"] and outbox(store) == before
    cases.order_rectification(OFFICE, finding_id=finding, deadline=date(2026, 3, 16))
    refused = cases.refuse_rectification(OFFICE, finding_id=finding, reason="书面答复拒绝整改")
    assert refused["status"] == "refused_to_rectify"
    assert refused["history"][-1]["action"] == "rectification_refused"
    assert ("finding_rectification_refused", [34]) in outbox(store)
    with pytest.raises(StateConflict):
        cases.refuse_rectification(OFFICE, finding_id=finding, reason="again")
    cases.scan(as_of=date(2026, 4, 1))  # past the deadline: the order ended, not ignored
    [row] = [f for f in cases.list_findings(OFFICE, project=CODE) if f["id"] == finding]
    assert row["status"] == "refused_to_rectify"
    imposed = cases.impose_sanction(
        OFFICE,
        data=load(
            schemas.Imposition,
            {"project": CODE, "type": "criticism", "finding": finding, "reason": "拒不整改"},
        ),
    )
    assert imposed["type"] == "criticism"
