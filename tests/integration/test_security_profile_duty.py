"""Security duties are not optional (第三十条, 第三十一条): filing the security profile is a
deadline of the one engine, opened by the project's first contract, met by the profile, and a
missing one is a finding at the scan — never a funding gate (the text sets none)."""

from datetime import UTC, date, datetime

import pytest

from services.supervision import deadline_rows, deadlines, schedule
from services.supervision.application import SupervisionUseCases
from services.supervision.models import DeadlineRow, FindingRow, platform
from shared.context import AppContext
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.policy import get_policy
from shared.timekit import official_calendar
from shared.timekit.clock import fixed

pytestmark = pytest.mark.integration

CODE = "SD-2026-000077"
DUTY = f"security_profile:{CODE}:1"


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
    store = Store(engine, platform)
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
                "schedule_end": None,
            },
            date(2026, 3, 2),
        ),
        deadlines.project_registered,
    )
    yield store
    engine.dispose()


def cases_on(store: Store, day: date) -> SupervisionUseCases:
    """Supervision's use cases on ``day``: the store, and a clock fixed on that day."""
    return SupervisionUseCases(AppContext(store, fixed(day)))


def contract(no: str, signed: date):
    return fact(
        "contract_filed",
        {"contract_no": no, "amount": "100.00", "signed_on": signed, "filed_on": signed},
        signed,
    )


def profile(on: date):
    return fact(
        "security_profile_recorded",
        {
            "scheme": "graded",
            "level": 3,
            "crypto": {"planned": True, "built": False, "operated": False},
            "products_all_controllable": True,
        },
        on,
    )


def duty(store):
    with store.read() as session:
        row = session.get(DeadlineRow, DUTY)
        return (row.status, row.due_on, [e["why"] for e in row.ledger]) if row else None


def kinds(store):
    with store.read() as session:
        return [(f.kind, f.articles) for f in session.query(FindingRow)]


def test_the_duty_runs_from_the_first_contract_by_the_policys_length():
    due = schedule.security_profile(get_policy("shandong/v1"), date(2026, 8, 31))
    assert (due.on, due.article) == (date(2026, 9, 30), 30)  # one month, month-end clamped


def test_a_missing_profile_is_a_finding_at_the_scan_once(store):
    filed = deadlines.contract_filed(official_calendar())
    store.handle_once(contract("C-1", date(2026, 5, 11)), filed)
    store.handle_once(contract("C-2", date(2026, 6, 1)), filed)  # a later contract: same duty
    assert duty(store) == ("open", date(2026, 6, 11), ["first contract C-1 signed 2026-05-11"])
    assert cases_on(store, date(2026, 6, 11)).scan()["missed_deadlines"] == []  # the last day
    assert cases_on(store, date(2026, 6, 12)).scan()["missed_deadlines"] == [DUTY]
    assert cases_on(store, date(2026, 7, 1)).scan()["missed_deadlines"] == []  # once
    assert kinds(store) == [("missed:security_profile", [30])]
    with store.read() as session:
        [finding] = session.query(FindingRow).all()
        assert "第三十一条" in finding.description and "密码" in finding.description


def test_the_profile_meets_the_duty(store):
    store.handle_once(contract("C-1", date(2026, 5, 11)), deadlines.contract_filed(official_calendar()))
    store.handle_once(profile(date(2026, 6, 1)), deadlines.security_profile_recorded)
    status, _, ledger = duty(store)
    assert status == "met" and ledger[-1] == "security profile filed 2026-06-01"
    assert cases_on(store, date(2026, 12, 1)).scan()["missed_deadlines"] == []
    assert kinds(store) == []  # (the year's annual report is due only on 31 Dec)


def test_a_profile_before_the_first_contract_meets_it_at_once(store):
    store.handle_once(profile(date(2026, 4, 1)), deadlines.security_profile_recorded)
    assert duty(store) is None  # no contract yet: no duty running
    store.handle_once(contract("C-1", date(2026, 5, 11)), deadlines.contract_filed(official_calendar()))
    status, _, ledger = duty(store)
    assert status == "met" and ledger[-1] == "security profile filed 2026-04-01"
    assert DUTY not in cases_on(store, date(2027, 1, 1)).scan()["missed_deadlines"]


def test_the_duty_stands_still_while_construction_is_suspended(store):
    store.handle_once(contract("C-1", date(2026, 5, 11)), deadlines.contract_filed(official_calendar()))
    with store.transaction() as tx:
        deadlines.suspend_deadlines(tx, CODE, date(2026, 5, 21), "approval", "incident", "incident:I")
    with store.transaction() as tx:
        deadlines.resume_deadlines(tx, CODE, date(2026, 5, 31), "approval", "resumed", "incident:I")
    assert duty(store)[:2] == ("open", date(2026, 6, 21))  # moved by the 10 days


def test_a_profile_before_the_registration_is_retried_not_lost(database_urls):
    engine = create_engine_for(database_urls["supervision"])
    try:
        with pytest.raises(deadline_rows.NotKnownYet):
            Store(engine, platform).handle_once(
                profile(date(2026, 4, 1)), deadlines.security_profile_recorded
            )
    finally:
        engine.dispose()


def classified(on: date):
    return fact("project_classified", {"declared_on": on}, on)


def test_declared_classified_a_graded_profile_no_longer_meets_the_duty(store):
    """第四条, 第三十条: once the secrecy bureau declares the project classified, the duty
    re-opens from the declaration — classified protection (分级保护) is what meets it now."""
    store.handle_once(contract("C-1", date(2026, 5, 11)), deadlines.contract_filed(official_calendar()))
    store.handle_once(profile(date(2026, 6, 1)), deadlines.security_profile_recorded)
    store.handle_once(classified(date(2026, 7, 15)), deadlines.project_classified)
    status, due, ledger = duty(store)
    assert (status, due) == ("open", date(2026, 8, 15))
    assert ledger[-1] == "declared classified 2026-07-15: classified protection due"
    late_graded = fact(
        "security_profile_recorded",
        {"scheme": "graded", "level": 3, "crypto": {}, "products_all_controllable": True},
        date(2026, 7, 20),
    )
    store.handle_once(late_graded, deadlines.security_profile_recorded)  # overtaken: no
    assert duty(store)[0] == "open"
    store.handle_once(
        fact(
            "security_profile_recorded",
            {"scheme": "classified", "level": None, "crypto": {}, "products_all_controllable": True},
            date(2026, 8, 1),
        ),
        deadlines.security_profile_recorded,
    )
    assert duty(store)[0] == "met"
    store.handle_once(classified(date(2026, 7, 15)), deadlines.project_classified)  # again: no-op
    assert duty(store)[0] == "met"


def test_a_classified_profile_already_filed_stays_met(store):
    store.handle_once(contract("C-1", date(2026, 5, 11)), deadlines.contract_filed(official_calendar()))
    store.handle_once(
        fact(
            "security_profile_recorded",
            {"scheme": "classified", "level": None, "crypto": {}, "products_all_controllable": True},
            date(2026, 6, 1),
        ),
        deadlines.security_profile_recorded,
    )
    store.handle_once(classified(date(2026, 7, 15)), deadlines.project_classified)
    assert duty(store)[0] == "met"
