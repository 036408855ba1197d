"""The register hears acceptance's facts in any order (issue 19: the province simulation found
a project left `accepted` when `project_went_live` overtook `acceptance_decided` on its own
queue): a fact that overtook the one it follows is retried, never dropped (第二十二条, 第二十四条)."""

from datetime import date
from decimal import Decimal

import pytest

from services.planning import application, repository
from services.planning.domain import Project
from services.planning.models import platform
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.store import Store

pytestmark = pytest.mark.integration

CODE = "SD-2027-000001"


def fact(event_type, payload):
    return make_event(event_type, payload, project_code=CODE, regulation_version="shandong/v1", articles=[22])


def status(store):
    with store.read() as session:
        return repository.get(session, CODE).status


def test_went_live_before_acceptance_is_retried_until_acceptance_is_in(database_urls):
    engine = create_engine_for(database_urls["planning"])
    store = Store(engine, platform, consumer="planning.test")
    with store.transaction() as tx:
        repository.add(
            tx.session,
            Project(
                code=CODE,
                name="n",
                unit="U-1",
                kind="construction",
                level="province",
                plan_item=None,
                budget_total=Decimal("1"),
                fixed_asset_investment=False,
                new_civil_works=False,
                classified=False,
                regulation_version="shandong/v1",
                registered_on=date(2027, 1, 4),
                status="completed",
            ),
        )
    live = fact(
        "project_went_live",
        {"live_on": date(2027, 6, 1), "window_opens": date(2028, 6, 1), "window_closes": date(2029, 6, 1)},
    )
    with pytest.raises(application.NotYet):  # the reliable handler retries it
        store.handle_once(live, application.project_went_live)
    assert status(store) == "completed"
    store.handle_once(
        fact("acceptance_decided", {"passed": True, "decided_on": date(2027, 6, 1), "report_document": "r"}),
        application.acceptance_decided,
    )
    store.handle_once(live, application.project_went_live)  # the retry
    assert status(store) == "in_operation"
    engine.dispose()
