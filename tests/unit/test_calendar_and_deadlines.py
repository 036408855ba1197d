from datetime import date

import pytest

from shared.timekit import (
    WorkingCalendar,
    YearSchedule,
    add_months,
    add_working_days,
    months_window,
    official_calendar,
)


@pytest.fixture(scope="module")
def calendar():
    return official_calendar()


def test_five_working_days_across_national_day_with_adjusted_saturday(calendar):
    # 2026: 1-7 Oct off, Sat 10 Oct worked (调休). Signed Mon 28 Sep: 29, 30 Sep, 8, 9, 10 Oct.
    deadline = add_working_days(calendar, date(2026, 9, 28), 5)
    assert deadline.due == date(2026, 10, 10)
    assert not deadline.provisional
    assert deadline.is_missed(date(2026, 10, 11)) and not deadline.is_missed(date(2026, 10, 10))


def test_spring_festival_2026_and_its_adjusted_saturdays(calendar):
    # 2026 Spring Festival: 15-23 Feb off; Sat 14 Feb and Sat 28 Feb worked.
    assert calendar.is_workday(date(2026, 2, 14))
    assert not calendar.is_workday(date(2026, 2, 16))
    assert calendar.is_workday(date(2026, 2, 28))
    # Thu 12 Feb + 5: Fri 13, Sat 14 (worked), then 24, 25, 26 Feb after the holiday.
    assert add_working_days(calendar, date(2026, 2, 12), 5).due == date(2026, 2, 26)


def test_year_end_rolls_into_new_year_holiday(calendar):
    # Thu 31 Dec 2026 + 1 working day: 1 Jan 2027 is a holiday in any year.
    deadline = add_working_days(calendar, date(2026, 12, 30), 1)
    assert deadline.due == date(2026, 12, 31)


def test_unpublished_year_is_provisional_not_silently_known(calendar):
    assert not calendar.is_published(2099)
    deadline = add_working_days(calendar, date(2099, 3, 2), 5)
    assert deadline.provisional
    assert deadline.due == date(2099, 3, 9)  # by the weekend rule alone


def test_operator_loaded_year_replaces_the_guess(calendar):
    cal = official_calendar(
        [YearSchedule(2099, holidays=frozenset({date(2099, 3, 3)}), workdays=frozenset({date(2099, 3, 7)}))]
    )
    deadline = add_working_days(cal, date(2099, 3, 2), 4)
    assert not deadline.provisional
    assert deadline.due == date(2099, 3, 7)  # Tue 3rd off; Wed, Thu, Fri, then Sat 7th worked


def test_schedule_rejects_dates_of_another_year_or_both_kinds():
    with pytest.raises(ValueError):
        YearSchedule(2030, holidays=frozenset({date(2031, 1, 1)}))
    with pytest.raises(ValueError):
        YearSchedule(2030, holidays=frozenset({date(2030, 5, 1)}), workdays=frozenset({date(2030, 5, 1)}))


def test_zero_and_negative_working_days():
    cal = WorkingCalendar()
    assert add_working_days(cal, date(2030, 1, 1), 0).due == date(2030, 1, 1)
    with pytest.raises(ValueError):
        add_working_days(cal, date(2030, 1, 1), -1)


@pytest.mark.parametrize(
    "start, months, due",
    [
        (date(2026, 8, 31), 3, date(2026, 11, 30)),  # the regulation's example: clamped
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # into a leap February
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # into a common February
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),  # across the year end
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
    ],
)
def test_calendar_months_are_month_end_clamped(start, months, due):
    assert add_months(start, months) == due


def test_self_evaluation_window_edges():
    window = months_window(date(2024, 2, 29), 12, 24)
    assert window.opens == date(2025, 2, 28) and window.closes == date(2026, 2, 28)
    assert window.position(date(2025, 2, 27)) == "early"
    assert window.position(date(2025, 2, 28)) == "open"
    assert window.position(date(2026, 2, 28)) == "open"
    assert window.position(date(2026, 3, 1)) == "late"
    with pytest.raises(ValueError):
        months_window(date(2024, 1, 1), 24, 12)
