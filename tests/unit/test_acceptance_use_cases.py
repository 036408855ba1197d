"""Acceptance's use cases without a broker (issue 20): AcceptanceUseCases over an application
context — a Store on a temporary SQLite file and a fixed clock. The unit declares completion and
the 3-month acceptance deadline starts from it (第二十三条); applying with an empty archive is
refused, nothing changed; the file reads back with its deadline ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.acceptance import application
from services.acceptance.application import AcceptanceUseCases
from services.acceptance.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import GovprojError
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit.clock import fixed

CODE, UNIT, TODAY = "SD-2026-000001", "U-370100-001", date(2026, 3, 2)
OWNER = Identity("u1", "unit", UNIT)


@pytest.fixture
def cases(tmp_path):
    url = f"sqlite:///{tmp_path / 'acceptance.db'}"
    upgrade("acceptance", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="acceptance.test", today=lambda _session: TODAY)
    for kind, payload, effect in (
        (
            "project_registered",
            {
                "unit": UNIT,
                "co_builders": [],
                "kind": "construction",
                "level": "province",
                "classified": False,
                "registered_on": TODAY,
            },
            application.project_registered,
        ),
        (
            "project_approved",
            {
                "case_id": "RC-1",
                "unit": UNIT,
                "approved_amount": Decimal("500000.00"),
                "approved_on": TODAY,
                "fixed_asset_investment": False,
                "classified": False,
            },
            application.project_approved,
        ),
    ):
        store.handle_once(
            make_event(kind, payload, project_code=CODE, regulation_version="shandong/v1", articles=[3]),
            effect,
        )
    yield AcceptanceUseCases(AppContext(store, fixed(TODAY)))
    engine.dispose()


def test_completion_starts_the_acceptance_deadline_and_an_empty_archive_is_refused(cases):
    file = cases.complete(OWNER, code=CODE, completed_on=TODAY)
    assert file["completed_on"] == TODAY.isoformat() and file["acceptance_due"]
    assert file["clock_ledger"][0]["articles"] == ["第二十三条"]
    with pytest.raises(GovprojError):
        cases.apply(OWNER, code=CODE)
    again = cases.acceptance(OWNER, code=CODE)
    assert again["applied_on"] is None and again["acceptance_due"] == file["acceptance_due"]
    assert cases.archive(OWNER, code=CODE)["complete_for_acceptance"] is False
    assert cases.annual_reports(OWNER, code=CODE) == []


def test_a_years_annual_report_is_filed_once(cases):
    """第十六条: one report a year; filed again, a conflict, and the first stays on file."""
    from services.acceptance import schemas
    from shared.errors import StateConflict

    report = {"year": 2025, "progress": "on schedule", "budget_execution": "60%"}
    cases.annual_report(OWNER, code=CODE, data=schemas.load(schemas.AnnualReport, report))
    with pytest.raises(StateConflict) as err:
        cases.annual_report(OWNER, code=CODE, data=schemas.load(schemas.AnnualReport, report))
    assert "第十六条" in err.value.as_dict()["articles"]
    assert [r["year"] for r in cases.annual_reports(OWNER, code=CODE)] == [2025]


def test_who_reads_the_annual_reports(cases):
    """第十六条: reported to the approving body and finance, overseen by the office and audit — the
    unit reads its own project's only, the DRC only a project it approves (403 to the other of
    office and DRC, citing the article), every other role is refused."""
    from services.acceptance import schemas
    from shared.authz import ROLES, Forbidden, allowed

    # the role matrix (the gateway's first check): these five roles, no other
    readers = {role for role in ROLES if allowed(Identity(role, role, UNIT), "annual_report.read")}
    assert readers == {"unit", "office", "drc", "finance", "audit"}
    report = {"year": 2025, "progress": "on schedule", "budget_execution": "60%"}
    cases.annual_report(OWNER, code=CODE, data=schemas.load(schemas.AnnualReport, report))
    for reader in ("office", "finance", "audit"):
        assert [r["year"] for r in cases.annual_reports(Identity(reader, reader), code=CODE)] == [2025]
    assert [r["year"] for r in cases.annual_reports(OWNER, code=CODE)] == [2025]
    with pytest.raises(Forbidden):  # another unit's project, said like no project at all
        cases.annual_reports(Identity("u2", "unit", "U-370100-999"), code=CODE)
    with pytest.raises(Forbidden) as err:  # the office approved it: the DRC is not its approving body
        cases.annual_reports(Identity("drc", "drc"), code=CODE)
    assert err.value.as_dict()["articles"] == ["第十六条"] and err.value.details["approving_body"] == "office"
    # the DRC takes it up (第四条): now it is the approving body, and reads
    cases.ctx.store.handle_once(
        make_event(
            "fixed_asset_designated",
            {
                "case_id": "RC-1",
                "designated_on": TODAY,
                "comments": "涉及机房土建",
                "approved": True,
                "drc_decision": None,
            },
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[4],
        ),
        application.fixed_asset_designated,
    )
    assert [r["year"] for r in cases.annual_reports(Identity("drc", "drc"), code=CODE)] == [2025]
