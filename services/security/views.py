"""Security's views: what a read returns of a classified project's content and of the
secrecy bureau's inspections (one place for views, issue 20; 第四条: kept here, never published)."""

from __future__ import annotations

from services.security.models import ClassifiedContentRow, SecrecyInspectionRow


def classified_view(row: ClassifiedContentRow) -> dict:
    return {
        "project": row.project_code,
        "goals": row.goals,
        "content": row.content,
        "location": row.location,
        "details": row.details,
    }


def inspection_view(row: SecrecyInspectionRow) -> dict:
    return {
        "id": row.id,
        "project": row.project_code,
        "inspected_on": row.inspected_on.isoformat(),
        "inspected_by": row.inspected_by,
        "scope": row.scope,
        "conclusion": row.conclusion,
        "findings": row.findings,
        "recorded_on": row.recorded_on.isoformat(),
    }
