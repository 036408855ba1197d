"""What a withholding holds, what a termination books to recover, what a surplus return moves:
pure rules of services/finance/domain.py returning ledger entries (第十七条, 第三十四条),
tested at their boundaries. The application only writes what they return."""

from __future__ import annotations

from datetime import date

import pytest

from services.finance import domain
from services.finance.domain import Entry, FundingFile
from shared.errors import StateConflict


def ledger(*entries: tuple[str, str, str, int]) -> domain.Balances:
    return domain.balances([Entry(p, level, kind, fen, "r") for p, level, kind, fen in entries])


BUDGET = [
    ("construction", "province", "budget", 10_000),
    ("construction", "city", "budget", 500),
    ("om", "province", "budget", 3_000),
]


def test_a_withholding_holds_each_levels_available_construction_money_and_no_om():
    """第三十四条 暂缓拨付建设资金: what could otherwise leave, per level; O&M is not held."""
    held = domain.withholding(ledger(*BUDGET, ("construction", "province", "payment", 4_000)), "S1")
    assert held == [
        Entry("construction", "province", "withholding", 6_000, "sanction:S1"),
        Entry("construction", "city", "withholding", 500, "sanction:S1"),
    ]


def test_a_withholding_books_nothing_where_nothing_is_available():
    spent = ledger(
        ("construction", "province", "budget", 1_000),
        ("construction", "province", "payment", 1_000),  # exactly spent: 0 left
        ("construction", "city", "budget", 1),
    )  # one fen: held
    assert domain.withholding(spent, "S1") == [Entry("construction", "city", "withholding", 1, "sanction:S1")]
    assert domain.withholding({}, "S1") == []


def test_a_second_withholding_holds_only_what_the_first_left():
    first = domain.withholding(ledger(*BUDGET), "S1")
    after = domain.balances([Entry(p, lv, k, f, "r") for p, lv, k, f in BUDGET] + first)
    assert domain.withholding(after, "S2") == []


def test_lifting_releases_exactly_what_that_sanction_withheld():
    held = [
        Entry("construction", "province", "withholding", 6_000, "sanction:S1"),
        Entry("construction", "city", "withholding", 500, "sanction:S2"),
    ]
    assert domain.release(held, "S1") == [Entry("construction", "province", "release", 6_000, "sanction:S1")]
    assert domain.release(held, "S3") == []
    releases = domain.release(held, "S1") + domain.release(held, "S2")
    assert domain.balances(held + releases)["construction"]["province"]["withheld"] == 0


def test_termination_books_every_disbursed_amount_to_recover_and_moves_nothing():
    """第三十四条 直至终止项目: the disbursed money of each purpose and level is to be recovered."""
    paid = ledger(*BUDGET, ("construction", "province", "payment", 4_000), ("om", "province", "payment", 1))
    due = domain.recovery_on_termination(paid, "S9")
    assert due == [
        Entry("construction", "province", "recovery_due", 4_000, "sanction:S9"),
        Entry("om", "province", "recovery_due", 1, "sanction:S9"),
    ]
    after = domain.balances(
        [Entry(p, lv, k, f, "r") for p, lv, k, f in BUDGET]
        + [
            Entry("construction", "province", "payment", 4_000, "r"),
            Entry("om", "province", "payment", 1, "r"),
        ]
        + due
    )
    assert after["construction"]["province"]["available"] == 6_000  # a record, not a move
    assert after["construction"]["province"]["to_recover"] == 4_000
    assert domain.recovery_on_termination(ledger(*BUDGET), "S9") == []  # nothing paid


def completed(**changes: object) -> FundingFile:
    return FundingFile(
        **{"project_code": "SD-2026-000001", "approved": True, "construction_completed": True, **changes}
    )


def test_the_surplus_return_moves_the_available_construction_money_only():
    """第十七条 结余资金按原渠道退回: construction money back per level; O&M stays."""
    moved = domain.surplus_return(
        completed(), ledger(*BUDGET, ("construction", "province", "payment", 9_999)), date(2027, 3, 1)
    )
    assert moved == [
        Entry("construction", "province", "surplus_return", 1, "surplus:2027-03-01"),
        Entry("construction", "city", "surplus_return", 500, "surplus:2027-03-01"),
    ]


def test_nothing_to_return_is_refused():
    spent = ledger(
        ("construction", "province", "budget", 100),
        ("construction", "province", "payment", 100),
        ("om", "province", "budget", 5),
    )
    with pytest.raises(StateConflict) as err:
        domain.surplus_return(completed(), spent, date(2027, 3, 1))
    assert err.value.as_dict()["articles"] == ["第十七条"]


@pytest.mark.parametrize(
    "file",
    [
        completed(construction_completed=False),  # still building
        completed(kind="om"),  # an O&M project's money stays
    ],
)
def test_no_surplus_return_before_completion_nor_for_om_money(file):
    with pytest.raises(StateConflict):
        domain.surplus_return(file, ledger(*BUDGET), date(2027, 3, 1))


def test_a_terminated_project_returns_its_surplus_before_completion():
    assert (
        domain.surplus_return(
            completed(construction_completed=False, terminated=True), ledger(*BUDGET), date(2027, 3, 1)
        )[0].fen
        == 10_000
    )
