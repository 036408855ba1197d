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

    return make_event(
        "clock_set",
        {"today": date(2026, 1, 5), "set_by": "op"},
        project_code=None,
        regulation_version=None,
        articles=[],
    )


def test_emitted_event_commits_with_the_transaction(store):
    with store.transaction() as tx:
        event = tx.emit(
            "clock_set",
            {"today": clock_event().data()["today"], "set_by": "op"},
            project_code=None,
            regulation_version=None,
            articles=[],
        )
    rows = outbox_rows(store)
    assert [r.message_id for r in rows] == [event.message_id]
    assert rows[0].exchange == "supervision.events" and rows[0].published_at is None
    assert json.loads(rows[0].body)["event_type"] == "clock_set"


def test_rollback_leaves_no_event(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.emit(
                "clock_set", clock_event().data(), project_code=None, regulation_version=None, articles=[]
            )
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

    return Store(store.engine, platform, idempotency=Idempotency("alice", key, fingerprint, "approval.test"))


def emit_clock(tx):
    tx.emit("clock_set", clock_event().data(), project_code=None, regulation_version=None, articles=[])


def run_command(store, effect=emit_clock, response=None):
    """What the ``command`` decorator does: the whole command in ``Store.command``."""
    from shared.persistence.store import IdempotentReplay

    try:
        with store.command() as scope:
            with store.transaction() as tx:
                effect(tx)
            return scope.succeeded(response if response is not None else {"answer": 1})
    except IdempotentReplay as replay:
        return replay.response


def test_a_request_id_acts_once_and_replays_the_first_response(store):
    assert run_command(idempotent_store(store), response={"answer": 1}) == {"answer": 1}
    again = run_command(idempotent_store(store), response={"answer": 2})
    assert again == {"answer": 1}
    assert len(outbox_rows(store)) == 1
    outcome = store.outcome("alice", "k1")
    assert outcome["state"] == "succeeded" and outcome["response"] == {"answer": 1}
    assert outcome["command"] == "approval.test"
    assert store.outcome("bob", "k1") is None  # scoped to the caller


def test_effects_and_response_commit_together(store):
    """A crash after the effects but before the end of the command leaves neither."""
    command = idempotent_store(store)
    with pytest.raises(KeyboardInterrupt):
        with command.command():
            with command.transaction() as tx:
                emit_clock(tx)
            raise KeyboardInterrupt("process killed")
    assert outbox_rows(store) == [] and store.outcome("alice", "k1") is None
    assert run_command(idempotent_store(store)) == {"answer": 1}  # the retry acts
    assert len(outbox_rows(store)) == 1


def test_reads_inside_a_command_see_its_own_writes(store):
    command = idempotent_store(store)
    with command.command() as scope:
        with command.transaction() as tx:
            emit_clock(tx)
        with command.read() as session:
            assert len(session.execute(select(platform.outbox)).all()) == 1
        scope.succeeded({})
    assert len(outbox_rows(store)) == 1


def test_a_request_id_reused_for_another_request_is_refused(store):
    from shared.persistence.store import IdempotencyKeyReused

    run_command(idempotent_store(store))
    with pytest.raises(IdempotencyKeyReused):
        run_command(idempotent_store(store, fingerprint="other"))
    assert len(outbox_rows(store)) == 1


def test_a_refusal_is_the_outcome_and_changes_nothing_and_a_retry_may_act(store):
    from shared.errors import RuleViolation

    def refused(tx):
        emit_clock(tx)
        raise RuleViolation("refused", "拒绝", articles=[7])

    with pytest.raises(RuleViolation):
        run_command(idempotent_store(store), refused)
    outcome = store.outcome("alice", "k1")
    assert outcome["state"] == "refused" and outcome["error"]["code"] == "rule_violation"
    assert outcome["error"]["articles"] == ["第七条"] and outbox_rows(store) == []
    assert run_command(idempotent_store(store)) == {"answer": 1}
    assert store.outcome("alice", "k1")["state"] == "succeeded"
    assert len(outbox_rows(store)) == 1


def test_a_failed_command_leaves_no_outcome(store):
    with pytest.raises(RuntimeError):
        run_command(idempotent_store(store), lambda tx: (_ for _ in ()).throw(RuntimeError()))
    assert store.outcome("alice", "k1") is None
    assert run_command(idempotent_store(store)) == {"answer": 1}
