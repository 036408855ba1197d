"""Acceptance's views: what a read returns of a project's acceptance file — the 3-month
acceptance deadline and its ledger (第二十三条), the decision (第二十二条), going live and the
self-evaluation window (第二十四条) — and of a commissioned post-evaluation (one place for
views, issue 20)."""

from __future__ import annotations

from services.acceptance.domain import AcceptanceFile
from services.acceptance.models import PostEvaluationRow
from shared.i18n import zh
from shared.policy import cited, get_policy
from shared.wire import view


def acceptance_view(file: AcceptanceFile) -> dict:
    window = file.evaluation_window(get_policy(file.regulation_version))
    return view(
        file,
        *("project", "completed_on", "acceptance_due", "clock_ledger", "extension_pending", "applied_on"),
        *("decision", "delegation", "live_on", "self_evaluation_window", "self_evaluation"),
        project=file.project_code,
        clock_ledger=[{**cited(e), "why_zh": zh(e["why"]) or e["why"]} for e in file.deadline_ledger],
        extension_pending=file.extension,
        self_evaluation_window=(
            {"opens": window.opens.isoformat(), "closes": window.closes.isoformat()} if window else None
        ),
    )


def post_evaluation_view(row: PostEvaluationRow) -> dict:
    return view(row, "id", "project", "evaluator", "commissioned_on", "report", project=row.project_code)
