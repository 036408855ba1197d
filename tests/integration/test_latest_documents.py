"""The register reads each document type's latest version only (issue 19: a command on a
project costs its document types, not every version it ever filed; 第二十条 keeps them all)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from services.planning.models import DocumentRow
from services.planning.repository import latest_documents
from shared.persistence import create_engine_for

pytestmark = pytest.mark.integration


def test_the_latest_version_of_each_type_and_no_other_projects(database_urls):
    engine = create_engine_for(database_urls["planning"])
    now = datetime(2027, 1, 4, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        for code, doc_type, version in [
            ("P1", "construction_plan", 1),
            ("P1", "construction_plan", 2),
            ("P1", "construction_plan", 3),
            ("P1", "investment_budget", 1),
            ("P2", "construction_plan", 9),
        ]:
            session.add(
                DocumentRow(
                    project_code=code,
                    doc_type=doc_type,
                    version=version,
                    title=f"v{version}",
                    sha256=f"{version:064d}",
                    filed_by="u",
                    filed_at=now,
                )
            )
    with Session(engine) as session:
        latest = latest_documents(session, "P1")
        assert {t: (d.version, d.title) for t, d in latest.items()} == {
            "construction_plan": (3, "v3"),
            "investment_budget": (1, "v1"),
        }
        assert latest_documents(session, "P3") == {}
    engine.dispose()
