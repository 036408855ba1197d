"""Commands racing on the same rows — supervision's sanctions, scan and ledger verification,
approval's rounds — on SQLite and PostgreSQL (where several greenthreads and replicas really run
at once): the second waits for the first and sees what it did — no step taken twice, no deadlock
answered with a 500. Each race is forced: the first command pauses inside its transaction (a use
case's own rule, wrapped to sleep) while the second starts."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import eventlet
import pytest
from sqlalchemy import select

from services.approval import application as approval
from services.approval import schemas as approval_schemas
from services.approval.application import ApprovalUseCases
from services.approval.domain import ReviewCase
from services.approval.models import platform as approval_tables
from services.planning.models import CodeSequence
from services.planning.models import platform as planning_tables
from services.supervision import application, audit_chain_checks, deadlines
from services.supervision.application import SupervisionUseCases
from services.supervision.models import (
    AuditChainHeadRow,
    AuditChainVerificationRow,
    DeadlineRow,
    FindingRow,
    SanctionRow,
    platform,
)
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import GovprojError
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.persistence.upsert import increment
from shared.platform import command
from shared.timekit.clock import fixed
from shared.wire import load

pytestmark = pytest.mark.integration

CODE, UNIT, TODAY = "SD-2026-000077", "U-370100-001", date(2026, 3, 2)
OFFICE, OWNER = Identity("o1", "office"), Identity("u1", "unit", UNIT)


@pytest.fixture
def store(database_urls):
    engine = create_engine_for(database_urls["supervision"])
    store = Store(engine, platform, consumer="supervision.test")
    registered = {
        "unit": UNIT,
        "co_builders": [],
        "kind": "construction",
        "level": "province",
        "classified": False,
        "registered_on": TODAY,
    }
    event = make_event(
        "project_registered", registered, project_code=CODE, regulation_version="shandong/v1", articles=[3]
    )
    store.handle_once(event, deadlines.project_registered)
    yield store
    engine.dispose()


def on(store: Store, day: date = TODAY) -> SupervisionUseCases:
    return SupervisionUseCases(AppContext(store, fixed(day)))


def ordered_finding(cases: SupervisionUseCases) -> str:
    [found] = cases.record_inspection(
        OFFICE, project=CODE, found=[{"articles": [17], "description": "未按批复内容建设"}]
    )
    cases.order_rectification(OFFICE, finding_id=found["id"], deadline=date(2026, 3, 20))
    return found["id"]


def pausing(monkeypatch, name: str, seconds: float = 0.3) -> None:
    """``application.rules.<name>`` sleeps first (the first caller only): its transaction holds
    what it locked so far while the racing command starts."""
    rules, original, calls = application.rules, getattr(application.rules, name), []

    def paused(*args, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            eventlet.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(rules, name, paused)


def outcome(call):
    try:
        return call()
    except GovprojError as refusal:
        return refusal


def test_two_impositions_on_one_finding_take_one_step_of_the_ladder(store, monkeypatch):
    """第三十四条: both ask for the ladder's first step (criticism) at once. Before the finding was
    locked, each read the sanctions applied (none) and both were imposed — two criticisms, or
    two withholdings that finance booked twice. Now the second waits and is refused."""
    cases = on(store)
    finding = ordered_finding(cases)
    cases.report_rectification(OWNER, finding_id=finding, report="已整改")
    cases.verify_rectification(OFFICE, finding_id=finding, resolved=False)
    pausing(monkeypatch, "next_sanction")
    data = {"project": CODE, "type": "criticism", "finding": finding, "reason": "整改后仍不符合要求"}

    def impose(_):
        return outcome(lambda: on(store).impose_sanction(OFFICE, data=dict(data)))

    answers = list(eventlet.GreenPool(2).imap(impose, range(2)))
    imposed = [a for a in answers if isinstance(a, dict)]
    refused = [a for a in answers if isinstance(a, GovprojError)]
    assert len(imposed) == 1 and len(refused) == 1, answers
    with store.read() as session:
        assert session.scalars(select(SanctionRow.type).where(SanctionRow.finding == finding)).all() == [
            "criticism"
        ]


def test_a_late_report_racing_the_scan_is_taken_not_deadlocked(store, monkeypatch):
    """The scan locks the due deadlines, then each order's finding; a report locks its finding,
    then the order's deadline. Run together they deadlocked (PostgreSQL answered one of them
    with an error after a second). Now the scan leaves a finding a command holds to the next
    scan: the report is taken, its deadline met, nothing ignored."""
    cases = on(store)
    finding = ordered_finding(cases)
    pausing(monkeypatch, "require")  # report_rectification: after the finding's lock

    def report():
        return outcome(lambda: cases.report_rectification(OWNER, finding_id=finding, report="已整改"))

    def scan():
        time.sleep(0.1)  # the report holds the finding by now
        return outcome(lambda: on(store, date(2026, 3, 21)).scan(as_of=date(2026, 3, 21)))

    reporting, scanning = eventlet.spawn(report), eventlet.spawn(scan)
    reported, scanned = reporting.wait(), scanning.wait()
    assert isinstance(reported, dict) and reported["status"] == "reported", reported
    assert not isinstance(scanned, Exception), scanned
    assert finding not in scanned["ignored_rectifications"]
    with store.read() as session:
        assert session.get(FindingRow, finding).status == "reported"
        [deadline] = session.scalars(select(DeadlineRow).where(DeadlineRow.kind == "rectification")).all()
        assert deadline.status == "met"
    # and a scan that meets no command still ignores an unanswered order (第三十三条)
    other = ordered_finding(cases)
    later = on(store, date(2026, 3, 21)).scan(as_of=date(2026, 3, 21))
    assert later["ignored_rectifications"] == [other]


def test_two_full_ledger_verifications_started_at_once_run_one_job(store, monkeypatch):
    """Two clicks on "verify the whole ledger" at once: each looked for a running job, found
    none, and both started one over the same chain. Now the second waits on the chain's head and
    answers the first's job."""
    with store.read() as session:
        assert session.get(AuditChainHeadRow, 1) is not None  # the chain's head (migrated in)
    original, calls = audit_chain_checks._now, []

    def paused_now():
        calls.append(True)
        if len(calls) == 1:  # the first start, past its look for a running job
            eventlet.sleep(0.3)
        return original()

    monkeypatch.setattr(audit_chain_checks, "_now", paused_now)
    answers = list(eventlet.GreenPool(2).imap(lambda _: audit_chain_checks.start_full(store, "o1"), range(2)))
    assert sorted(new for _, new in answers) == [False, True]
    assert answers[0][0]["id"] == answers[1][0]["id"]
    with store.read() as session:
        assert len(session.scalars(select(AuditChainVerificationRow)).all()) == 1


# -- approval: rounds and the DRC ---------------------------------------------------------------

A, B = "SD-2026-000101", "SD-2026-000102"
SUBMITTED = dict(
    name="政务云",
    unit=UNIT,
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
def review(database_urls):
    """Approval with a submitted application for A and for B (their review cases open)."""
    engine = create_engine_for(database_urls["approval"])
    store = Store(engine, approval_tables, consumer="approval.test")
    for code in (A, B):
        event = make_event(
            "application_submitted",
            SUBMITTED,
            project_code=code,
            regulation_version="shandong/v1",
            articles=[7],
        )
        store.handle_once(event, approval.open_review_case(TODAY))
    yield ApprovalUseCases(AppContext(store, fixed(TODAY)))
    engine.dispose()


def emitted(cases: ApprovalUseCases) -> list[str]:
    with cases.ctx.store.read() as session:
        return list(session.scalars(select(approval_tables.outbox.c.routing_key)))


def test_two_rounds_naming_the_same_projects_in_either_order_do_not_deadlock(review, monkeypatch):
    """第八条: rounds lock their projects' cases. Listed A, B and B, A and opened at once, they
    deadlocked on PostgreSQL (a 500); now both lock in one order: one opens, the other waits and
    is refused — the cases are in a round already."""
    original, paused = approval.repository.latest_case, set()

    def latest_case(*args, **kwargs):
        case = original(*args, **kwargs)
        if eventlet.getcurrent() not in paused:  # each round holds its first lock a moment
            paused.add(eventlet.getcurrent())
            eventlet.sleep(0.3)
        return case

    monkeypatch.setattr(approval.repository, "latest_case", latest_case)

    def open_round(projects):
        return outcome(lambda: review.open_round(OFFICE, title="第一批", projects=projects))

    answers = list(eventlet.GreenPool(2).imap(open_round, [[A, B], [B, A]]))
    opened = [a for a in answers if isinstance(a, tuple)]
    refused = [a for a in answers if isinstance(a, GovprojError)]
    assert len(opened) == 1 and len(refused) == 1, answers
    assert {c.project_code for c in opened[0][1]} == {A, B}


def test_a_resubmission_while_the_drc_takes_the_project_up_keeps_the_designation(review, monkeypatch):
    """第四条: a project's new review case carries the DRC's designation over from the one
    before. Opened while a take-up held the earlier case, it read that case unlocked, before the
    designation — the new case, the one that decides, lost it. Now it waits and carries it."""
    check = ReviewCase.check_take_up

    def held_check(*args, **kwargs):
        eventlet.sleep(0.3)
        return check(*args, **kwargs)

    monkeypatch.setattr(ReviewCase, "check_take_up", staticmethod(held_check))
    again = make_event(
        "application_submitted",
        {**SUBMITTED, "submission": 2},
        project_code=A,
        regulation_version="shandong/v1",
        articles=[7],
    )

    def resubmit():
        time.sleep(0.1)  # the take-up holds the earlier case by now
        return review.ctx.store.handle_once(again, approval.open_review_case(TODAY))

    taking = eventlet.spawn(lambda: review.take_up_fixed_asset(code=A, comments="涉及固定资产投资"))
    opening = eventlet.spawn(resubmit)
    taking.wait()
    opening.wait()
    latest = max(review.review_cases(project_code=A), key=lambda c: c.submission)
    assert latest.submission == 2 and latest.fixed_asset_investment


def test_a_round_closing_while_the_drc_takes_the_project_up_does_not_approve_past_it(review, monkeypatch):
    """第四条: the DRC takes A up (it must approve a fixed-asset project) while the office closes
    the round that favours A. The round read A's case unlocked and approved it as it was — a
    project_approved with no fixed-asset investment, the DRC's approval skipped. Now the round
    waits for the take-up and leaves A waiting for the DRC."""
    round_, _ = review.open_round(OFFICE, title="第一批", projects=[A])
    opinion = {"project": A, "decision": "approve", "necessity": "n", "feasibility": "f"}
    opinion["approved_amount"] = "450000.00"
    review.record_opinion(OFFICE, round_id=round_.id, data=load(approval_schemas.OpinionFiling, opinion))
    check, paused = ReviewCase.check_take_up, []

    def held_check(*args, **kwargs):  # the take-up holds A's case a moment
        paused.append(True)
        eventlet.sleep(0.3)
        return check(*args, **kwargs)

    monkeypatch.setattr(ReviewCase, "check_take_up", staticmethod(held_check))

    def close():
        time.sleep(0.1)  # the take-up holds the case by now
        return outcome(lambda: review.close_round(round_id=round_.id))

    taking = eventlet.spawn(
        lambda: outcome(lambda: review.take_up_fixed_asset(code=A, comments="涉及固定资产投资"))
    )
    closing = eventlet.spawn(close)
    taken, closed = taking.wait(), closing.wait()
    assert paused and not isinstance(taken, Exception), taken
    assert not isinstance(closed, Exception), closed
    assert "project_approved" not in emitted(review)
    [case] = review.review_cases(project_code=A)
    assert case.fixed_asset_investment and case.approved_on is None


# -- the safety net: a command that lost a race runs once more ------------------------------------


def test_a_command_chosen_as_a_deadlock_victim_runs_again_and_both_succeed(postgres_urls):
    """Two commands lock the same two rows in opposite orders (a race no use case should have
    left — the net under those missed): PostgreSQL breaks the deadlock by failing one. The
    command wrapper runs that one again; both answer, and the loser ran twice."""
    engine = create_engine_for(postgres_urls["planning"])
    store = Store(engine, planning_tables)
    with store.transaction() as tx:
        for year in (2026, 2027):
            increment(tx.session, CodeSequence.__table__, "year", year, "last")
    runs: list[tuple[int, int]] = []

    class Service:
        db, caller = store, OFFICE

        @command("project.read")
        def lock(self, first: int, second: int) -> list[int]:
            runs.append((first, second))
            with self.db.transaction() as tx:
                for year in (first, second):
                    tx.session.get(CodeSequence, year, with_for_update=True)
                    eventlet.sleep(0.2)  # the other command takes its first row meanwhile
            return [first, second]

    answers = list(
        eventlet.GreenPool(2).imap(lambda order: Service().lock(*order), [(2026, 2027), (2027, 2026)])
    )
    assert answers == [[2026, 2027], [2027, 2026]]
    assert len(runs) == 3  # one of them was the victim, and ran again
    engine.dispose()
