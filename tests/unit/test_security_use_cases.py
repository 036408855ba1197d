"""Security's use cases without a broker (issue 20): SecurityUseCases over an application
context — a Store on a temporary SQLite file and a fixed clock — taking the caller and the
domain arguments; the secrecy bureau declares a project classified on its clock's day and its
content is then kept here alone (第四条)."""

from __future__ import annotations

from datetime import date

import pytest

from services.security import schemas
from services.security.application import SecurityUseCases, project_registered
from services.security.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import RuleViolation
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit.clock import fixed
from shared.wire import load

CODE, UNIT, TODAY = "SD-2026-000001", "U-370100-001", date(2026, 3, 2)
BUREAU, OWNER = Identity("s1", "secrecy"), Identity("u1", "unit", UNIT)


@pytest.fixture
def cases(tmp_path):
    url = f"sqlite:///{tmp_path / 'security.db'}"
    upgrade("security", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="security.test", today=lambda _session: TODAY)
    store.handle_once(
        make_event(
            "project_registered",
            {
                "unit": UNIT,
                "co_builders": [],
                "kind": "construction",
                "level": "province",
                "classified": False,
                "registered_on": TODAY,
            },
            project_code=CODE,
            regulation_version="shandong/v1",
            articles=[3],
        ),
        project_registered,
    )
    yield SecurityUseCases(AppContext(store, fixed(TODAY)))
    engine.dispose()


def test_the_bureau_declares_a_project_classified_on_its_clocks_day(cases):
    with pytest.raises(RuleViolation):  # not classified yet: no content is kept here
        cases.put_classified_content(OWNER, code=CODE, data={"goals": "g"})
    view = cases.classify(
        BUREAU, code=CODE, comments=load(schemas.Classification, {"comments": "涉及国家秘密"})["comments"]
    )
    assert view["classified"] is True
    assert view["classified_by_bureau"]["declared_on"] == TODAY.isoformat()
    content = cases.put_classified_content(OWNER, code=CODE, data={"goals": "g"})
    assert content["goals"] == "g"
    assert cases.get_classified_content(OWNER, code=CODE)["goals"] == "g"


def test_no_duty_is_overdue_before_a_profile_is_recorded(cases):
    assert cases.report_overdue_duties(as_of=date(2030, 1, 1)) == []
