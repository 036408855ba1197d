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
