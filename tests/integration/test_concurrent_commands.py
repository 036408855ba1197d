"""Commands racing on the same rows, on SQLite and PostgreSQL (where several greenthreads and
replicas really run at once): the second waits for the first and sees what it did — no step
taken twice, no deadlock answered with a 500. Each race is forced: the first command pauses
inside its transaction (a use case's own rule, wrapped to sleep) while the second starts."""

from __future__ import annotations

import time
from datetime import date

import eventlet
import pytest
from sqlalchemy import select

from services.supervision import application, deadlines
from services.supervision.application import SupervisionUseCases
from services.supervision.models import DeadlineRow, FindingRow, SanctionRow, platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import GovprojError
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.timekit.clock import fixed

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
