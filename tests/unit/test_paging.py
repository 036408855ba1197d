"""Keyset pagination (issue 19, shared/paging.py): a cursor is the last key of the page before;
the pages walk the list once each row, however rows are added; a cursor the list did not give
is refused naming the field in both languages."""

from datetime import date

import pytest
from marshmallow import ValidationError
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert, select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.endpoints import ENDPOINTS
from services.gateway.pages import with_next
from services.supervision.schemas import DeadlineFilter, LedgerPage
from shared import paging
from shared.authz import Identity
from shared.context import AppContext
from shared.timekit.clock import fixed


def test_a_cursor_round_trips_and_is_opaque():
    cursor = paging.encode(["2027-01-04", "abc"])
    assert "=" not in cursor and "2027" not in cursor
    assert DeadlineFilter().load({"after": cursor})["after"] == [date(2027, 1, 4), "abc"]
    assert LedgerPage().load({"after": paging.encode([42])})["after"] == [42]


@pytest.mark.parametrize(
    "bad",
    [
        "!!",
        paging.encode([1, 2]),
        paging.encode(["x"]),
        paging.encode(["not-a-date", "a"]),
        paging.encode([True, "a"]),
        "A" * 500,
    ],
)
def test_a_cursor_the_list_did_not_give_is_refused_in_both_languages(bad):
    with pytest.raises(ValidationError) as err:
        DeadlineFilter().load({"after": bad})
    [message] = err.value.messages["after"]
    assert "Not a cursor" in message and "游标" in message


@pytest.mark.parametrize("limit", [0, 501, -1])
def test_limit_is_bounded(limit):
    with pytest.raises(ValidationError) as err:
        DeadlineFilter().load({"limit": limit})
    assert "limit" in err.value.messages


def test_pages_walk_every_row_once_while_rows_are_added():
    engine = create_engine("sqlite://")
    rows = Table(
        "rows",
        MetaData(),
        Column("id", String, primary_key=True),
        Column("due_on", Date),
        Column("n", Integer),
    )
    rows.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(rows), [{"id": f"r{i:02d}", "due_on": date(2027, 1, 1 + i % 3), "n": i} for i in range(10)]
        )
    order = (rows.c.due_on, rows.c.id)
    seen, cursor, added = [], None, False
    while True:
        key = DeadlineFilter().load({"after": cursor})["after"] if cursor else None
        with engine.connect() as conn:
            page = [
                dict(r._mapping)
                for r in conn.execute(paging.after(select(rows).order_by(*order), order, key).limit(4))
            ]
        seen += [r["id"] for r in page]
        if not added:  # a row lands before the cursor, one after: neither shifts the pages
            with engine.begin() as conn:
                conn.execute(
                    insert(rows),
                    [
                        {"id": "a00", "due_on": date(2026, 1, 1), "n": 98},
                        {"id": "z99", "due_on": date(2028, 1, 1), "n": 99},
                    ],
                )
            added = True
        cursor = paging.next_cursor(
            [{**r, "due_on": r["due_on"].isoformat()} for r in page], 4, ("due_on", "id")
        )
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 11 and "z99" in seen and "a00" not in seen


def endpoint(path):
    return next(e for e in ENDPOINTS if e.method == "GET" and e.path == path)


def request(url):
    return Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2]).get_environ())


def test_the_gateway_gives_the_next_cursor_of_a_full_page_only():
    deadlines = endpoint("/deadlines")
    items = [{"id": "d1", "due_on": "2027-01-04"}, {"id": "d2", "due_on": "2027-01-05"}]
    body, headers = with_next(
        deadlines, request("/api/v1/deadlines?limit=2&offset=0&project=P"), 200, items, {}
    )
    assert body == items and paging.decode(headers["X-Next-Cursor"], 2) == ["2027-01-05", "d2"]
    assert headers["Link"] == (
        f'</api/v1/deadlines?limit=2&project=P&after={headers["X-Next-Cursor"]}>; rel="next"'
    )
    assert with_next(deadlines, request("/api/v1/deadlines?limit=3"), 200, items, {}) == (items, {})
    timeline = endpoint("/projects/<code>/timeline")
    events = {"code": "P", "events": [{"seq": 7}, {"seq": 9}]}
    body, _ = with_next(timeline, request("/api/v1/projects/P/timeline?limit=2"), 200, events, {})
    assert paging.decode(body["next"], 1) == [9]
    body, _ = with_next(timeline, request("/api/v1/projects/P/timeline"), 200, events, {})
    assert body["next"] is None  # the default page (500) is not full


# -- the lists paged in issue 19's second round: each service's own read on its migrated
# database, walked as a client would (the endpoint's query schema loads `after`, the gateway
# gives the next cursor); who may read them is tested with each service, so it is let through
CODE, OFFICE = "SD-2027-000001", Identity("o1", "office")
DAYS = [date(2027, 1, 1 + i % 3) for i in range(7)]  # ties on the day: the id breaks them


def _store(tmp_path, service, platform):
    from shared.persistence import create_engine_for
    from shared.persistence.migrations import upgrade
    from shared.persistence.store import Store

    url = f"sqlite:///{tmp_path / service}.db"
    upgrade(service, url)
    return Store(create_engine_for(url), platform)


def _seed(store, rows):
    with store.transaction() as tx:
        tx.session.add_all(rows)


def change_requests(tmp_path, monkeypatch):
    from services.planning import application, schemas
    from services.planning.models import ChangeRequestRow, platform

    store = _store(tmp_path, "planning", platform)
    _seed(
        store,
        [
            ChangeRequestRow(
                id=f"CR-{6 - i}",
                project_code=CODE,
                changes={"reason": "r"},
                reason="r",
                status="pending",
                requested_by="u",
                requested_on=day,
            )
            for i, day in enumerate(DAYS)
        ],
    )
    monkeypatch.setattr(application, "_visible", lambda *a: None)
    cases = application.PlanningUseCases(AppContext(store, fixed(date(2027, 2, 1))))
    return lambda limit, after: [
        schemas.change_view(r) for r in cases.change_requests(OFFICE, code=CODE, limit=limit, after=after)
    ]


def incidents(tmp_path, monkeypatch):
    from services.approval import application, schemas
    from services.approval.models import IncidentRow, platform

    store = _store(tmp_path, "approval", platform)
    _seed(
        store,
        [
            IncidentRow(
                id=f"IN-{6 - i}",
                project_code=CODE,
                kind="serious_delay",
                description="d",
                reported_by="u",
                reported_on=day,
                status="open",
                decision={},
            )
            for i, day in enumerate(DAYS)
        ],
    )
    cases = application.ApprovalUseCases(AppContext(store, fixed(date(2027, 2, 1))))
    return lambda limit, after: [
        schemas.incident_view(i) for i in cases.incidents(code=CODE, limit=limit, after=after)
    ]


def contracts(tmp_path, monkeypatch):
    from services.finance import application
    from services.finance.models import ContractRow, platform

    store = _store(tmp_path, "finance", platform)
    _seed(
        store,
        [
            ContractRow(
                project_code=CODE,
                contract_no=f"HT-{6 - i}",  # filed in another order than their numbers
                supplier="s",
                purpose="construction",
                amount_fen=100,
                signed_on=day,
                filed_on=day,
                products=[],
                filed_by="u",
            )
            for i, day in enumerate(DAYS)
        ],
    )
    monkeypatch.setattr(application, "_readable_file", lambda *a: None)
    cases = application.FinanceUseCases(AppContext(store, fixed(date(2027, 2, 1))))
    return lambda limit, after: cases.contracts(OFFICE, code=CODE, limit=limit, after=after)


def funds_ledger(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from services.finance import application
    from services.finance.models import FundingFileRow, MoneyLedgerEntryRow, platform

    store = _store(tmp_path, "finance", platform)
    kinds = ["budget", "payment", "withholding", "budget_change", "payment", "release", "payment"]
    _seed(
        store,
        [FundingFileRow(project_code=CODE, co_builders=[], withholding_sanctions=[], suspensions=[])]
        + [
            MoneyLedgerEntryRow(
                project_code=CODE,
                purpose="construction",
                level="provincial",
                kind=kind,
                fen=100 * (i + 1),
                ref=f"r{i}",
                year=2026 + i % 2,
                on_date=day,
                at=datetime.now(UTC),
                actor="u",
                articles=[11],
            )
            for i, (kind, day) in enumerate(zip(kinds, DAYS, strict=True))
        ],
    )
    monkeypatch.setattr(application, "_readable_file", lambda session, *a: session.get(FundingFileRow, CODE))
    cases = application.FinanceUseCases(AppContext(store, fixed(date(2027, 2, 1))))

    def read(limit, after):
        answer = cases.funds(OFFICE, code=CODE, limit=limit, after=after)
        # the annual view covers the whole ledger on every page (summed by the database)
        assert answer["by_year"] == {
            "2026": {"construction": {"approved": "1.00", "disbursed": "12.00"}},
            "2027": {"construction": {"approved": "4.00", "disbursed": "2.00"}},
        }
        return answer

    return read


def annual_reports(tmp_path, monkeypatch):
    from services.acceptance import application
    from services.acceptance.models import AnnualReportRow, platform

    store = _store(tmp_path, "acceptance", platform)
    _seed(
        store,
        [
            AnnualReportRow(
                project_code=CODE,
                year=2030 - i,
                progress="p",
                budget_execution="b",
                filed_on=day,
                on_time=True,
                filed_by="u",
            )
            for i, day in enumerate(DAYS)
        ],
    )
    monkeypatch.setattr(application, "_registered", lambda *a: None)
    cases = application.AcceptanceUseCases(AppContext(store, fixed(date(2027, 2, 1))))
    return lambda limit, after: cases.annual_reports(OFFICE, code=CODE, limit=limit, after=after)


def secrecy_inspections(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from services.security import application
    from services.security.models import SecrecyInspectionRow, platform

    store = _store(tmp_path, "security", platform)
    _seed(
        store,
        [
            SecrecyInspectionRow(
                id=f"SI-{6 - i}",
                project_code=CODE,
                inspected_on=day,
                inspected_by="s",
                scope="s",
                conclusion="compliant",
                findings=[],
                recorded_on=day,
            )
            for i, day in enumerate(DAYS)
        ],
    )
    monkeypatch.setattr(application, "_file", lambda *a, **k: SimpleNamespace(owner_unit="U"))
    cases = application.SecurityUseCases(AppContext(store, fixed(date(2027, 2, 1))))
    bureau = Identity("s1", "secrecy")
    return lambda limit, after: cases.secrecy_inspections(bureau, code=CODE, limit=limit, after=after)


def plans(tmp_path, monkeypatch):
    from services.planning import application, schemas
    from services.planning.models import AnnualPlanRow, PlanRow, platform

    store = _store(tmp_path, "planning", platform)
    _seed(
        store,
        [
            PlanRow(id=f"PL-{i}", title="t", start_year=2025, end_year=2030, items=[], status="draft")
            for i in range(7)
        ]
        + [
            AnnualPlanRow(id=f"AP-{i}", year=2027, plan_id=f"PL-{i % 4}", items=[], issued_on=DAYS[0])
            for i in range(6)
        ],
    )
    cases = application.PlanningUseCases(AppContext(store, fixed(date(2027, 2, 1))))

    def read(limit, after):
        got, annual = cases.list_plans(limit=limit, after=after)
        return {
            "plans": [schemas.plan_view(p) for p in got],
            "annual_plans": [schemas.annual_plan_view(a) for a in annual],
        }

    return read


PAGED = {
    "/projects/<code>/change-requests": (change_requests, "id"),
    "/projects/<code>/incidents": (incidents, "id"),
    "/projects/<code>/contracts": (contracts, "contract_no"),
    "/projects/<code>/funds": (funds_ledger, "id"),
    "/projects/<code>/annual-reports": (annual_reports, "year"),
    "/projects/<code>/secrecy-inspections": (secrecy_inspections, "id"),
    "/plans": (plans, "id"),
}


@pytest.mark.parametrize("path", sorted(PAGED))
def test_each_newly_paged_list_walks_by_cursor_as_its_unpaged_read(path, tmp_path, monkeypatch):
    """At least two pages, each item once, none missing, in the order of the read without
    `limit`/`after` — which still answers the whole list (as before pages) in the same shape."""
    make, ident = PAGED[path]
    read = make(tmp_path, monkeypatch)
    e = endpoint(path)
    url = "/api/v1" + path.replace("<code>", CODE)
    items_at = e.page[0]

    def listed(answer):
        return answer[items_at] if items_at else answer

    whole = read(**_load(e, {}))
    assert listed(whole) and len(listed(whole)) == 7
    body, headers = with_next(e, request(url), 200, whole, {})
    assert body.get("next") is None if items_at else headers == {}  # the default page holds it all
    seen, cursor, pages = [], None, 0
    while True:
        args = {"limit": "3", **({"after": cursor} if cursor else {})}
        answer = read(**_load(e, args))
        body, headers = with_next(
            e, request(f"{url}?{'&'.join(f'{k}={v}' for k, v in args.items())}"), 200, answer, {}
        )
        seen += listed(body)
        pages += 1
        cursor = body["next"] if items_at else headers.get("X-Next-Cursor")
        if not items_at:
            assert ("Link" in headers) == (cursor is not None)
        if cursor is None:
            break
    assert pages == 3
    assert [i[ident] for i in seen] == [i[ident] for i in listed(whole)]
    assert len({i[ident] for i in seen}) == 7
    if path == "/plans":  # each page brings the annual plans of its plans: all of them, once
        assert sorted(a["id"] for a in whole["annual_plans"]) == [f"AP-{i}" for i in range(6)]


def _load(e, args):
    """The page the owning service reads: ``args`` as the gateway validates and the service
    loads them (the endpoint's query schema is the service's own)."""
    loaded = e.query().load(args)
    return {"limit": loaded["limit"], "after": loaded.get("after")}


@pytest.mark.parametrize("path", [*sorted(PAGED), "/projects"])
def test_a_cursor_a_newly_paged_list_did_not_give_is_refused_in_both_languages(path):
    e = endpoint(path)
    with pytest.raises(ValidationError) as err:
        e.query().load({"after": paging.encode([True])})
    [message] = err.value.messages["after"]
    assert "Not a cursor" in message and "游标" in message
    with pytest.raises(ValidationError) as err:
        e.query().load({"limit": "0"})
    assert "limit" in err.value.messages
