"""Finance's use cases without a broker: services/finance/application.py run against a Store on a
temporary SQLite file, the events it learns from made as the other services publish them, the
commands' data loaded with the entrypoint's own schemas. The broker, PostgreSQL and concurrency
stay in tests/integration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from services.finance import application, domain, schemas
from services.finance.application import FinanceUseCases
from services.finance.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import RuleViolation, StateConflict
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit import SimulatedClock

CODE, UNIT, TODAY = "SD-2026-000001", "U-370100-001", date(2026, 3, 2)
UNIT_CALLER = Identity("u1", "unit", UNIT)
FINANCE = Identity("f1", "finance")
SHA = "a" * 64


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'finance.db'}"
    upgrade("finance", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="finance.test", today=lambda _session: TODAY)
    engine.dispose()


CLOCK = SimulatedClock(lambda: TODAY)


def cases(store: Store) -> FinanceUseCases:
    """Finance's use cases over the store and the test's clock (shared.context)."""
    return FinanceUseCases(AppContext(store, CLOCK))


def learn(store: Store, effect: Any, event_type: str, payload: dict[str, Any], articles: list[int]) -> None:
    store.handle_once(
        make_event(
            event_type, payload, project_code=CODE, regulation_version="shandong/v1", articles=articles
        ),
        effect,
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
            "case_id": "RC-1",
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


def budget_and_contract(store: Store) -> None:
    cases(store).record_budget(
        FINANCE,
        code=CODE,
        data=schemas.load(
            schemas.BudgetReview,
            {"construction": {"total": "450000.00", "by_level": {"province": "450000.00"}}},
        ),
    )
    cases(store).file_contract(
        UNIT_CALLER,
        code=CODE,
        data=schemas.wire(
            schemas.Contract,
            {
                "contract_no": "HT-1",
                "supplier": "浪潮软件",
                "amount": "400000.00",
                "signed_on": TODAY.isoformat(),
                "text_sha256": SHA,
            },
        ),
    )


def pay(store: Store, amount: str) -> dict[str, Any]:
    return cases(store).request_disbursement(
        UNIT_CALLER,
        code=CODE,
        data=schemas.load(
            schemas.Disbursement, {"purpose": "construction", "amount": amount, "contract_no": "HT-1"}
        ),
    )


def construction(store: Store) -> dict[str, str]:
    return cases(store).funds(FINANCE, code=CODE)["by_purpose"]["construction"]["province"]


def outbox_types(store: Store) -> list[str]:
    with store.read() as session:
        return [r.routing_key for r in session.execute(select(platform.outbox)).all()]


def test_budget_contract_payment_write_the_ledger_and_emit_in_one_commit(store):
    approved_project(store)
    budget_and_contract(store)
    assert pay(store, "100000.00")["status"] == "paid"
    assert construction(store)["available"] == "350000.00"
    assert outbox_types(store) == ["budget_recorded", "contract_filed", "disbursement_decided"]


def test_a_refused_contract_changes_nothing(store):
    """第十三条: a contract is filed once signed; a refusal writes no row and emits nothing."""
    approved_project(store)
    with pytest.raises((RuleViolation, StateConflict)) as err:
        cases(store).file_contract(
            UNIT_CALLER,
            code=CODE,
            data=schemas.wire(
                schemas.Contract,
                {
                    "contract_no": "HT-1",
                    "supplier": "s",
                    "amount": "1.00",
                    "signed_on": "2026-03-03",
                    "text_sha256": SHA,
                },
            ),
        )  # signed tomorrow
    assert "第十三条" in err.value.as_dict()["articles"]
    assert outbox_types(store) == [] and cases(store).contracts(FINANCE, code=CODE) == []


def test_a_contract_number_is_filed_once_per_project(store):
    """第十三条: the same contract filed again is a conflict; the first stays the one on file."""
    approved_project(store)
    budget_and_contract(store)
    again = {"contract_no": "HT-1", "supplier": "s", "amount": "1.00", "signed_on": TODAY.isoformat()}
    with pytest.raises(StateConflict) as err:
        cases(store).file_contract(
            UNIT_CALLER, code=CODE, data=schemas.wire(schemas.Contract, {**again, "text_sha256": "b" * 64})
        )
    assert "HT-1" in str(err.value) and "第十三条" in err.value.as_dict()["articles"]
    assert [c["contract_no"] for c in cases(store).contracts(FINANCE, code=CODE)] == ["HT-1"]


def test_a_withholding_holds_the_available_money_until_lifted_then_releases_exactly_it(store):
    """第三十四条 暂缓拨付建设资金, through the application: held, a payment refused, released."""
    approved_project(store)
    budget_and_contract(store)
    pay(store, "100000.00")
    learn(
        store,
        application.sanction_imposed,
        "sanction_imposed",
        {
            "sanction_id": "SN-1",
            "type": "withhold_funds",
            "finding": "F-1",
            "reason": "ignored",
            "imposed_on": TODAY,
        },
        [34],
    )
    held = construction(store)
    assert (held["withheld"], held["available"]) == ("350000.00", "0.00")
    refused = pay(store, "1.00")
    assert refused["status"] != "paid"
    learn(
        store,
        application.sanction_lifted,
        "sanction_lifted",
        {"sanction_id": "SN-1", "type": "withhold_funds", "reason": "rectified", "lifted_on": TODAY},
        [34],
    )
    assert construction(store)["available"] == "350000.00"
    assert construction(store)["withheld"] == "0.00"


def test_termination_books_the_disbursed_money_to_recover(store):
    approved_project(store)
    budget_and_contract(store)
    pay(store, "100000.00")
    learn(
        store,
        application.sanction_imposed,
        "sanction_imposed",
        {
            "sanction_id": "SN-9",
            "type": "terminate",
            "finding": "F-1",
            "reason": "failed",
            "imposed_on": TODAY,
        },
        [34],
    )
    with store.read() as session:
        kinds = [(e.kind, e.fen) for e in application._entries(session, CODE)]
    assert ("recovery_due", 10_000_000) in kinds


def test_the_surplus_returns_after_completion_and_only_once(store):
    """第十七条: the unspent construction money goes back; a second return has nothing left."""
    approved_project(store)
    budget_and_contract(store)
    pay(store, "100000.00")
    with pytest.raises(StateConflict):
        cases(store).return_surplus(UNIT_CALLER, code=CODE)  # still building
    learn(
        store,
        application.construction_completed,
        "construction_completed",
        {"completed_on": TODAY, "acceptance_due": date(2026, 6, 2)},
        [23],
    )
    cases(store).return_surplus(UNIT_CALLER, code=CODE)
    assert construction(store)["available"] == "0.00"
    with pytest.raises(StateConflict) as err:
        cases(store).return_surplus(UNIT_CALLER, code=CODE)
    assert err.value.as_dict()["articles"] == ["第十七条"]


def drc_approves_at(store: Store, amount: str) -> None:
    """The DRC took the approved project up (第四条) and approved it at ``amount``; approval
    tells the approved amount (the lower) with its decision."""
    learn(
        store,
        application.fixed_asset_designated,
        "fixed_asset_designated",
        {
            "case_id": "RC-1",
            "designated_on": TODAY,
            "comments": "涉及机房土建",
            "approved": True,
            "drc_decision": None,
        },
        [4],
    )
    learn(
        store,
        application.drc_decided,
        "drc_decision_recorded",
        {
            "case_id": "RC-1",
            "decision": "approve",
            "approved_investment": Decimal(amount),
            "document_no": "鲁发改投资〔2026〕9号",
            "decided_on": TODAY,
            "approved_amount": Decimal(amount),
        },
        [4],
    )


def test_the_drcs_lower_approval_caps_budget_and_payments_after_a_take_up(store):
    """Approved at 500000 by the office, budgeted 450000, then taken up and approved by the DRC
    at 300000: finance's approved amount is the DRC's, payments stop at it and no further
    construction budget is recorded (第四条, 第十七条); each refusal changes nothing."""
    approved_project(store)
    budget_and_contract(store)
    drc_approves_at(store, "300000.00")
    assert cases(store).funds(FINANCE, code=CODE)["approved_amount"] == "300000.00"
    assert pay(store, "200000.00")["status"] == "paid"
    over = pay(store, "100000.01")
    assert over["status"] == "refused"
    [gate] = over["failed_gates"]
    assert gate["gate"] == "within_drc_approval" and gate["articles"] == ["第四条", "第十七条"]
    assert construction(store)["disbursed"] == "200000.00"
    assert pay(store, "100000.00")["status"] == "paid"
    with pytest.raises(RuleViolation) as err:
        cases(store).record_budget(
            FINANCE,
            code=CODE,
            data=schemas.load(
                schemas.BudgetReview,
                {"year": 2027, "construction": {"total": "0.01", "by_level": {"province": "0.01"}}},
            ),
        )
    assert err.value.as_dict()["articles"] == ["第四条", "第十一条", "第十七条"]
    assert construction(store)["approved"] == "450000.00"  # nothing recorded


def test_the_drcs_approval_overtaking_the_offices_keeps_the_lower_amount(store):
    """The two travel on separate queues: heard in either order, the approved amount is the
    DRC's lower figure."""
    drc_approves_at(store, "300000.00")
    approved_project(store)
    assert cases(store).funds(FINANCE, code=CODE)["approved_amount"] == "300000.00"


def secrecy(store: Store, effect: Any, event_type: str, payload: dict[str, Any]) -> None:
    learn(store, effect, event_type, payload, [4])


def failed_gates(result: dict[str, Any]) -> list[str]:
    return [g["gate"] for g in result["failed_gates"]]


def test_a_project_declared_classified_after_approval_is_paid_only_once_the_bureau_confirms(store):
    """第四条 (省国家保密局负责涉密项目有关事宜的审查确认): the bureau's declaration after approval
    re-opens the gate — payments refused while its review is pending, paid again once confirmed."""
    approved_project(store)
    budget_and_contract(store)
    assert pay(store, "1.00")["status"] == "paid"
    secrecy(store, application.project_classified, "project_classified", {"declared_on": TODAY})
    pending = pay(store, "1.00")
    assert pending["status"] == "refused" and failed_gates(pending) == ["secrecy_review"]
    [gate] = pending["failed_gates"]
    assert "第四条" in gate["articles"] and "尚未完成" in gate["message_zh"]
    assert construction(store)["disbursed"] == "1.00"  # the refusal paid nothing
    secrecy(
        store,
        application.secrecy_review_decided,
        "secrecy_review_decided",
        {"decision": "confirm", "decided_on": TODAY},
    )
    assert pay(store, "1.00")["status"] == "paid"


def test_a_refused_classified_project_stays_unpaid_and_a_review_may_overtake_the_declaration(store):
    """第四条: the bureau refused — no money, whatever arrives later; its review heard before its
    declaration (separate queues) still makes the project classified."""
    approved_project(store)
    budget_and_contract(store)
    secrecy(
        store,
        application.secrecy_review_decided,
        "secrecy_review_decided",
        {"decision": "refuse", "decided_on": TODAY},
    )
    secrecy(store, application.project_classified, "project_classified", {"declared_on": TODAY})
    refused = pay(store, "1.00")
    assert (
        failed_gates(refused) == ["secrecy_review"] and "未通过" in refused["failed_gates"][0]["message_zh"]
    )
    assert construction(store)["disbursed"] == "0.00"


@pytest.mark.parametrize(
    ("classified", "decision", "gated"),
    [(False, None, False), (True, None, True), (True, "refuse", True), (True, "confirm", False)],
)
def test_the_secrecy_gate_binds_a_classified_project_until_confirmed(classified, decision, gated):
    """第四条, at the gate's boundary: only a classified project the bureau has not confirmed."""
    file = domain.FundingFile(
        CODE, favourable_opinion=True, approved=True, classified=classified, secrecy_decision=decision
    )
    gates = [
        g.gate
        for g in domain.failing_gates(file, "construction", 1, 1, domain.ContractOnFile("construction", 1, 0))
    ]
    assert ("secrecy_review" in gates) is gated
