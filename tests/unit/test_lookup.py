"""The row a command names, or the refusal (shared.persistence.lookup), on a service's own
database (supervision's, a temporary SQLite file): the messages and details every service
gave before, now written once."""

from __future__ import annotations

from datetime import date

import pytest

from services.supervision.models import FindingRow, SanctionRow, platform
from shared.errors import NotFound, StateConflict
from shared.persistence import create_engine_for
from shared.persistence.lookup import found, get_of_project, get_or_not_found, refuse_if_filed
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="supervision.test")
    with store.transaction() as tx:
        tx.session.add(
            FindingRow(
                id="FD-1",
                project_code="SD-2026-000001",
                source="office",
                kind="other",
                articles=[34],
                description="x",
                details={},
                status="open",
                found_on=date(2027, 1, 4),
                history=[],
            )
        )
    yield store
    engine.dispose()


def refusal(excinfo) -> dict:
    return {k: excinfo.value.as_dict()[k] for k in ("code", "message", "message_zh", "details")}


def test_a_row_is_found_by_its_key_locked_or_not(store):
    with store.transaction() as tx:
        what = ("finding", "问题")
        assert get_or_not_found(tx.session, FindingRow, "FD-1", what=what).id == "FD-1"
        assert get_or_not_found(tx.session, FindingRow, "FD-1", what=what, for_update=True).id == "FD-1"
        row = get_of_project(tx.session, FindingRow, "FD-1", "SD-2026-000001", what=what)
        assert row.project_code == "SD-2026-000001"


def test_a_missing_row_is_not_found_in_both_languages_with_its_key(store):
    with store.read() as session, pytest.raises(NotFound) as missing:
        get_or_not_found(session, SanctionRow, "SN-9", what=("sanction", "处理决定"), detail="sanction")
    assert refusal(missing) == {
        "code": "not_found",
        "message": "no sanction SN-9",
        "message_zh": "处理决定 SN-9 不存在",
        "details": {"sanction": "SN-9"},
    }


def test_another_projects_row_is_not_found_like_one_that_does_not_exist(store):
    for key in ("FD-1", "FD-2"):
        with store.read() as session, pytest.raises(NotFound) as missing:
            get_of_project(session, FindingRow, key, "SD-2026-000002", what=("finding", "问题"))
        assert refusal(missing) == {
            "code": "not_found",
            "message": f"no finding {key} of project SD-2026-000002",
            "message_zh": f"项目 SD-2026-000002 没有问题 {key}",
            "details": {"id": key},
        }


def test_found_passes_a_row_through_and_refuses_none_with_the_messages_given():
    assert found("row", "no x", "无 x", details=None) == "row"
    with pytest.raises(NotFound) as missing:
        found(None, "acceptance knows no project P", "验收档案中无项目 P", details={"project": "P"})
    assert (missing.value.message, missing.value.message_zh) == (
        "acceptance knows no project P",
        "验收档案中无项目 P",
    )


def test_what_is_filed_once_is_refused_the_second_time(store):
    with store.read() as session:
        refuse_if_filed(session, FindingRow, {"id": "FD-2"}, "filed", "已提交", articles=[16])
        with pytest.raises(StateConflict) as twice:
            refuse_if_filed(
                session,
                FindingRow,
                {"project_code": "SD-2026-000001", "id": "FD-1"},
                "the finding is already filed",
                "问题已记录",
                articles=[34],
            )
    assert twice.value.articles == [34] and twice.value.message == "the finding is already filed"
