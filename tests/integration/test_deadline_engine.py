"""The one deadline engine (supervision), fed by the facts other services publish: contract
filing (第十三条), annual reports (第十六条), the self-evaluation window (第二十四条) — each settled
once, misses turned into findings by the scan, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest

from services.supervision import deadline_rows, deadlines
from services.supervision.application import SupervisionUseCases
from services.supervision.models import DeadlineRow, FindingRow, platform
from shared.authz import Identity
from shared.context import AppContext
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.timekit import official_calendar
from shared.timekit.clock import fixed

pytestmark = pytest.mark.integration

CODE = "SD-2026-000042"
OFFICE = Identity("office-staff", "office")


def fact(event_type: str, payload: dict, on: date):
    return make_event(
        event_type,
        payload,
        project_code=CODE,
        regulation_version="shandong/v1",
        articles=[],
        occurred_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
    )


@pytest.fixture
def store(database_urls):
    engine = create_engine_for(database_urls["supervision"])
    yield Store(engine, platform)
    engine.dispose()


def cases_on(store: Store, day: date) -> SupervisionUseCases:
    """Supervision's use cases on ``day``: the store, and a clock fixed on that day."""
    return SupervisionUseCases(AppContext(store, fixed(day)))


def state(store):
    with store.read() as session:
        return (
            {r.id: (r.status, r.due_on) for r in session.query(DeadlineRow)},
            sorted(f.kind for f in session.query(FindingRow)),
        )


def contract(no: str, signed: date, filed: date):
    return fact(
        "contract_filed",
        {"contract_no": no, "amount": "100.00", "signed_on": signed, "filed_on": filed},
        filed,
    )


def test_contract_filing_on_the_official_calendar_settled_at_filing(store):
    effect = deadlines.contract_filed(official_calendar())
    # signed Mon 28 Sep 2026: the 5th working day is Sat 10 Oct (调休 after the National Day)
    on_time = contract("C-1", date(2026, 9, 28), date(2026, 10, 10))
    late = contract("C-2", date(2026, 9, 28), date(2026, 10, 12))
    for event in (on_time, late, late):  # the late one delivered twice: one finding
        store.handle_once(event, effect)
    found, kinds = state(store)
    assert found[f"contract_filing:{CODE}:C-1"] == ("met", date(2026, 10, 10))
    assert found[f"contract_filing:{CODE}:C-2"] == ("missed", date(2026, 10, 10))
    assert kinds == ["missed:contract_filing"]
    # filing starts the year's annual report, due on the policy's day (31 Dec)
    assert found[f"annual_report:{CODE}:2026"] == ("open", date(2026, 12, 31))
    # the scan does not find the settled contract deadlines again (the first contract's
    # security-profile duty, unmet, is its own: tests/integration/test_security_profile_duty.py)
    assert cases_on(store, date(2026, 12, 1)).scan()["missed_deadlines"] == [f"security_profile:{CODE}:1"]


def test_self_evaluation_window_from_going_live(store):
    live = fact(
        "project_went_live",
        {"live_on": date(2024, 2, 29), "window_opens": date(2025, 2, 28), "window_closes": date(2026, 2, 28)},
        date(2024, 2, 29),
    )
    store.handle_once(live, deadlines.project_went_live)
    with store.read() as session:
        row = session.get(DeadlineRow, f"self_evaluation:{CODE}:1")
        assert row.due_on == date(2026, 2, 28) and row.ledger[0]["opens"] == "2025-02-28"
        assert row.article == 24
    assert cases_on(store, date(2026, 2, 28)).scan()["missed_deadlines"] == []  # last day: in time
    assert cases_on(store, date(2026, 3, 1)).scan()["missed_deadlines"] == [f"self_evaluation:{CODE}:1"]
    assert cases_on(store, date(2026, 3, 2)).scan()["missed_deadlines"] == []  # once
    assert state(store)[1] == ["missed:self_evaluation"]


def test_the_self_evaluation_deadline_is_the_window_acceptance_sent(store):
    """One owner per fact (第二十四条): acceptance computes the window from the later of
    acceptance and going live; supervision takes it from the event, not from live_on."""
    store.handle_once(
        fact(
            "project_went_live",
            {
                "live_on": date(2024, 2, 29),
                "window_opens": date(2025, 6, 1),
                "window_closes": date(2026, 6, 1),
            },
            date(2024, 2, 29),
        ),
        deadlines.project_went_live,
    )
    with store.read() as session:
        row = session.get(DeadlineRow, f"self_evaluation:{CODE}:1")
        assert row.due_on == date(2026, 6, 1) and row.ledger[0]["opens"] == "2025-06-01"


def test_a_self_evaluation_filed_meets_the_deadline(store):
    store.handle_once(
        fact(
            "project_went_live",
            {
                "live_on": date(2025, 1, 15),
                "window_opens": date(2026, 1, 15),
                "window_closes": date(2027, 1, 15),
            },
            date(2025, 1, 15),
        ),
        deadlines.project_went_live,
    )
    store.handle_once(
        fact(
            "self_evaluation_filed",
            {"filed_on": date(2026, 6, 1), "report_document": "SE-1"},
            date(2026, 6, 1),
        ),
        deadlines.self_evaluation_filed,
    )
    assert cases_on(store, date(2028, 1, 1)).scan()["missed_deadlines"] == []
    assert state(store) == ({f"self_evaluation:{CODE}:1": ("met", date(2027, 1, 15))}, [])


def test_annual_report_filed_meets_its_year_and_opens_the_next(store):
    store.handle_once(
        contract("C-1", date(2026, 3, 2), date(2026, 3, 3)), deadlines.contract_filed(official_calendar())
    )
    store.handle_once(
        fact(
            "annual_report_filed",
            {"year": 2026, "filed_on": date(2026, 12, 20), "on_time": True},
            date(2026, 12, 20),
        ),
        deadlines.annual_report_filed,
    )
    found, _ = state(store)
    assert found[f"annual_report:{CODE}:2026"] == ("met", date(2026, 12, 31))
    assert found[f"annual_report:{CODE}:2027"] == ("open", date(2027, 12, 31))
    assert [
        m
        for m in cases_on(store, date(2028, 1, 1)).scan()["missed_deadlines"]
        if m.startswith("annual_report")
    ] == [f"annual_report:{CODE}:2027"]


def test_a_follow_up_before_its_fact_is_retried_not_lost(store):
    applied = fact("acceptance_applied", {"applied_on": date(2026, 9, 1)}, date(2026, 9, 1))
    with pytest.raises(deadline_rows.NotKnownYet):
        store.handle_once(applied, deadlines.acceptance_applied)
    store.handle_once(
        fact(
            "construction_completed",
            {"completed_on": date(2026, 8, 31), "acceptance_due": date(2026, 11, 30)},
            date(2026, 8, 31),
        ),
        deadlines.construction_completed,
    )
    store.handle_once(applied, deadlines.acceptance_applied)  # the retry: nothing was claimed
    assert state(store)[0][f"acceptance_application:{CODE}:1"] == ("met", date(2026, 11, 30))


def test_a_report_before_the_contract_settles_its_year_either_way(store):
    store.handle_once(
        fact(
            "annual_report_filed",
            {"year": 2026, "filed_on": date(2026, 12, 1), "on_time": True},
            date(2026, 12, 1),
        ),
        deadlines.annual_report_filed,
    )
    store.handle_once(
        contract("C-1", date(2026, 3, 2), date(2026, 3, 3)), deadlines.contract_filed(official_calendar())
    )
    found, _ = state(store)
    assert found[f"annual_report:{CODE}:2026"] == ("met", date(2026, 12, 31))
    assert f"annual_report:{CODE}:2026" not in cases_on(store, date(2027, 1, 15)).scan()["missed_deadlines"]


def suspension(kind: str, incident: str, on: date, **extra):
    data = {"incident_id": incident, "kind": "major_loss", **extra}
    key = "suspended_on" if kind == "construction_suspended" else "resumed_on"
    return fact(kind, {**data, key: on}, on)


def completed(store, on: date):
    store.handle_once(
        fact("construction_completed", {"completed_on": on, "acceptance_due": date(2026, 11, 30)}, on),
        deadlines.construction_completed,
    )


def test_a_19th_article_suspension_ends_and_the_deadlines_move_by_the_days_stood_still(store):
    completed(store, date(2026, 8, 31))
    store.handle_once(
        suspension("construction_suspended", "IN-1", date(2026, 9, 1)), deadlines.construction_suspended
    )
    assert state(store)[0][f"acceptance_application:{CODE}:1"][0] == "suspended"
    store.handle_once(
        suspension(
            "construction_resumed",
            "IN-1",
            date(2026, 9, 21),
            suspended_on=date(2026, 9, 1),
            days_suspended=20,
            reason="整改完成",
        ),
        deadlines.construction_resumed,
    )
    assert state(store)[0][f"acceptance_application:{CODE}:1"] == ("open", date(2026, 12, 20))
    with store.read() as session:
        ledger = session.get(DeadlineRow, f"acceptance_application:{CODE}:1").ledger
    assert ledger[-1]["why"].startswith("resumed after 20 days: incident major_loss: 整改完成")
    assert ledger[-1]["article"] == ledger[-2]["article"] == "第十九条"


def test_deadlines_stand_still_while_any_suspension_stands(store):
    """A sanction's suspension and the approving body's overlap: the deadlines move only when the
    last one ends, by the days from the first."""
    completed(store, date(2026, 8, 31))
    store.handle_once(
        suspension("construction_suspended", "IN-2", date(2026, 9, 1)), deadlines.construction_suspended
    )
    with store.transaction() as tx:
        deadlines.suspend_deadlines(tx, CODE, date(2026, 9, 5), "office", "暂停", "sanction:SN-1")
    store.handle_once(
        suspension(
            "construction_resumed",
            "IN-2",
            date(2026, 9, 10),
            suspended_on=date(2026, 9, 1),
            days_suspended=9,
            reason="r",
        ),
        deadlines.construction_resumed,
    )
    assert state(store)[0][f"acceptance_application:{CODE}:1"] == ("suspended", date(2026, 11, 30))
    with store.transaction() as tx:
        deadlines.resume_deadlines(tx, CODE, date(2026, 9, 15), "office", "解除", "sanction:SN-1")
    assert state(store)[0][f"acceptance_application:{CODE}:1"] == ("open", date(2026, 12, 14))


def test_a_resumption_before_its_suspension_is_retried_not_lost(store):
    completed(store, date(2026, 8, 31))
    resumed = suspension(
        "construction_resumed",
        "IN-3",
        date(2026, 9, 11),
        suspended_on=date(2026, 9, 1),
        days_suspended=10,
        reason="r",
    )
    with pytest.raises(deadline_rows.NotKnownYet):
        store.handle_once(resumed, deadlines.construction_resumed)
    store.handle_once(
        suspension("construction_suspended", "IN-3", date(2026, 9, 1)), deadlines.construction_suspended
    )
    store.handle_once(resumed, deadlines.construction_resumed)  # the retry
    assert state(store)[0][f"acceptance_application:{CODE}:1"] == ("open", date(2026, 12, 10))


def planned(store, end: date | None = date(2027, 6, 30)):
    """Registered with a schedule ending on ``end``, then approved."""
    store.handle_once(
        fact(
            "project_registered",
            {
                "unit": "U1",
                "co_builders": [],
                "kind": "construction",
                "level": "province",
                "classified": False,
                "registered_on": date(2026, 3, 2),
                "schedule_end": end,
            },
            date(2026, 3, 2),
        ),
        deadlines.project_registered,
    )
    store.handle_once(
        fact(
            "project_approved",
            {
                "case_id": "RC-1",
                "unit": "U1",
                "approved_amount": "100.00",
                "approved_on": date(2026, 4, 1),
                "fixed_asset_investment": False,
                "classified": False,
            },
            date(2026, 4, 1),
        ),
        deadlines.project_approved,
    )


def findings_of(store):
    with store.read() as session:
        return [(f.kind, f.articles, f.details) for f in session.query(FindingRow)]


def test_past_the_planned_end_unreported_is_a_finding_asking_for_the_report(store):
    """第十九条: a project past its registered end without completion is listed and, as no
    serious delay was reported, the scan asks the unit to report it — once."""
    planned(store)
    row_id = f"planned_completion:{CODE}:1"
    assert state(store)[0][row_id] == ("open", date(2027, 6, 30))
    assert cases_on(store, date(2027, 6, 30)).overdue_projects(OFFICE) == []  # the last day
    assert cases_on(store, date(2027, 7, 1)).overdue_projects(OFFICE) == [CODE]
    assert cases_on(store, date(2027, 6, 30)).scan()["unreported_delays"] == []
    scan = cases_on(store, date(2027, 7, 1)).scan()
    assert scan["unreported_delays"] == [CODE] and scan["missed_deadlines"] == [row_id]
    [(kind, articles, details)] = findings_of(store)
    assert (kind, articles) == ("unreported_delay", [19])
    assert details["asks"]["report"] == "serious_delay" and details["due_on"] == "2027-06-30"
    assert cases_on(store, date(2027, 8, 1)).scan()["unreported_delays"] == []  # once
    assert len(findings_of(store)) == 1


def test_a_reported_serious_delay_is_listed_but_not_asked_for_again(store):
    planned(store)
    store.handle_once(
        fact(
            "incident_reported",
            {"incident_id": "IN-7", "kind": "major_loss", "reported_on": date(2027, 5, 1)},
            date(2027, 5, 1),
        ),
        deadlines.incident_reported,
    )
    store.handle_once(
        fact(
            "incident_reported",
            {"incident_id": "IN-8", "kind": "serious_delay", "reported_on": date(2027, 6, 1)},
            date(2027, 6, 1),
        ),
        deadlines.incident_reported,
    )
    scan = cases_on(store, date(2027, 7, 1)).scan()
    assert scan["missed_deadlines"] == [f"planned_completion:{CODE}:1"]
    assert scan["unreported_delays"] == [] and findings_of(store) == []
    with store.read() as session:
        ledger = session.get(DeadlineRow, f"planned_completion:{CODE}:1").ledger
    assert [e["why"] for e in ledger[1:]] == [
        "serious delay reported: incident IN-8",
        "past the planned end; serious delay reported: incident IN-8",
    ]
    assert cases_on(store, date(2027, 7, 2)).overdue_projects(OFFICE) == [CODE]  # listed


def test_completion_meets_the_planned_end_or_settles_the_overrun(store):
    planned(store)
    completed(store, date(2027, 6, 30))
    assert state(store)[0][f"planned_completion:{CODE}:1"][0] == "met"
    assert cases_on(store, date(2027, 12, 1)).scan()["unreported_delays"] == []


def test_an_approved_schedule_change_moves_the_planned_end(store):
    planned(store)
    store.handle_once(
        fact(
            "change_decided",
            {
                "request_id": "CR-1",
                "decision": "approve",
                "changes": {"schedule": {"start": "2026-04-01", "end": "2027-12-31"}},
                "approved_amount": None,
                "comments": "",
                "decided_on": date(2027, 3, 1),
            },
            date(2027, 3, 1),
        ),
        deadlines.schedule_changed,
    )
    assert state(store)[0][f"planned_completion:{CODE}:1"] == ("open", date(2027, 12, 31))
    assert cases_on(store, date(2027, 7, 1)).scan()["unreported_delays"] == []
    with store.read() as session:
        entry = session.get(DeadlineRow, f"planned_completion:{CODE}:1").ledger[-1]
    assert entry["why"] == "schedule changed by CR-1: ends 2027-12-31"
    assert entry["article"] == "第十八条"


def test_a_fixed_asset_projects_schedule_change_moves_the_end_once_the_drc_reapproves(store):
    """第四条, 第十八条: the office's approval awaiting the DRC moves nothing; the re-approval
    does."""
    planned(store)
    change = {
        "request_id": "CR-2",
        "decision": "approve",
        "changes": {"schedule": {"start": "2026-04-01", "end": "2027-12-31"}},
        "approved_amount": None,
    }
    store.handle_once(
        fact(
            "change_decided",
            {**change, "comments": "", "awaiting_drc": True, "decided_on": date(2027, 3, 1)},
            date(2027, 3, 1),
        ),
        deadlines.schedule_changed,
    )
    assert state(store)[0][f"planned_completion:{CODE}:1"] == ("open", date(2027, 6, 30))
    store.handle_once(
        fact(
            "change_reapproved",
            {**change, "document_no": "鲁发改〔2027〕1号", "decided_on": date(2027, 3, 5)},
            date(2027, 3, 5),
        ),
        deadlines.schedule_changed,
    )
    assert state(store)[0][f"planned_completion:{CODE}:1"] == ("open", date(2027, 12, 31))


def test_no_schedule_no_planned_end_and_approval_waits_for_the_registration(store):
    approved = fact(
        "project_approved",
        {
            "case_id": "RC-1",
            "unit": "U1",
            "approved_amount": "100.00",
            "approved_on": date(2026, 4, 1),
            "fixed_asset_investment": False,
            "classified": False,
        },
        date(2026, 4, 1),
    )
    with pytest.raises(deadline_rows.NotKnownYet):
        store.handle_once(approved, deadlines.project_approved)
    planned(store, end=None)
    assert state(store)[0] == {}


def test_reports_end_with_construction_and_a_termination_ends_every_clock(store):
    store.handle_once(
        contract("C-1", date(2026, 3, 2), date(2026, 3, 3)), deadlines.contract_filed(official_calendar())
    )
    store.handle_once(
        fact(
            "annual_report_filed",
            {"year": 2026, "filed_on": date(2026, 12, 1), "on_time": True},
            date(2026, 12, 1),
        ),
        deadlines.annual_report_filed,
    )  # opens 2027
    store.handle_once(
        fact(
            "construction_completed",
            {"completed_on": date(2026, 12, 20), "acceptance_due": date(2027, 3, 20)},
            date(2026, 12, 20),
        ),
        deadlines.construction_completed,
    )
    found, _ = state(store)
    assert found[f"annual_report:{CODE}:2027"][0] == "void"  # no construction in 2027
    assert found[f"acceptance_application:{CODE}:1"] == ("open", date(2027, 3, 20))
    with store.transaction() as tx:
        deadlines.end_deadlines(tx, CODE, date(2027, 1, 5), "office", "终止项目")
    found, _ = state(store)
    assert found[f"acceptance_application:{CODE}:1"][0] == "void"
    assert cases_on(store, date(2028, 1, 1)).scan()["missed_deadlines"] == []
