"""When each deadline of docs/regulation.md §11 falls, from the fact that starts it and the policy the
project is pinned to. Pure: the deadline engine (deadlines.py) is the only caller.

| deadline               | article  | from                    | length (policy parameter)          |
| contract filing        | 第十三条 | contract signed         | contract_filing.working_days        |
| annual report          | 第十六条 | each year in construction | annual_report.due_month_day       |
| acceptance application | 第二十三条 | construction finished  | the due date on the event (*)       |
| self-evaluation window | 第二十四条 | accepted and in use    | the window on project_went_live     |
| rectification          | 第十九条/第三十四条 | order issued   | set by the order                    |
| planned completion     | 第十九条 | project approved        | the registered schedule's end (**)  |
| security profile       | 第三十条/第三十一条 | first contract signed | security_profile.months (***) |

(*) acceptance computes it (acceptance_application.months) and grants extensions, so its events
carry the due date in force; the engine keeps the ledger of every move.
(**) the project's own schedule, moved only by an approved change (第十八条); past it without
completion is a serious delay the unit must report (第十九条).
(***) the text sets no length (policy data says why); met by the security profile, never a
funding gate — a missing one is a finding at the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.policy import Policy
from shared.timekit import WorkingCalendar, add_months


@dataclass(frozen=True)
class Due:
    on: date
    article: int
    provisional: bool = False  # crosses a year whose official schedule is not yet published
    opens: date | None = None  # a window's first day


def contract_filing(calendar: WorkingCalendar, policy: Policy, signed_on: date) -> Due:
    """第十三条: within N working days of signing, on the official calendar (调休 included)."""
    days = policy.param("contract_filing", "working_days")
    due, provisional = calendar.add_working_days(signed_on, days)
    return Due(due, policy.param("contract_filing", "article"), provisional)


def annual_report(policy: Policy, year: int) -> Due:
    """第十六条: each year in construction is reported before the year's end."""
    return Due(policy.annual_report_due(year), policy.param("annual_report", "article"))


def self_evaluation(policy: Policy, opens: date, closes: date) -> Due:
    """第二十四条: the self-evaluation falls in a window 12–24 months after the project was
    accepted and went live. Acceptance owns that window (it knows both dates) and sends it on
    ``project_went_live``; the deadline is taken from the event, never recomputed here."""
    return Due(closes, policy.param("self_evaluation_window", "article"), opens=opens)


def planned_completion(schedule_end: date) -> Due:
    """第十九条: construction finishes by the end of the registered schedule; a project past it
    unfinished is seriously delayed (工程严重逾期), which the unit reports to the approving
    body."""
    return Due(schedule_end, 19)


def acceptance_application(policy: Policy, acceptance_due: date) -> Due:
    """第二十三条: apply for acceptance within 3 months of finishing construction. Acceptance
    owns that date (it runs the clock and its extensions) and sends it on
    ``construction_completed``; the deadline is taken from the event, never recomputed here."""
    return Due(acceptance_due, policy.param("acceptance_application", "article"))


def security_profile(policy: Policy, first_signed_on: date) -> Due:
    """第三十条, 第三十一条: the security profile (graded or classified protection, and the
    cryptography plan, 同步规划) is filed within the policy's months of the first contract's
    signing — construction has begun; the length is policy, the text sets none."""
    return Due(
        add_months(first_signed_on, policy.param("security_profile", "months")),
        policy.param("security_profile", "article"),
    )
