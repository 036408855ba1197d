"""The helpers that replaced field-by-field copies repeated between services (issue 20):
``shared.wire.view`` (a read's view of a row) and ``shared.persistence.rows`` (domain
dataclasses to and from mapped rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace

from services.approval.incidents import Incident
from services.approval.models import IncidentRow
from shared.persistence.rows import dataclass_of, row_of
from shared.wire import view


def test_a_view_keeps_the_named_order_in_iso_form_with_given_values_in_place():
    row = SimpleNamespace(
        id="C-1", project_code="P-1", filed_on=date(2026, 3, 2), at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    )
    row.closed_on = None
    shown = view(row, "id", "project", "filed_on", "at", "closed_on", project=row.project_code, extra=1)
    assert list(shown.items()) == [
        ("id", "C-1"),
        ("project", "P-1"),
        ("filed_on", "2026-03-02"),
        ("at", "2026-03-02T09:30:00+00:00"),
        ("closed_on", None),
        ("extra", 1),
    ]


def test_a_given_value_is_shown_as_given():
    row = SimpleNamespace(on=date(2026, 1, 5))
    assert view(row, "on", on=row.on) == {"on": row.on}


def test_a_dataclass_and_its_row_copy_each_other_by_name():
    incident = Incident(
        id="I-1",
        project_code="P-1",
        kind="delay",
        description="late",
        reported_by="u@unit",
        reported_on=date(2026, 2, 3),
        decision={"action": "continue"},
    )
    row = row_of(IncidentRow, incident)
    assert isinstance(row, IncidentRow) and row.kind == "delay" and row.reported_on == date(2026, 2, 3)
    back = dataclass_of(Incident, row, decision=dict(row.decision))
    assert back == incident and back.decision is not incident.decision


def test_a_row_takes_only_the_columns_it_has():
    @dataclass
    class Wider:
        id: str
        project_code: str
        kind: str
        description: str
        reported_by: str
        reported_on: date
        status: str = "open"
        decision: dict = field(default_factory=dict)
        not_a_column: str = "left out"

    row = row_of(IncidentRow, Wider("I-2", "P-1", "loss", "d", "u", date(2026, 2, 3)))
    assert row.id == "I-2" and not hasattr(row, "not_a_column")
