"""Adjustment reviews (第十八条) and incidents (第十九条), decided by the approving body.
No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from shared.errors import RuleViolation, StateConflict

INCIDENT_KINDS = ("serious_delay", "major_loss")
ACTIONS = ("rectify", "suspend", "none")


@dataclass
class ChangeReview:
    """A change request under its new review (第十八条): reviewed, not granted — the reviewer
    sets the approved amount of a budget change, which may differ from the one requested; a
    fixed-asset project's approved change waits for the DRC's re-approval (第四条)."""

    id: str
    project_code: str
    changes: dict[str, Any]
    reason: str
    requested_on: date
    status: str = "pending"  # → approved | rejected, or awaiting_drc → approved | rejected
    decided_by: str | None = None
    decided_on: date | None = None
    comments: str = ""
    approved_amount: Decimal | None = None  # the reviewer's, for a budget change
    drc: dict[str, Any] | None = None  # the DRC's re-approval: decision, document, when

    def decide(
        self,
        decision: str,
        by: str,
        on: date,
        comments: str,
        approved_amount: Decimal | None = None,
        fixed_asset: bool = False,
    ) -> None:
        if self.status != "pending":
            raise StateConflict(
                f"change request {self.id} is already {self.status}",
                f"调整申请 {self.id} 已{self.status}",
                articles=[18],
                details={"status": self.status},
            )
        touches_budget = "budget" in self.changes
        if decision == "approve" and touches_budget and approved_amount is None:
            raise RuleViolation(
                "approving a budget change sets the approved amount: the review decides it, "
                "whatever was requested",
                "批准涉及预算的调整须核定批复金额（可不同于申请金额）",
                articles=[18],
                details={
                    "approved_amount": ["required when the change touches the budget / 调整涉及预算时必填"]
                },
            )
        if approved_amount is not None and (decision != "approve" or not touches_budget):
            raise RuleViolation(
                "only an approved budget change has an approved amount",
                "仅批准的预算调整核定批复金额",
                articles=[18],
                details={
                    "approved_amount": ["only when approving a change of the budget / 仅在批准预算调整时填写"]
                },
            )
        if decision != "approve":
            self.status = "rejected"
        else:
            self.status = "awaiting_drc" if fixed_asset else "approved"
            self.approved_amount = approved_amount
        self.decided_by, self.decided_on, self.comments = by, on, comments

    def reapprove(self, decision: str, document_no: str, by: str, on: date) -> None:
        """The DRC's re-approval of a fixed-asset project's approved change (第四条, 第十八条):
        until it approves, nothing of the change takes effect."""
        if self.status != "awaiting_drc":
            raise StateConflict(
                f"change request {self.id} is {self.status}: only an approved change of a "
                "fixed-asset project awaits the DRC's re-approval",
                f"调整申请 {self.id} 当前为 {self.status}，"
                "仅固定资产投资项目经批准的调整待发展改革部门重新审批",
                articles=[4, 18],
                details={"status": self.status},
            )
        self.status = "approved" if decision == "approve" else "rejected"
        self.drc = {"decision": decision, "document_no": document_no, "by": by, "on": on.isoformat()}

    def new_approved_amount(self) -> Decimal | None:
        """The reviewer's approved amount of a budget change (第十七条, 第十八条)."""
        if self.status in ("approved", "awaiting_drc") and "budget" in self.changes:
            return self.approved_amount
        return None


@dataclass
class Incident:
    """A serious delay or major loss reported by the unit (第十九条)."""

    id: str
    project_code: str
    kind: str
    description: str
    reported_by: str
    reported_on: date
    status: str = "open"
    decision: dict[str, Any] = field(default_factory=dict)

    def decide(
        self, action: str, deadline: date | None, by: str, on: date, completed_on: date | None = None
    ) -> None:
        """The approving body orders rectification, suspends construction, or neither. Only a
        project under construction can be suspended (第十九条 暂停项目建设): ``completed_on``, the
        completion acceptance announced, refuses it — before anything else is said."""
        if action == "suspend" and completed_on is not None:
            raise StateConflict(
                f"project {self.project_code} finished construction on {completed_on.isoformat()}: "
                "only a project under construction can be suspended",
                f"项目 {self.project_code} 已于 {completed_on.isoformat()} 完成建设，"
                "仅在建项目可暂停项目建设",
                articles=[19],
                details={"action": action, "completed_on": completed_on.isoformat()},
            )
        if self.status != "open":
            raise StateConflict(
                f"incident {self.id} is already decided",
                f"事项 {self.id} 已处理",
                articles=[19],
                details={"decision": self.decision},
            )
        if action == "rectify" and (deadline is None or deadline <= on):
            raise RuleViolation(
                "an order to rectify sets a deadline after today",
                "责令整改须设定晚于今日的整改期限",
                articles=[19, 34],
                details={"deadline": deadline.isoformat() if deadline else None},
            )
        if action != "rectify" and deadline is not None:
            raise RuleViolation(
                "only an order to rectify has a deadline",
                "仅责令整改需设定期限",
                articles=[19],
                details={"deadline": ["only with action rectify"]},
            )
        self.status = "decided"
        self.decision = {
            "action": action,
            "deadline": deadline.isoformat() if deadline else None,
            "by": by,
            "on": on.isoformat(),
        }

    def resume(self, reason: str, by: str, on: date) -> int:
        """第十九条: the approving body that suspended construction lets it resume; the decision
        keeps when, by whom and why. Returns the days construction stood still."""
        if self.decision.get("action") != "suspend":
            raise StateConflict(
                f"incident {self.id} did not suspend construction",
                f"事项 {self.id} 未暂停项目建设，无需恢复",
                articles=[19],
                details={"status": self.status, "action": self.decision.get("action")},
            )
        if self.status == "resumed":
            raise StateConflict(
                f"construction already resumed after incident {self.id}",
                f"事项 {self.id} 暂停的项目已恢复建设",
                articles=[19],
                details={"resumption": self.decision["resumption"]},
            )
        self.status = "resumed"
        self.decision = {**self.decision, "resumption": {"reason": reason, "by": by, "on": on.isoformat()}}
        return (on - date.fromisoformat(self.decision["on"])).days
