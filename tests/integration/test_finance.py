"""Finance on a real database: concurrent disbursements never overspend (PostgreSQL, real
concurrency); a sanction delivered twice withholds once, and lifting restores exactly that."""

from datetime import date
from decimal import Decimal

import eventlet
import pytest

from services.finance import application
from services.finance.application import FinanceUseCases
from services.finance.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store
from shared.timekit.clock import fixed

pytestmark = pytest.mark.integration

CODE = "SD-2026-000042"
UNIT = Identity("staff@U1", "unit", "U1")
FINANCE = Identity("budget-office", "finance")
CLOCK = fixed(date(2026, 6, 1))


def cases(store: Store) -> FinanceUseCases:
    """Finance's use cases over the store and the test's clock (shared.context)."""
    return FinanceUseCases(AppContext(store, CLOCK))


def event(kind, **payload):
    return make_event(kind, payload, project_code=CODE, regulation_version="shandong/v1", articles=[34])


def approved_project(url, construction="1000.00"):
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="finance.test")
    store.handle_once(
        event(
            "project_approved",
            case_id="RC-1",
            unit="U1",
            approved_amount=Decimal("5000"),
            approved_on=date(2026, 5, 1),
            fixed_asset_investment=False,
            classified=False,
        ),
        application.project_approved,
    )
    cases(store).record_budget(
        FINANCE,
        code=CODE,
        data={
            "construction": {"total": Decimal(construction), "by_level": {"province": Decimal(construction)}},
            "om": {"total": Decimal("0"), "by_level": {}},
        },
    )
    cases(store).file_contract(
        UNIT,
        code=CODE,
        data={
            "contract_no": "HT-1",
            "supplier": "浪潮",
            "amount": Decimal("5000.00"),
            "signed_on": date(2026, 5, 29),
            "text_sha256": "ab" * 32,
            "products": [],
        },
    )
    return engine, store


def pay(store, amount="100.00"):
    return cases(store).request_disbursement(
        UNIT,
        code=CODE,
        data={"purpose": "construction", "amount": Decimal(amount), "contract_no": "HT-1", "level": None},
    )


def test_concurrent_disbursements_never_exceed_the_budget(postgres_urls):
    engine, store = approved_project(postgres_urls["finance"])
    results = list(eventlet.GreenPool(20).imap(lambda _: pay(store)["status"], range(25)))
    assert results.count("paid") == 10 and results.count("refused") == 15
    funds = cases(store).funds(UNIT, code=CODE)
    assert funds["by_purpose"]["construction"]["province"]["disbursed"] == "1000.00"
    assert funds["by_purpose"]["construction"]["province"]["available"] == "0.00"
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite_urls", "postgres_urls"])
def test_a_sanction_delivered_twice_withholds_once_and_lifting_restores_it(request, backend):
    engine, store = approved_project(request.getfixturevalue(backend)["finance"])
    pay(store, "300.00")
    imposed = event(
        "sanction_imposed",
        sanction_id="SN-7",
        type="withhold_funds",
        finding=None,
        reason="逾期未整改",
        imposed_on=date(2026, 6, 1),
    )
    store.handle_once(imposed, application.sanction_imposed)
    store.handle_once(imposed, application.sanction_imposed)  # redelivered
    again = event(
        "sanction_imposed",
        sanction_id="SN-7",
        type="withhold_funds",
        finding=None,
        reason="逾期未整改",
        imposed_on=date(2026, 6, 1),
    )  # republished
    store.handle_once(again, application.sanction_imposed)
    funds = cases(store).funds(UNIT, code=CODE)["by_purpose"]["construction"]["province"]
    assert funds["withheld"] == "700.00" and funds["available"] == "0.00"
    refused = pay(store, "1.00")
    assert refused["status"] == "refused"
    assert "no_withholding" in [g["gate"] for g in refused["failed_gates"]]
    lifted = event(
        "sanction_lifted",
        sanction_id="SN-7",
        type="withhold_funds",
        reason="整改完成",
        lifted_on=date(2026, 6, 20),
    )
    store.handle_once(lifted, application.sanction_lifted)
    store.handle_once(
        event(
            "sanction_lifted",
            sanction_id="SN-7",
            type="withhold_funds",
            reason="整改完成",
            lifted_on=date(2026, 6, 20),
        ),
        application.sanction_lifted,
    )
    funds = cases(store).funds(UNIT, code=CODE)["by_purpose"]["construction"]["province"]
    assert funds["withheld"] == "0.00" and funds["available"] == "700.00"
    assert pay(store, "700.00")["status"] == "paid"
    engine.dispose()


def test_an_approved_change_raises_the_budget_overspend_is_otherwise_refused(sqlite_urls):
    engine, store = approved_project(sqlite_urls["finance"])
    assert pay(store, "1000.00")["status"] == "paid"
    assert pay(store, "0.01")["status"] == "refused"  # no top-up of overspend (第十七条)
    store.handle_once(
        event(
            "change_decided",
            request_id="CR-1",
            decision="approve",
            changes={"budget": {"total": "5500.00"}},
            approved_amount=Decimal("5500.00"),
            comments="",
            decided_on=date(2026, 6, 2),
        ),
        application.change_decided,
    )
    funds = cases(store).funds(UNIT, code=CODE)
    assert funds["approved_amount"] == "5500.00"
    assert funds["by_purpose"]["construction"]["province"]["available"] == "500.00"
    assert pay(store, "500.00")["status"] == "paid"
    engine.dispose()


def test_a_suspension_stops_payments_until_the_approving_body_lets_construction_resume(sqlite_urls):
    """第十九条: no money while construction is suspended; the resumption pays again — and a
    resumption overtaking its suspension is retried, never lost."""
    engine, store = approved_project(sqlite_urls["finance"])

    def incident_event(event_type, **payload):  # the payload has its own "kind"
        return make_event(
            event_type,
            {"incident_id": "IN-1", "kind": "major_loss", **payload},
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[19],
        )

    resumed = incident_event(
        "construction_resumed",
        suspended_on=date(2026, 6, 1),
        resumed_on=date(2026, 6, 11),
        days_suspended=10,
        reason="整改完成",
    )
    with pytest.raises(application.SuspensionNotKnownYet):
        store.handle_once(resumed, application.construction_resumed)
    store.handle_once(
        incident_event("construction_suspended", suspended_on=date(2026, 6, 1)),
        application.construction_suspended,
    )
    refused = pay(store)
    assert refused["status"] == "refused"
    assert "not_suspended" in [g["gate"] for g in refused["failed_gates"]]
    store.handle_once(resumed, application.construction_resumed)  # the retry
    assert pay(store)["status"] == "paid"
    assert cases(store).funds(UNIT, code=CODE)["gates"]["suspended"] is False
    engine.dispose()


def test_termination_stops_payments_records_what_to_recover_and_returns_the_surplus(sqlite_urls):
    engine, store = approved_project(sqlite_urls["finance"])
    pay(store, "400.00")
    store.handle_once(
        event(
            "sanction_imposed",
            sanction_id="SN-9",
            type="terminate",
            finding=None,
            reason="终止",
            imposed_on=date(2026, 6, 3),
        ),
        application.sanction_imposed,
    )
    refused = pay(store, "1.00")
    assert "not_suspended" in [g["gate"] for g in refused["failed_gates"]]
    returned = cases(store).return_surplus(FINANCE, code=CODE)
    province = returned["by_purpose"]["construction"]["province"]
    assert province["to_recover"] == "400.00" and province["returned"] == "600.00"
    assert province["available"] == "0.00"
    kinds = [e["kind"] for e in returned["ledger"]]
    assert kinds == ["budget", "payment", "recovery_due", "surplus_return"]
    engine.dispose()


def registered(store, unit="U1", co_builders=()):
    store.handle_once(
        make_event(
            "project_registered",
            {
                "unit": unit,
                "co_builders": list(co_builders),
                "kind": "construction",
                "level": "province",
                "classified": False,
                "registered_on": date(2026, 3, 2),
            },
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[3],
        ),
        application.project_registered,
    )


def test_a_sanction_before_approval_leaves_no_file_to_read_not_a_forbidden_one(sqlite_urls):
    """The owner and co-builders are learned at registration; before approval they, and
    finance, get 404 (no funding file yet); any other unit the one 403 it gets for a code
    that does not exist at all."""
    from shared.authz import Forbidden
    from shared.errors import NotFound

    engine = create_engine_for(sqlite_urls["finance"])
    store = Store(engine, platform, consumer="finance.test")
    registered(store, co_builders=["U2"])
    store.handle_once(
        event(
            "sanction_imposed",
            sanction_id="SN-1",
            type="criticism",
            finding="FD-1",
            reason="拒不整改",
            imposed_on=date(2026, 6, 1),
        ),
        application.sanction_imposed,
    )
    for reader in (UNIT, Identity("staff@U2", "unit", "U2"), FINANCE):
        with pytest.raises(NotFound) as err:
            cases(store).funds(reader, code=CODE)
        assert err.value.as_dict()["message_zh"]
    stranger = Identity("staff@U3", "unit", "U3")
    refusals = []
    for code in (CODE, "SD-2026-999999"):
        with pytest.raises(Forbidden) as err:
            cases(store).funds(stranger, code=code)
        refusals.append(err.value.as_dict())
    assert refusals[0]["message"].replace(CODE, "?") == refusals[1]["message"].replace("SD-2026-999999", "?")
    engine.dispose()


def test_misappropriation_of_an_unknown_project_is_404_and_emits_nothing(sqlite_urls):
    from shared.errors import NotFound
    from shared.testing import outbox_rows

    url = sqlite_urls["finance"]
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="finance.test")
    report = {"description": "挪用", "amount": None}
    with pytest.raises(NotFound) as err:
        cases(store).report_misappropriation(FINANCE, code=CODE, data=report)
    assert err.value.as_dict()["details"] == {"project": CODE}
    assert outbox_rows(url, platform, "misappropriation_reported") == []
    registered(store)
    assert cases(store).report_misappropriation(FINANCE, code=CODE, data=report)["reported"]
    assert len(outbox_rows(url, platform, "misappropriation_reported")) == 1
    engine.dispose()
