"""Supervision's rules: findings and their rectification, the sanction ladder. No I/O here.

第三十四条: a violation found → an order to rectify by a deadline; refused, ignored, or still
non-compliant after rectifying → the office applies the ladder (policy data, mildest first).
"""

from __future__ import annotations

from datetime import date

from shared.errors import RuleViolation, StateConflict

# finding status → what may happen next
FINDING_FLOW = {
    "open": ("order",),
    "rectification_ordered": ("report", "ignore", "refuse"),
    "reported": ("verify",),
    "failed": ("order",),  # a new order may follow a failed rectification
    "ignored": ("order",),
    "refused_to_rectify": ("order",),  # 拒不整改, recorded by the office
    "resolved": (),
}


def require(status: str, action: str, finding_id: str) -> None:
    if action not in FINDING_FLOW.get(status, ()):
        raise StateConflict(
            f"finding {finding_id} is {status}: cannot {action}",
            f"问题 {finding_id} 当前状态为 {status}，不能执行 {action}",
            articles=[34],
            details={"status": status, "action": action},
        )


def finding_kind(found_by: str, articles: list[int]) -> str:
    """Not accepting the supervision of the office and the other bodies (第三十三条) — refusing
    an inspection, say — and refusing, hiding or misreporting materials (第三十六条) are a
    violation of their own: non-cooperation, whatever found it (an inspection, an audit)."""
    return "non_cooperation" if 33 in articles or 36 in articles else found_by


def check_order(deadline: date, today: date) -> None:
    if deadline <= today:
        raise RuleViolation(
            "a rectification deadline lies after today",
            "整改期限须晚于今日",
            articles=[34],
            details={"deadline": deadline.isoformat()},
        )


# 拒不整改 (refused, as the office records it — or an order ignored past its deadline, which
# counts as refused) or 整改后仍不符合要求 (failed)
SANCTIONABLE = ("refused_to_rectify", "ignored", "failed")


def next_sanction(ladder: list[str], applied: list[str], finding_status: str | None, requested: str) -> None:
    """第三十四条: a sanction answers a finding whose ordered rectification was refused,
    ignored past its deadline or verified as not resolved — never one without a finding, nor
    one still open, under rectification or resolved. The office then climbs the ladder one
    step at a time. ``finding_status`` is None when no finding is named."""
    if requested not in ladder:
        raise RuleViolation(
            f"sanction type must be one of {ladder}",
            f"处理方式须为 {'、'.join(ladder)} 之一",
            articles=[34],
            details={"type": requested},
        )
    if finding_status is None:
        raise StateConflict(
            "a sanction follows a finding whose ordered rectification was refused, ignored "
            "or failed: name that finding",
            "须针对责令限期整改后拒不整改或整改后仍不符合要求的问题作出处理，请注明该问题",
            articles=[34],
            details={
                "finding": [
                    "required: a finding whose rectification was refused, ignored or failed / "
                    "须为拒不整改、逾期未整改或整改后仍不符合要求的问题"
                ]
            },
        )
    if finding_status not in SANCTIONABLE:
        raise StateConflict(
            "a sanction follows a refused, ignored or failed rectification",
            "拒不整改或整改后仍不符合要求的，方可予以处理",
            articles=[34],
            details={"finding_status": finding_status},
        )
    climbed = [s for s in ladder if s in applied]
    expected = ladder[len(climbed)] if len(climbed) < len(ladder) else None
    if requested != expected:
        raise RuleViolation(
            f"the next step of the ladder is {expected}",
            f"应按规定顺序处理，下一步为 {expected}",
            articles=[34],
            details={"ladder": ladder, "applied": applied, "requested": requested},
        )


def check_liftable(sanction_id: str, status: str, kind: str) -> None:
    """Only an active sanction is lifted; a termination ends the project and is final
    (第三十四条 终止项目): nothing restores it, so it is not "lifted" either."""
    if status != "active":
        raise StateConflict(
            f"sanction {sanction_id} is already {status}",
            f"处理决定 {sanction_id} 已解除",
            articles=[34],
            details={"status": status},
        )
    if kind == "terminate":
        raise StateConflict(
            "a terminated project is not revived: termination cannot be lifted",
            "项目终止后不得恢复，终止决定不能解除",
            articles=[34],
            details={"type": kind},
        )
