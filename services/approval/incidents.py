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
    """A change request under its new review (第十八条)."""

    id: str
    project_code: str
    changes: dict[str, Any]
    reason: str
    requested_on: date
    status: str = "pending"
    decided_by: str | None = None
    decided_on: date | None = None
    comments: str = ""

    def decide(self, decision: str, by: str, on: date, comments: str) -> None:
        if self.status != "pending":
            raise StateConflict(f"change request {self.id} is already {self.status}",
                                f"调整申请 {self.id} 已{self.status}", articles=[18],
                                details={"status": self.status})
        self.status = "approved" if decision == "approve" else "rejected"
        self.decided_by, self.decided_on, self.comments = by, on, comments

    def new_approved_amount(self) -> Decimal | None:
        """A budget change that is approved sets the approved amount (第十七条, 第十八条)."""
        if self.status == "approved" and "budget" in self.changes:
            return Decimal(self.changes["budget"]["total"])
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

    def decide(self, action: str, deadline: date | None, by: str, on: date) -> None:
        """The approving body orders rectification, suspends construction, or neither."""
        if self.status != "open":
            raise StateConflict(f"incident {self.id} is already decided",
                                f"事项 {self.id} 已处理", articles=[19],
                                details={"decision": self.decision})
        if action == "rectify" and (deadline is None or deadline <= on):
            raise RuleViolation("an order to rectify sets a deadline after today",
                                "责令整改须设定晚于今日的整改期限", articles=[19, 34],
                                details={"deadline": deadline.isoformat() if deadline else None})
        if action != "rectify" and deadline is not None:
            raise RuleViolation("only an order to rectify has a deadline",
                                "仅责令整改需设定期限", articles=[19],
                                details={"deadline": ["only with action rectify"]})
        self.status = "decided"
        self.decision = {"action": action, "deadline": deadline.isoformat() if deadline else None,
                         "by": by, "on": on.isoformat()}

    def resume(self, reason: str, by: str, on: date) -> int:
        """第十九条: the approving body that suspended construction lets it resume; the decision
        keeps when, by whom and why. Returns the days construction stood still."""
        if self.decision.get("action") != "suspend":
            raise StateConflict(f"incident {self.id} did not suspend construction",
                                f"事项 {self.id} 未暂停项目建设，无需恢复", articles=[19],
                                details={"status": self.status,
                                         "action": self.decision.get("action")})
        if self.status == "resumed":
            raise StateConflict(f"construction already resumed after incident {self.id}",
                                f"事项 {self.id} 暂停的项目已恢复建设", articles=[19],
                                details={"resumption": self.decision["resumption"]})
        self.status = "resumed"
        self.decision = {**self.decision, "resumption": {"reason": reason, "by": by,
                                                         "on": on.isoformat()}}
        return (on - date.fromisoformat(self.decision["on"])).days
