"""When each deadline falls (docs/regulation.md §11), at its boundaries, from the policy data."""

from datetime import date

import pytest

from services.supervision import schedule
from shared.policy import get_policy
from shared.timekit import official_calendar

V1 = get_policy("shandong/v1")


@pytest.mark.parametrize(
    "signed, due",
    [
        (date(2026, 9, 28), date(2026, 10, 10)),  # National Day week; the 5th is Sat 10 Oct (调休)
        (date(2026, 2, 12), date(2026, 2, 26)),  # across the Spring Festival and its 调休 weekend
        (date(2026, 4, 29), date(2026, 5, 9)),  # Labour Day: 30 Apr, 6, 7, 8 May, Sat 9 (调休)
        (date(2026, 3, 2), date(2026, 3, 9)),  # an ordinary week
    ],
)
def test_contract_filing_is_five_working_days_on_the_official_calendar(signed, due):
    result = schedule.contract_filing(official_calendar(), V1, signed)
    assert (result.on, result.article, result.provisional) == (due, 13, False)


def test_contract_filing_into_an_unpublished_year_is_provisional():
    result = schedule.contract_filing(official_calendar(), V1, date(2099, 3, 2))
    assert result.provisional and result.on == date(2099, 3, 9)  # the weekend rule alone


def test_acceptance_application_is_due_when_acceptance_says():
    """One owner per fact (第二十三条): acceptance computes the 3 months (its boundaries:
    tests/unit/test_acceptance_domain.py) and sends the date; supervision takes it."""
    assert schedule.acceptance_application(V1, date(2024, 2, 29)) == schedule.Due(date(2024, 2, 29), 23)


def test_self_evaluation_window_is_the_one_acceptance_sent():
    """One owner per fact: acceptance computes the window (from the later of acceptance and
    going live, 第二十四条) and supervision's deadline is that window, not its own."""
    due = schedule.self_evaluation(V1, date(2025, 2, 28), date(2026, 2, 28))
    assert (due.opens, due.on, due.article) == (date(2025, 2, 28), date(2026, 2, 28), 24)


def test_annual_report_due_is_read_in_one_place():
    assert V1.annual_report_due(2027) == date(2027, 12, 31)


def test_planned_completion_is_the_registered_schedules_end():
    due = schedule.planned_completion(date(2027, 6, 30))
    assert (due.on, due.article, due.provisional) == (date(2027, 6, 30), 19, False)


def test_annual_report_before_the_year_end():
    assert schedule.annual_report(V1, 2027) == schedule.Due(date(2027, 12, 31), 16)


@pytest.mark.parametrize(
    "signed, due",
    [
        (date(2026, 3, 2), date(2026, 4, 2)),  # one calendar month (the policy's length)
        (date(2026, 1, 31), date(2026, 2, 28)),  # clamped to the month's end
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap February
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year's end
    ],
)
def test_security_profile_is_due_a_month_from_the_first_contract(signed, due):
    """第三十条, 第三十一条: the security profile is due the policy's months (1 in shandong/v1) after
    the first contract's signing, calendar months clamped to the month's end — no working days."""
    assert schedule.security_profile(V1, signed) == schedule.Due(due, 30)
