"""The unit of work on an embedded database (no broker): outbox and inbox in the same commit."""
import json

import pytest
from sqlalchemy import select

from services.approval.models import platform
from shared.events import make_event
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'approval.db'}"
    upgrade("approval", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="approval.test")
    engine.dispose()


def outbox_rows(store):
    with store.read() as session:
        return session.execute(select(platform.outbox)).all()


def clock_event():
    from datetime import date
    return make_event("clock_set", {"today": date(2026, 1, 5), "set_by": "op"},
                      project_code=None, regulation_version=None, articles=[])


def test_emitted_event_commits_with_the_transaction(store):
    with store.transaction() as tx:
        event = tx.emit("clock_set", {"today": clock_event().data()["today"], "set_by": "op"},
                        project_code=None, regulation_version=None, articles=[])
    rows = outbox_rows(store)
    assert [r.message_id for r in rows] == [event.message_id]
    assert rows[0].exchange == "supervision.events" and rows[0].published_at is None
    assert json.loads(rows[0].body)["event_type"] == "clock_set"


def test_rollback_leaves_no_event(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.emit("clock_set", clock_event().data(), project_code=None,
                    regulation_version=None, articles=[])
            raise RuntimeError("rule refused after emitting")
    assert outbox_rows(store) == []


def test_handle_once_applies_an_event_once(store):
    event, calls = clock_event(), []

    def effect(tx, ev):
        calls.append(ev.message_id)
        return "done"

    assert store.handle_once(event, effect) == "done"
    assert store.handle_once(event, effect) is None
    assert calls == [event.message_id]


def test_failed_effect_leaves_no_inbox_claim(store):
    event = clock_event()

    def failing(tx, ev):
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        store.handle_once(event, failing)
    assert store.handle_once(event, lambda tx, ev: "retried") == "retried"


def idempotent_store(store, key="k1", fingerprint="f1"):
    from shared.persistence.store import Idempotency
    return Store(store.engine, platform, idempotency=Idempotency("alice", key, fingerprint))


def test_idempotency_key_replays_the_first_response_and_acts_once(store):
    from shared.persistence.store import IdempotentReplay

    first = idempotent_store(store)
    with first.transaction() as tx:
        tx.emit("clock_set", clock_event().data(), project_code=None, regulation_version=None,
                articles=[])
    first.record_response({"answer": 1})

    replay = idempotent_store(store)
    with pytest.raises(IdempotentReplay) as err:
        with replay.transaction():
            raise AssertionError("the effect must not run again")
    assert err.value.response == {"answer": 1}
    assert len(outbox_rows(store)) == 1


def test_idempotency_key_reused_for_another_request_is_refused(store):
    from shared.persistence.store import IdempotencyKeyReused, RequestInProgress

    first = idempotent_store(store)
    with first.transaction():
        pass
    with pytest.raises(RequestInProgress):  # no response recorded yet
        with idempotent_store(store).transaction():
            pass
    first.record_response({"ok": True})
    with pytest.raises(IdempotencyKeyReused):
        with idempotent_store(store, fingerprint="other").transaction():
            pass


def test_failed_command_releases_its_idempotency_key(store):
    with pytest.raises(RuntimeError):
        with idempotent_store(store).transaction():
            raise RuntimeError("refused")
    with idempotent_store(store).transaction():
        pass  # the retry may act: the first attempt changed nothing
