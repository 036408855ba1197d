"""Supervision's views: what a read returns of a finding (第三十三条, 第三十四条: its articles in
Chinese, its rectification deadline and history) and of a sanction (one place for views,
issue 20)."""

from __future__ import annotations

from services.supervision.models import FindingRow, SanctionRow
from shared.policy import article_label_zh


def finding_view(r: FindingRow) -> dict:
    return {
        "id": r.id,
        "project": r.project_code,
        "source": r.source,
        "kind": r.kind,
        "articles": [article_label_zh(a) for a in r.articles],
        "description": r.description,
        "details": r.details,
        "status": r.status,
        "found_on": r.found_on.isoformat(),
        "rectification_deadline": (
            r.rectification_deadline.isoformat() if r.rectification_deadline else None
        ),
        "history": r.history,
    }


def sanction_view(row: SanctionRow) -> dict:
    return {
        "id": row.id,
        "project": row.project_code,
        "type": row.type,
        "finding": row.finding,
        "reason": row.reason,
        "status": row.status,
        "imposed_on": row.imposed_on.isoformat(),
        "lifted_on": row.lifted_on.isoformat() if row.lifted_on else None,
    }
