"""The project on the register and its application state machine. No I/O here.

Statuses are the public ones of API.md; every refusal names its article.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.errors import RuleViolation, StateConflict

KINDS = ("construction", "om")          # 第三条: construction AND O&M are filed
LEVELS = ("province", "city", "county")  # 第四条, 第二十五条

# status → statuses it may move to, and on what
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"submit": "submitted"},
    "returned": {"submit": "submitted"},
    "submitted": {"open_review": "under_review"},
}


def project_code(year: int, seq: int) -> str:
    """The lifelong project code: SD-<year of registration>-<6-digit sequence>."""
    return f"SD-{year}-{seq:06d}"


@dataclass
class Project:
    code: str
    name: str
    unit: str
    kind: str
    level: str
    plan_item: str | None
    budget_total: Decimal
    fixed_asset_investment: bool
    new_civil_works: bool
    classified: bool
    regulation_version: str
    registered_on: date
    status: str = "draft"
    submissions: int = 0

    @classmethod
    def register(cls, **fields) -> Project:
        if fields["kind"] not in KINDS:
            raise RuleViolation(f"kind must be one of {KINDS}", f"项目类型须为 {KINDS} 之一",
                                articles=[3], details={"kind": fields["kind"]})
        if fields["level"] not in LEVELS:
            raise RuleViolation(f"level must be one of {LEVELS}", f"项目层级须为 {LEVELS} 之一",
                                articles=[4], details={"level": fields["level"]})
        if fields["budget_total"] < 0:
            raise RuleViolation("budget total cannot be negative", "投资预算不能为负数",
                                articles=[7], details={"budget_total": str(fields["budget_total"])})
        return cls(**fields)

    def _move(self, action: str, articles: list[int]) -> None:
        target = TRANSITIONS.get(self.status, {}).get(action)
        if target is None:
            raise StateConflict(
                f"project {self.code} is {self.status}: cannot {action.replace('_', ' ')}",
                f"项目 {self.code} 当前状态为 {self.status}，不能执行“{action}”",
                articles=articles, details={"status": self.status, "action": action})
        self.status = target

    def submit(self) -> int:
        """Submit the application (第六条, 第七条); returns the submission number."""
        self._move("submit", [6, 7])
        self.submissions += 1
        return self.submissions

    def open_review(self, submission: int) -> bool:
        """The office opened a review case for this submission (第八条); False if stale."""
        if submission != self.submissions or self.status != "submitted":
            return False
        self._move("open_review", [8])
        return True
