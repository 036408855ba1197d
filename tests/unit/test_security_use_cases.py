"""Security's use cases without a broker (issue 20): SecurityUseCases over an application
context — a Store on a temporary SQLite file and a fixed clock — taking the caller and the
domain arguments; the secrecy bureau declares a project classified on its clock's day and its
content is then kept here alone (第四条)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from services.security import application, schemas
from services.security.application import SecurityUseCases, project_registered
from services.security.models import platform
from shared.authz import Identity
from shared.context import AppContext
from shared.errors import RuleViolation, StateConflict
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


MOVED = {
    "goals": "建成涉密业务系统",
    "content": "涉密网络与应用",
    "location": "济南某处",
    "catalog": [
        {
            "name": "涉密目录",
            "source": "本单位",
            "format": "表格",
            "update_frequency": "每月",
            "sharing_type": "none",
            "open_type": "none",
        }
    ],
    "documents": {
        "construction_plan": [
            {
                "version": 1,
                "title": "建设方案",
                "sha256": "AB" * 32,
                "filed_by": "u1",
                "filed_at": "2026-03-01T08:00:00+00:00",
            }
        ]
    },
    "changes": [{"request_id": "CR-1", "location": "青岛某处"}],
}


def outbox(cases) -> list[tuple[str, str]]:
    """(event type, the envelope as it will travel) of each event written to the outbox."""
    with cases.ctx.store.read() as session:
        return [(r.routing_key, r.body) for r in session.execute(select(platform.outbox)).all()]


def test_the_declaration_moves_the_registers_content_here_and_publishes_none_of_it(cases):
    """第四条: what the register held arrives in security's store in the declaring command —
    goals, content, location, catalog, every document version, what change requests said —
    and the events say only the date and which document types are on file here."""
    moved = load(schemas.MovedContent, MOVED)
    cases.classify(BUREAU, code=CODE, comments="涉及国家秘密", content=moved)
    held = cases.get_classified_content(OWNER, code=CODE)
    assert (held["goals"], held["content"], held["location"]) == (
        "建成涉密业务系统",
        "涉密网络与应用",
        "济南某处",
    )
    assert held["details"]["catalog"] == [{**MOVED["catalog"][0], "sharing_conditions": None}]
    [version] = held["details"]["documents"]["construction_plan"]
    assert version["title"] == "建设方案" and version["sha256"] == "ab" * 32
    assert held["details"]["changes"] == MOVED["changes"]
    events = outbox(cases)
    assert [k for k, _ in events] == ["project_classified", "classified_material_filed"]
    said = "".join(json.dumps(json.loads(body), ensure_ascii=False) for _, body in events)
    for secret in ("建成涉密", "涉密网络", "济南", "建设方案", "涉密目录", "青岛"):
        assert secret not in said
    # a later filing by the unit is the next version of the moved document
    again = cases.file_classified_document(
        OWNER,
        code=CODE,
        doc_type="construction_plan",
        data={"title": "建设方案（修订）", "sha256": "cd" * 32},
        at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert [v["version"] for v in again["details"]["documents"]["construction_plan"]] == [1, 2]


def test_a_second_declaration_moves_nothing_twice(cases):
    """Declared once (第四条): a second declaration is refused and changes nothing — the content
    moved the first time stays as it was."""
    cases.classify(BUREAU, code=CODE, comments="涉及国家秘密", content=load(schemas.MovedContent, MOVED))
    before = cases.get_classified_content(OWNER, code=CODE)
    with pytest.raises(StateConflict) as err:
        cases.classify(
            BUREAU,
            code=CODE,
            comments="再次",
            content=load(schemas.MovedContent, {**MOVED, "goals": "别的"}),
        )
    assert err.value.as_dict()["articles"] == ["第四条"]
    assert cases.get_classified_content(OWNER, code=CODE) == before
    assert len(outbox(cases)) == 2


def _heard(cases, effect, event_type: str, payload: dict) -> None:
    cases.ctx.store.handle_once(
        make_event(event_type, payload, project_code=CODE, regulation_version="shandong/v1", articles=[18]),
        effect,
    )


def _file_plan(cases, title: str) -> list[int]:
    content = cases.file_classified_document(
        OWNER,
        code=CODE,
        doc_type="construction_plan",
        data={"title": title, "sha256": "ab" * 32},
        at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    return [v["version"] for v in content["details"]["documents"]["construction_plan"]]


def _change(request_id: str, decision: str = "approve", **more) -> dict:
    return {
        "request_id": request_id,
        "decision": decision,
        "changes": {"budget": "1.00"},
        "approved_amount": None,
        "comments": "",
        "decided_on": TODAY,
        **more,
    }


def test_an_approved_classified_projects_plan_is_replaced_only_under_an_approved_change(cases):
    """第十七条, 第十八条 for a classified project, as in the register (shared.documents): before
    approval a new version is filed freely; after it, each approved change replaces the plan
    once; a rejected change, or one still awaiting the DRC, replaces nothing."""
    cases.classify(BUREAU, code=CODE, comments="涉及国家秘密")
    assert _file_plan(cases, "v1") == [1]
    assert _file_plan(cases, "v2") == [1, 2]  # not approved yet
    _heard(
        cases,
        application.project_approved,
        "project_approved",
        {
            "case_id": "RC-1",
            "unit": UNIT,
            "approved_amount": "10.00",
            "approved_on": TODAY,
            "fixed_asset_investment": False,
            "classified": True,
        },
    )
    with pytest.raises(RuleViolation) as err:
        _file_plan(cases, "v3")
    refusal = err.value.as_dict()
    assert "第十七条" in refusal["articles"] and "第十八条" in refusal["articles"]
    assert "调整申请" in refusal["message_zh"]
    _heard(cases, application.change_approved, "change_decided", _change("CR-1", "reject"))
    _heard(cases, application.change_approved, "change_decided", _change("CR-2", awaiting_drc=True))
    with pytest.raises(RuleViolation):
        _file_plan(cases, "v3")
    _heard(cases, application.change_approved, "change_reapproved", {**_change("CR-2"), "document_no": "D-1"})
    assert _file_plan(cases, "v3") == [1, 2, 3]
    with pytest.raises(RuleViolation):  # that change has replaced the plan already
        _file_plan(cases, "v4")
    assert (
        cases.get_classified_content(OWNER, code=CODE)["details"]["documents"]["construction_plan"][-1][
            "title"
        ]
        == "v3"
    )
