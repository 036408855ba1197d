"""A project the secrecy bureau declares classified (第四条) leaves no content in the copies a
service keeps — the answers it keeps for replays, the events in its outbox
(shared/persistence/forget.py), on a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert, select

from services.planning.models import platform
from shared.persistence import create_engine_for
from shared.persistence.forget import forget, forget_project_content
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store

CODE, OTHER = "SD-2026-000007", "SD-2026-000008"


def test_forget_blanks_the_projects_content_and_nothing_else():
    view = {
        "code": CODE,
        "name": "政务云",
        "goals": "目标",
        "content": "内容",
        "location": "济南",
        "catalog": [{"name": "目录"}],
        "documents": [{"title": "方案"}],
        "status": "approved",
    }
    assert forget(view, CODE) == {
        **view,
        "goals": None,
        "content": None,
        "location": None,
        "catalog": [],
        "documents": [],
    }
    assert forget(view, OTHER) == view  # another project's answer stays as it is
    change = {"project_code": CODE, "changes": {"goal": "新目标", "budget": {"total": "1.00"}}}
    assert forget([change], CODE) == [{"project_code": CODE, "changes": {"budget": {"total": "1.00"}}}]
    assert forget("目标", CODE) == "目标" and forget(None, CODE) is None


def test_the_kept_answers_and_the_outbox_forget_the_project(tmp_path):
    url = f"sqlite:///{tmp_path / 'planning.db'}"
    upgrade("planning", url)
    engine = create_engine_for(url)
    store = Store(engine, platform, consumer="planning.test")
    now = datetime.now(UTC)

    def envelope(code, kind, payload):
        return json.dumps({"event_type": kind, "project_code": code, "payload": payload}, ensure_ascii=False)

    with store.transaction() as tx:
        tx.session.execute(
            insert(platform.idempotency_keys),
            [
                {
                    "principal": "u1",
                    "key": "register",
                    "fingerprint": "f",
                    "created_at": now,
                    "response": json.dumps({"code": CODE, "goals": "目标"}, ensure_ascii=False),
                },
                {
                    "principal": "u1",
                    "key": "other",
                    "fingerprint": "f",
                    "created_at": now,
                    "response": json.dumps({"code": OTHER, "goals": "别的目标"}, ensure_ascii=False),
                },
            ],
        )
        tx.session.execute(
            insert(platform.outbox),
            [
                {
                    "message_id": "m1",
                    "exchange": "planning",
                    "routing_key": "document_filed",
                    "project_code": CODE,
                    "created_at": now,
                    "published_at": now,
                    "body": envelope(
                        CODE, "document_filed", {"doc_type": "construction_plan", "title": "方案"}
                    ),
                },
                {
                    "message_id": "m2",
                    "exchange": "planning",
                    "routing_key": "change_requested",
                    "project_code": CODE,
                    "created_at": now,
                    "published_at": None,  # still to go: it goes without them
                    "body": envelope(
                        CODE, "change_requested", {"changes": {"location": "青岛", "schedule": {}}}
                    ),
                },
                {
                    "message_id": "m3",
                    "exchange": "planning",
                    "routing_key": "document_filed",
                    "project_code": OTHER,
                    "created_at": now,
                    "published_at": now,
                    "body": envelope(
                        OTHER, "document_filed", {"doc_type": "construction_plan", "title": "别的"}
                    ),
                },
            ],
        )
    with store.transaction() as tx:
        assert forget_project_content(tx.session, platform, CODE) == 3
    with store.read() as session:
        answers = dict(
            session.execute(
                select(platform.idempotency_keys.c.key, platform.idempotency_keys.c.response)
            ).all()
        )
        bodies = dict(session.execute(select(platform.outbox.c.message_id, platform.outbox.c.body)).all())
    assert json.loads(answers["register"]) == {"code": CODE, "goals": None}
    assert json.loads(answers["other"])["goals"] == "别的目标"
    assert json.loads(bodies["m1"])["payload"] == {"doc_type": "construction_plan", "title": None}
    assert json.loads(bodies["m2"])["payload"] == {"changes": {"schedule": {}}}
    assert json.loads(bodies["m3"])["payload"]["title"] == "别的"
    with store.transaction() as tx:  # a redelivered declaration: nothing left to change
        assert forget_project_content(tx.session, platform, CODE) == 0
    engine.dispose()
