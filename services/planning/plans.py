"""The provincial plan and the annual guidance plans (第五条, 第六条). No I/O here.

The office drafts the provincial plan; it takes effect once the provincial government (role
``group``) approves it. Annual guidance plans derive from a plan in force. An application must
reference an item of a plan in force, or it is not reviewable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.errors import RuleViolation, StateConflict


def _check_items(items: list[dict[str, str]], article: int) -> None:
    codes = [i["code"] for i in items]
    if not codes:
        raise RuleViolation(
            "a plan needs at least one item",
            "规划须至少包含一个项目条目",
            articles=[article],
            details={"items": []},
        )
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise RuleViolation(
            "item codes must be unique",
            "条目编号不得重复",
            articles=[article],
            details={"duplicates": duplicates},
        )


@dataclass
class Plan:
    id: str
    title: str
    start_year: int
    end_year: int
    items: list[dict[str, str]]
    status: str = "draft"
    approved_on: date | None = None
    approved_by: str | None = None

    @classmethod
    def draft(cls, **fields) -> Plan:
        plan = cls(**fields)
        if plan.start_year > plan.end_year:
            raise RuleViolation(
                "the plan ends before it starts",
                "规划期限的结束年份早于开始年份",
                articles=[5],
                details={"start_year": plan.start_year, "end_year": plan.end_year},
            )
        _check_items(plan.items, 5)
        return plan

    def approve(self, by: str, on: date) -> None:
        """The provincial government approves: the plan takes effect (第五条)."""
        if self.status != "draft":
            raise StateConflict(
                f"plan {self.id} is already {self.status}",
                f"规划 {self.id} 已是 {self.status} 状态",
                articles=[5],
                details={"status": self.status},
            )
        self.status, self.approved_by, self.approved_on = "approved", by, on

    def in_force(self, year: int) -> bool:
        return self.status == "approved" and self.start_year <= year <= self.end_year


@dataclass
class AnnualPlan:
    id: str
    year: int
    plan_id: str
    items: list[dict[str, str]]
    issued_on: date = field(default_factory=date.today)

    @classmethod
    def issue(cls, plan: Plan, **fields) -> AnnualPlan:
        """An annual guidance plan, derived from a provincial plan in force that year (第五条)."""
        annual = cls(plan_id=plan.id, **fields)
        if not plan.in_force(annual.year):
            raise RuleViolation(
                f"plan {plan.id} is not in force in {annual.year}",
                f"规划 {plan.id} 在 {annual.year} 年未生效（须经省政府批准且在规划期内）",
                articles=[5],
                details={"plan_id": plan.id, "status": plan.status, "year": annual.year},
            )
        _check_items(annual.items, 5)
        return annual


def items_in_force(plans: list[Plan], annual_plans: list[AnnualPlan], year: int) -> set[str]:
    """Item codes an application may reference in ``year`` (第六条)."""
    in_force = {p.id: p for p in plans if p.in_force(year)}
    codes = {i["code"] for p in in_force.values() for i in p.items}
    codes |= {i["code"] for a in annual_plans if a.year == year and a.plan_id in in_force for i in a.items}
    return codes
