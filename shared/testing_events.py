"""Events as a publisher sends them, for tests and benchmarks that feed a consumer directly
(the audit trail, the signature check): one place that writes a planning submission."""

from __future__ import annotations

from datetime import date

from shared.events import make_event


def submission(
    code: str,
    *,
    name: str = "全省电子证照系统",
    unit: str = "U-370100-001",
    submitted_on: date = date(2026, 1, 5),
) -> dict:
    """Planning's ``application_submitted`` of project ``code`` (a provincial construction
    project of 100,000 yuan), as the wire carries it, unsigned: sign it with
    ``shared.testing.sign_as`` (its publisher's key, or another's to forge it)."""
    return make_event(
        "application_submitted",
        {
            "name": name,
            "unit": unit,
            "kind": "construction",
            "level": "province",
            "plan_item": None,
            "budget_total": 100000,
            "fixed_asset_investment": False,
            "classified": False,
            "submission": 1,
            "submitted_on": submitted_on,
        },
        project_code=code,
        regulation_version="shandong/v1",
        articles=[7],
    ).to_wire()
