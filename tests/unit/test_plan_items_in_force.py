"""第五条, 第六条 (issue 19): the plan items in force read from the plans in force by id, each
plan's items loaded once per process and database, are those the rule counts from every plan —
a plan approved or an annual plan issued after a first read counts at once, a draft never."""

from __future__ import annotations

from datetime import date

import pytest

from services.planning import repository
from services.planning.in_force import plan_items_in_force
from services.planning.models import platform
from services.planning.plans import AnnualPlan, Plan, items_in_force
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store

TODAY = date(2026, 3, 2)


def item(code: str) -> dict[str, str]:
    return {"code": code, "title": code}


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'planning.db'}"
    upgrade("planning", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="planning.test", today=lambda _session: TODAY)
    engine.dispose()


def same_as_the_rule(store: Store) -> None:
    with store.read() as session:
        for year in range(2019, 2032):
            expected = items_in_force(*repository.all_plans(session), year)
            assert plan_items_in_force(session, year) == expected, year


def test_the_items_in_force_are_the_rules_before_and_after_plans_change(store):
    with store.transaction() as tx:
        repository.add_plan(tx.session, Plan("PL-A", "a", 2025, 2027, [item("A-1")], "approved", TODAY, "g"))
        repository.add_plan(tx.session, Plan("PL-C", "a draft", 2026, 2026, [item("C-1")]))
        repository.add_annual_plan(tx.session, AnnualPlan("AP-1", 2026, "PL-A", [item("A-2026")], TODAY))
        repository.add_annual_plan(tx.session, AnnualPlan("AP-3", 2026, "PL-C", [item("C-2026")], TODAY))
    same_as_the_rule(store)  # every plan in force now known to the process
    with store.read() as session:
        assert plan_items_in_force(session, 2026) == {"A-1", "A-2026"}

    with store.transaction() as tx:  # the draft approved, a new plan and annual plan after the read
        plan = repository.get_plan(tx.session, "PL-C", for_update=True)
        plan.approve("g", TODAY)
        repository.save_plan(tx.session, plan)
        repository.add_plan(tx.session, Plan("PL-B", "b", 2027, 2030, [item("B-1")], "approved", TODAY, "g"))
        repository.add_annual_plan(tx.session, AnnualPlan("AP-2", 2027, "PL-B", [item("B-2027")], TODAY))
    same_as_the_rule(store)
    with store.read() as session:
        assert plan_items_in_force(session, 2026) == {"A-1", "A-2026", "C-1", "C-2026"}
        assert plan_items_in_force(session, 2027) == {"A-1", "B-1", "B-2027"}


def test_another_database_with_the_same_plan_ids_is_read_on_its_own(tmp_path, store):
    """What one database's plans hold is never taken for another's plan of the same id."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade("planning", url)
    engine = create_engine_for(url)
    other = Store(engine, platform, consumer="planning.test", today=lambda _session: TODAY)
    try:
        for s, code in ((store, "X-1"), (other, "Y-1")):
            with s.transaction() as tx:
                repository.add_plan(
                    tx.session, Plan("PL-1", "p", 2026, 2026, [item(code)], "approved", TODAY, "g")
                )
        for s, code in ((store, "X-1"), (other, "Y-1")):
            with s.read() as session:
                assert plan_items_in_force(session, 2026) == {code}
    finally:
        engine.dispose()
