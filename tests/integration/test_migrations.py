"""Upgrading a database that holds data keeps it: this session's migrations move rows, not just
shapes (SQLite batch rebuilds and PostgreSQL alike)."""
import uuid

import pytest
from sqlalchemy import create_engine, text

from shared.persistence.migrations import upgrade
from shared.testing import PostgresDatabases

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path, infrastructure):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    pg = PostgresDatabases(infrastructure.pg_uri)
    try:
        yield pg.create(f"gp_mig_{uuid.uuid4().hex[:8]}")
    finally:
        pg.drop_all()


def run(url: str, *statements: str) -> list:
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = [conn.execute(text(s)).all() if s.startswith("SELECT") else conn.execute(text(s))
                for s in statements]
    engine.dispose()
    return rows[-1]


def test_supervision_owners_become_readers_of_their_projects(fresh_url):
    upgrade("supervision", fresh_url, "supervision_0005")
    run(fresh_url, "INSERT INTO supervised_projects (project_code, owner_unit) "
                   "VALUES ('SD-2026-000001', 'U1')")
    upgrade("supervision", fresh_url)
    assert run(fresh_url, "SELECT unit, project_code, role FROM project_units") == [
        ("U1", "SD-2026-000001", "owner")]


def test_planning_keeps_its_old_timeline_rows(fresh_url):
    upgrade("planning", fresh_url, "planning_0005")
    run(fresh_url, "INSERT INTO timeline (project_code, at, on_date, actor, action, articles, "
                   "details) VALUES ('SD-2026-000001', '2026-03-02 09:00:00+00', '2026-03-02', "
                   "'u', 'catalog_set', '[27]', '{}')")
    upgrade("planning", fresh_url)
    assert run(fresh_url, "SELECT project_code, action FROM timeline_archive") == [
        ("SD-2026-000001", "catalog_set")]
