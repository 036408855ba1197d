"""Finance's running balances (issue 19, reads that do not grow): after every kind of movement —
budgets of two years and levels, payments and a refusal, an approved change, a withholding and
its release, the surplus return, a termination's amounts to recover — the balances finance
stores equal ``domain.balances`` of all the ledger's entries (the pure rule), order included,
for the whole history and for what can leave in a year (第十一条); and finance_0013's backfill
rebuilds exactly the rows the writes kept."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from services.finance import application, domain, schemas
from services.finance.application import FinanceUseCases
from services.finance.models import LedgerBalanceRow, platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import RuleViolation, StateConflict
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import alembic_config, upgrade
from shared.persistence.store import Store
from shared.timekit import SimulatedClock

CODE, UNIT, TODAY = "SD-2026-000002", "U-370100-002", date(2026, 3, 2)
UNIT_CALLER = Identity("u1", "unit", UNIT)
FINANCE = Identity("f1", "finance")


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'finance.db'}"
    upgrade("finance", url)
    return url


@pytest.fixture
def store(url):
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="finance.test", today=lambda _session: TODAY)
    engine.dispose()


def cases(store: Store) -> FinanceUseCases:
    return FinanceUseCases(AppContext(store, SimulatedClock(lambda: TODAY)))


def learn(store: Store, effect: Any, event_type: str, payload: dict[str, Any], articles: list[int]) -> None:
    store.handle_once(
        make_event(
            event_type, payload, project_code=CODE, regulation_version="shandong/v1", articles=articles
        ),
        effect,
    )


def ordered(balances: dict) -> list:
    """The balances with their order: purposes and levels as they first moved."""
    return [(p, [(lvl, list(b.items())) for lvl, b in levels.items()]) for p, levels in balances.items()]


def assert_stored_balances_are_the_ledgers_sums(store: Store) -> None:
    with store.read() as session:
        entries = application._as_entries(application._entries(session, CODE))
        assert ordered(application._balances(session, CODE)) == ordered(domain.balances(entries))
        for year in (2025, 2026, 2027):
            assert ordered(application._balances(session, CODE, spendable_in=year)) == ordered(
                domain.balances(domain.spendable(entries, year))
            )
    yuan = {
        p: {lvl: {k: domain.to_yuan(v) for k, v in b.items()} for lvl, b in levels.items()}
        for p, levels in domain.balances(entries).items()
    }
    assert cases(store).funds(FINANCE, code=CODE)["by_purpose"] == yuan


def budget(store: Store, year: int, data: dict) -> None:
    cases(store).record_budget(
        FINANCE, code=CODE, data=schemas.load(schemas.BudgetReview, {"year": year, **data})
    )


def contract(store: Store, no: str, purpose: str, amount: str) -> None:
    cases(store).file_contract(
        UNIT_CALLER,
        code=CODE,
        data=schemas.wire(
            schemas.Contract,
            {
                "contract_no": no,
                "supplier": "浪潮软件",
                "purpose": purpose,
                "amount": amount,
                "signed_on": TODAY.isoformat(),
                "text_sha256": hashlib.sha256(no.encode()).hexdigest(),
            },
        ),
    )


def pay(store: Store, purpose: str, amount: str, no: str, level: str | None = None) -> str:
    data = {"purpose": purpose, "amount": amount, "contract_no": no}
    if level:
        data["level"] = level
    return cases(store).request_disbursement(
        UNIT_CALLER, code=CODE, data=schemas.load(schemas.Disbursement, data)
    )["status"]


def sanction(store: Store, effect: Any, event_type: str, sid: str, kind: str) -> None:
    day = {"sanction_imposed": "imposed_on", "sanction_lifted": "lifted_on"}[event_type]
    extra = {"finding": "F-1"} if event_type == "sanction_imposed" else {}
    learn(
        store,
        effect,
        event_type,
        {"sanction_id": sid, "type": kind, "reason": "r", day: TODAY, **extra},
        [34],
    )


def approved_project(store: Store) -> None:
    learn(
        store,
        application.project_registered,
        "project_registered",
        {
            "unit": UNIT,
            "co_builders": [],
            "kind": "construction",
            "level": "province",
            "classified": False,
            "registered_on": TODAY,
        },
        [7],
    )
    learn(
        store,
        application.project_approved,
        "project_approved",
        {
            "case_id": "RC-2",
            "unit": UNIT,
            "approved_amount": Decimal("500000.00"),
            "approved_on": TODAY,
            "fixed_asset_investment": False,
            "classified": False,
        },
        [9],
    )
    learn(
        store,
        application.sharing_status_recorded,
        "sharing_status_recorded",
        {"connected": True, "sharing_compliant": True, "checked_on": TODAY},
        [29],
    )


def test_the_stored_balances_are_the_sums_of_the_ledger_after_every_kind_of_movement(store, url):
    approved_project(store)
    budget(
        store,
        2026,
        {"construction": {"total": "400000.00", "by_level": {"city": "150000.00", "province": "250000.00"}}},
    )
    budget(store, 2027, {"construction": {"total": "50000.00", "by_level": {"province": "50000.00"}}})
    assert_stored_balances_are_the_ledgers_sums(store)
    contract(store, "HT-C", "construction", "450000.00")
    contract(store, "HT-O", "om", "30000.00")
    assert pay(store, "construction", "100000.00", "HT-C", "city") == "paid"
    assert pay(store, "construction", "200000.00", "HT-C", "province") == "paid"
    assert pay(store, "construction", "60000.00", "HT-C", "province") == "refused"  # 2027's is not yet money
    assert_stored_balances_are_the_ledgers_sums(store)
    learn(
        store,
        application.change_decided,
        "change_decided",
        {
            "request_id": "CR-1",
            "decision": "approve",
            "changes": {},
            "approved_amount": Decimal("520000.00"),
            "comments": "",
            "decided_on": TODAY,
        },
        [18],
    )
    sanction(store, application.sanction_imposed, "sanction_imposed", "SN-1", "withhold_funds")
    assert_stored_balances_are_the_ledgers_sums(store)
    assert pay(store, "construction", "1.00", "HT-C", "city") == "refused"
    sanction(store, application.sanction_lifted, "sanction_lifted", "SN-1", "withhold_funds")
    assert_stored_balances_are_the_ledgers_sums(store)
    learn(
        store,
        application.construction_completed,
        "construction_completed",
        {"completed_on": TODAY, "acceptance_due": date(2026, 6, 2)},
        [23],
    )
    learn(
        store,
        application.acceptance_decided,
        "acceptance_decided",
        {"passed": True, "decided_on": TODAY, "report_document": "YS-1"},
        [23],
    )
    # O&M money after the acceptance (第二十三条), by year
    budget(store, 2026, {"om": {"total": "30000.00", "by_level": {"county": "30000.00"}}})
    assert pay(store, "om", "10000.00", "HT-O") == "paid"
    cases(store).return_surplus(UNIT_CALLER, code=CODE)
    sanction(store, application.sanction_imposed, "sanction_imposed", "SN-2", "terminate")
    assert_stored_balances_are_the_ledgers_sums(store)

    funds = cases(store).funds(FINANCE, code=CODE)
    assert list(funds["by_purpose"]["construction"]) == ["province", "city"]  # as they first moved
    assert funds["by_purpose"]["construction"]["province"]["approved"] == "320000.00"  # + the change
    assert funds["by_purpose"]["construction"]["province"]["to_recover"] == "200000.00"
    with store.read() as session:
        kept = _rows(session)
    # finance_0013's backfill, run again over this ledger, rebuilds exactly the rows kept
    command.downgrade(alembic_config("finance", url), "finance_0012")
    upgrade("finance", url)
    with store.read() as session:
        assert _rows(session) == kept


def _rows(session) -> list[tuple]:
    return [
        (
            r.purpose,
            r.level,
            r.year,
            *(getattr(r, f) for f in domain.BALANCE_FIELDS),
            r.budget_recorded,
            r.first_entry_id,
        )
        for r in session.scalars(select(LedgerBalanceRow).order_by(LedgerBalanceRow.first_entry_id))
    ]


def test_a_second_budget_of_a_year_is_refused_from_the_balances_and_moves_nothing(store):
    """第十一条: one budget review a year per purpose — known from the year's running balance."""
    approved_project(store)
    budget(store, 2026, {"construction": {"total": "100.00", "by_level": {"province": "100.00"}}})
    with pytest.raises((RuleViolation, StateConflict)) as err:
        budget(store, 2026, {"construction": {"total": "1.00", "by_level": {"city": "1.00"}}})
    assert "第十一条" in err.value.as_dict()["articles"]
    assert_stored_balances_are_the_ledgers_sums(store)
    with store.read() as session:
        assert [r[:4] for r in _rows(session)] == [("construction", "province", 2026, 10_000)]


def test_moved_folded_over_entries_is_balances():
    """The rule the writes apply, one entry at a time, is the rule of the sums."""
    entries = [
        domain.Entry("construction", "province", kind, fen, "r")
        for kind, fen in [
            ("budget", 1000),
            ("payment", 300),
            ("withholding", 700),
            ("release", 700),
            ("budget_change", -100),
            ("surplus_return", 600),
            ("recovery_due", 300),
        ]
    ]
    figures = dict.fromkeys(domain.BALANCE_FIELDS, 0)
    for e in entries:
        domain.moved(figures, e.kind, e.fen)
    assert domain.balances(entries) == {"construction": {"province": figures}}
    assert figures == {
        "approved": 900,
        "disbursed": 300,
        "withheld": 0,
        "returned": 600,
        "available": 0,
        "to_recover": 300,
    }
    halves = [("construction", "province", domain.balances(entries[:3])["construction"]["province"])]
    halves.append(("construction", "province", domain.balances(entries[3:])["construction"]["province"]))
    assert domain.combined(halves) == domain.balances(entries)
