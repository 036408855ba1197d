"""Every record shows the business date it happened on (issue 18): the publisher's today — the
simulated day under a simulated clock — travels in the envelope, and every consumer records
that day beside its own recorded time, never its own today."""

import json
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from services.finance.models import DisbursementRow, MoneyLedgerEntryRow
from services.finance.views import recorded
from services.supervision import deadline_rows
from services.supervision.audit_trail import business_date
from services.supervision.models import platform
from services.supervision.schedule import Due
from shared import keys
from shared.events import load_event, make_event, signing
from shared.events.envelope import beijing_date
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store, business_day
from shared.platform import ClockProvider, Database

SIMULATED = date(2030, 3, 4)


def clock_set(**kw):
    return make_event(
        "clock_set",
        {"today": date(2030, 1, 1), "set_by": "op"},
        project_code=None,
        regulation_version=None,
        articles=[],
        **kw,
    )


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="supervision.test", today=lambda session: SIMULATED)
    engine.dispose()


def test_the_envelope_carries_the_business_date_and_its_signature_covers_it(tmp_path):
    event = clock_set(business_date=SIMULATED)
    wire = json.loads(event.to_json())
    assert wire["business_date"] == "2030-03-04"
    assert load_event(wire).business_date == SIMULATED and load_event(wire).day == SIMULATED
    signed = signing.sign(wire, keys.generate(tmp_path, "supervision"))
    ring = keys.load_key_ring(tmp_path)
    assert signing.problem(signed, ring) is None
    moved = {**signed, "business_date": "2030-03-05"}  # a day rewritten is a forgery
    assert "forged or altered" in signing.problem(moved, ring)


def test_an_envelope_from_before_business_dates_reads_its_beijing_publication_day():
    wire = json.loads(clock_set().to_json())
    del wire["business_date"]
    wire["occurred_at"] = "2026-03-01T17:30:00+00:00"  # 01:30 on 2 March in Beijing
    event = load_event(wire)
    assert event.business_date is None and event.day == date(2026, 3, 2)
    assert beijing_date(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert beijing_date(datetime(2026, 3, 1, 16, 0)) == date(2026, 3, 2)  # naive: UTC


def test_a_command_records_and_publishes_its_clock_s_day(store):
    assert business_day() is None  # outside any act
    with store.transaction() as tx:
        assert business_day() == SIMULATED
        event = tx.emit(
            "clock_set",
            {"today": date(2030, 1, 1), "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
    assert event.business_date == SIMULATED and business_day() is None
    with store.read() as session:
        body = session.execute(platform.outbox.select()).first().body
    assert json.loads(body)["business_date"] == "2030-03-04"


def test_a_handler_records_the_publisher_s_day_not_its_own_and_passes_it_on(store):
    """The consumer's clock says 2030-03-04; the event was published on 2031-05-06."""
    published_on = date(2031, 5, 6)
    incoming = load_event(json.loads(clock_set(business_date=published_on).to_json()))

    def effect(tx, event):
        line = deadline_rows.entry(event.occurred_at.isoformat(), "finance", date(2031, 6, 1), "moved", 13)
        out = tx.emit(
            "clock_set",
            {"today": date(2030, 1, 1), "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
        return line, out

    line, out = store.handle_once(incoming, effect)
    assert line["business_date"] == "2031-05-06" and line["at"] == incoming.occurred_at.isoformat()
    assert out.business_date == published_on


def test_deadline_ledger_lines_written_before_show_the_day_of_their_recorded_time():
    assert deadline_rows.shown({"at": "2026-03-01T20:00:00+00:00"})["business_date"] == "2026-03-02"
    assert deadline_rows.shown({"at": "2026-04-30"})["business_date"] == "2026-04-30"  # a scan's day
    assert deadline_rows.shown({"at": "x", "business_date": "2030-01-02"})["business_date"] == "2030-01-02"
    assert deadline_rows.shown({"at": "garbled"})["business_date"] is None


def test_a_started_deadline_s_first_line_has_the_act_s_day(store):
    with store.transaction() as tx:
        row = deadline_rows.start(
            tx,
            "SD-2030-000001",
            "contract_filing",
            "HT-1",
            Due(date(2030, 3, 11), 13),
            "2030-03-04T02:00:00+00:00",
            "finance",
            "contract HT-1 signed 2030-03-04",
        )
        assert row.ledger[0]["business_date"] == "2030-03-04"


def test_timeline_and_audit_trail_read_the_day_from_the_signed_envelope():
    assert business_date({"business_date": "2030-03-04"}, "2026-01-01T00:00:00+00:00") == "2030-03-04"
    assert business_date({}, "2026-01-01T16:00:00+00:00") == "2026-01-02"


def test_finance_rows_show_their_business_date_beside_the_recorded_time():
    at = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    entry = MoneyLedgerEntryRow(on_date=date(2030, 3, 1), business_date=SIMULATED, at=at)
    assert recorded(entry) == {"business_date": "2030-03-04", "recorded_at": "2026-11-30T03:00:00+00:00"}
    older = MoneyLedgerEntryRow(on_date=date(2030, 3, 1), business_date=None, at=at)
    assert recorded(older)["business_date"] == "2030-03-01"
    request = DisbursementRow(requested_on=date(2030, 2, 2), business_date=None, at=at)
    assert recorded(request)["business_date"] == "2030-02-02"


def test_a_simulated_clock_gives_the_transaction_the_day_an_operator_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    db = Database(platform)
    provider = ClockProvider()
    provider.container = SimpleNamespace(dependencies=[db], config={})
    provider.mode = "simulated"
    store = Store(engine, platform, today=provider.today_in)
    with store.transaction() as tx:
        unset = tx.business_date
    assert unset == beijing_date(datetime.now(UTC))  # no day set yet: the real one runs
    with engine.begin() as conn:
        conn.execute(
            insert(platform.simulated_clock).values(
                id=1, today=SIMULATED, set_by="op", set_at=datetime.now(UTC)
            )
        )
    with store.transaction() as tx:
        assert tx.business_date == SIMULATED
    provider.mode = "real"
    with store.transaction() as tx:
        assert tx.business_date == beijing_date(datetime.now(UTC))
    engine.dispose()


def test_the_cli_shows_each_deadline_s_ledger_with_its_business_date(capsys):
    from shared.cli_api import show

    show(
        [
            {
                "id": "contract_filing:SD-2030-000001:HT-1",
                "kind": "contract_filing",
                "due_on": "2030-03-11",
                "ledger": [
                    {
                        "at": "2026-11-30T02:00:00+00:00",
                        "business_date": "2030-03-04",
                        "by": "finance",
                        "why": "contract HT-1 signed 2030-03-04",
                    }
                ],
            }
        ]
    )
    out = capsys.readouterr().out
    assert "contract_filing:SD-2030-000001:HT-1 · ledger" in out
    assert "business_date" in out and "2030-03-04" in out
    assert "2026-11-30 10:00:00" in out  # recorded, in Beijing time
