"""Acceptance's views: what a read returns of a project's acceptance file — the 3-month
acceptance deadline and its ledger (第二十三条), the decision (第二十二条), going live and the
self-evaluation window (第二十四条) — and of a commissioned post-evaluation (one place for
views, issue 20)."""

from __future__ import annotations

from services.acceptance.domain import AcceptanceFile
from services.acceptance.models import PostEvaluationRow
from shared.i18n import zh
from shared.policy import cited, get_policy


def acceptance_view(file: AcceptanceFile) -> dict:
    def iso(d):
        return d.isoformat() if d else None

    window = file.evaluation_window(get_policy(file.regulation_version))
    return {
        "project": file.project_code,
        "completed_on": iso(file.completed_on),
        "acceptance_due": iso(file.acceptance_due),
        "clock_ledger": [{**cited(e), "why_zh": zh(e["why"]) or e["why"]} for e in file.deadline_ledger],
        "extension_pending": file.extension,
        "applied_on": iso(file.applied_on),
        "decision": file.decision,
        "delegation": file.delegation,
        "live_on": iso(file.live_on),
        "self_evaluation_window": (
            {"opens": window.opens.isoformat(), "closes": window.closes.isoformat()} if window else None
        ),
        "self_evaluation": file.self_evaluation,
    }


def post_evaluation_view(row: PostEvaluationRow) -> dict:
    return {
        "id": row.id,
        "project": row.project_code,
        "evaluator": row.evaluator,
        "commissioned_on": row.commissioned_on.isoformat(),
        "report": row.report,
    }
