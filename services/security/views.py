"""Security's views: what a read returns of a classified project's content and of the
secrecy bureau's inspections (one place for views, issue 20; 第四条: kept here, never published)."""

from __future__ import annotations

from services.security.models import ClassifiedContentRow, SecrecyInspectionRow
from shared.wire import view


def classified_view(row: ClassifiedContentRow) -> dict:
    return view(row, "project", "goals", "content", "location", "details", project=row.project_code)


def inspection_view(row: SecrecyInspectionRow) -> dict:
    return view(
        row,
        *("id", "project", "inspected_on", "inspected_by", "scope", "conclusion", "findings"),
        "recorded_on",
        project=row.project_code,
    )
