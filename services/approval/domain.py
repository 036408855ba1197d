"""Review cases, centralized review rounds, opinions and the approval decision. No I/O here.

第八条: the office reviews necessity and feasibility in centralized rounds and issues one opinion
per project. 第九条: the opinion is the precondition of approval and of money. 第四条: a project
with fixed-asset investment also needs the DRC's approval, and a classified one the secrecy
bureau's confirmation, before it is approved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from shared.errors import RuleViolation, StateConflict

DECISIONS = ("approve", "reject", "revise")


def case_id(project_code: str, submission: int) -> str:
    """One case per submission of a project: a redelivered or replayed event cannot open two."""
    return f"RC-{project_code}-{submission}"


@dataclass
class Opinion:
    decision: str
    necessity: str
    feasibility: str
    approved_amount: Decimal | None
    comments: str
    reviewer: str


@dataclass
class ReviewCase:
    id: str
    project_code: str
    submission: int
    unit: str
    name: str
    budget_total: Decimal
    fixed_asset_investment: bool
    classified: bool
    regulation_version: str
    opened_on: date
    status: str = "open"  # open → in_round → decided
    round_id: str | None = None
    opinion: Opinion | None = None
    issued_on: date | None = None
    drc_decision: str | None = None  # approve | reject
    drc_investment: Decimal | None = None
    drc_document_no: str | None = None
    secrecy_confirmed: bool = False
    approved_on: date | None = None

    @classmethod
    def open_for(
        cls, project_code: str, regulation_version: str, application: dict[str, Any], today: date
    ) -> ReviewCase:
        """The office takes a submitted application into review (第八条)."""
        return cls(
            id=case_id(project_code, application["submission"]),
            project_code=project_code,
            submission=application["submission"],
            unit=application["unit"],
            name=application["name"],
            budget_total=Decimal(application["budget_total"]),
            fixed_asset_investment=application["fixed_asset_investment"],
            classified=application["classified"],
            regulation_version=regulation_version,
            opened_on=today,
        )

    # -- the opinion (第八条, 第九条) ----------------------------------------------------------
    @property
    def favourable(self) -> bool:
        return self.status == "decided" and self.opinion is not None and self.opinion.decision == "approve"

    def record_opinion(self, round_id: str, opinion: Opinion) -> None:
        if self.round_id != round_id or self.status != "in_round":
            raise StateConflict(
                f"project {self.project_code} is not under review in round {round_id}",
                f"项目 {self.project_code} 不在评审批次 {round_id} 中",
                articles=[8],
                details={"project": self.project_code, "round": round_id},
            )
        if self.opinion is not None:
            raise StateConflict(
                f"project {self.project_code} already has its opinion in this round",
                f"项目 {self.project_code} 在本批次中已有审核意见",
                articles=[8],
                details={"project": self.project_code},
            )
        if opinion.decision == "approve":
            if opinion.approved_amount is None or opinion.approved_amount <= 0:
                raise RuleViolation(
                    "a favourable opinion states the approved amount",
                    "同意的审核意见须核定投资金额",
                    articles=[8, 9],
                    details={"approved_amount": ["required when approving"]},
                )
            if opinion.approved_amount > self.budget_total:
                raise RuleViolation(
                    "the approved amount exceeds the amount applied for",
                    "核定金额超过申报的投资预算",
                    articles=[8, 17],
                    details={
                        "approved_amount": str(opinion.approved_amount),
                        "budget_total": str(self.budget_total),
                    },
                )
        elif opinion.approved_amount is not None:
            raise RuleViolation(
                "only a favourable opinion approves an amount",
                "仅同意的审核意见可核定金额",
                articles=[8],
                details={"approved_amount": ["only when approving"]},
            )
        self.opinion = opinion

    def issue(self, today: date) -> None:
        """The round closes: the opinion takes effect (第九条)."""
        self.status, self.issued_on = "decided", today

    # -- approval (第四条, 第九条) ---------------------------------------------------------------
    def record_drc_decision(self, decision: str, investment: Decimal | None, document_no: str) -> None:
        if not self.fixed_asset_investment:
            raise RuleViolation(
                f"project {self.project_code} involves no fixed-asset investment: no DRC approval",
                f"项目 {self.project_code} 不涉及固定资产投资，无需发展改革委立项审批",
                articles=[4],
                details={"fixed_asset_investment": False},
            )
        if not self.favourable:
            raise StateConflict(
                "the DRC approves only after a favourable review opinion",
                "发展改革委须在省政务服务管理办公室出具同意的审核意见后审批",
                articles=[4, 9],
                details={
                    "case_status": self.status,
                    "opinion": self.opinion.decision if self.opinion else None,
                },
            )
        if self.drc_decision is not None:
            raise StateConflict(
                "the DRC has already decided on this application",
                "发展改革委已对该申请作出决定",
                articles=[4],
                details={"drc_decision": self.drc_decision},
            )
        if decision == "approve" and (investment is None or investment <= 0):
            raise RuleViolation(
                "an approval states the approved investment",
                "立项批复须载明批准投资额",
                articles=[4],
                details={"approved_investment": ["required when approving"]},
            )
        self.drc_decision, self.drc_investment, self.drc_document_no = (decision, investment, document_no)

    @staticmethod
    def check_take_up(code: str, case: ReviewCase | None) -> None:
        """The DRC takes up a project it knows — submitted for review, or approved — and not
        one it already approves (第四条)."""
        if case is None:
            raise StateConflict(
                f"project {code} has no application under review or approved: the DRC takes "
                "up a project once it has been submitted",
                f"项目 {code} 尚无已申报（评审中或已批复）的申请：项目申报后发展改革委方可将其"
                "纳入固定资产投资项目审批",
                articles=[4],
                details={"project": code},
            )
        if case.fixed_asset_investment:
            raise StateConflict(
                f"project {code} is already a fixed-asset project: the DRC is its approving body",
                f"项目 {code} 已为涉及固定资产投资的项目，项目审批部门已为发展改革委",
                articles=[4],
                details={"project": code, "approving_body": "drc"},
            )

    def waiting_for(self) -> list[str]:
        """What still stands between a favourable opinion and approval."""
        waiting = []
        if self.fixed_asset_investment and self.drc_decision != "approve":
            waiting.append("drc")
        if self.classified and not self.secrecy_confirmed:
            waiting.append("secrecy")
        return waiting

    def approve_if_complete(self, today: date) -> bool:
        """Approved (立项) once every precondition holds; True the first time only."""
        if self.approved_on or not self.favourable or self.drc_decision == "reject" or self.waiting_for():
            return False
        self.approved_on = today
        return True

    @property
    def approved_amount(self) -> Decimal | None:
        approved = self.opinion.approved_amount if self.opinion else None
        if self.drc_decision == "approve" and self.drc_investment is not None and approved is not None:
            return min(self.drc_investment, approved)
        return approved

    def approved_amount_after_take_up(self) -> Decimal | None:
        """The approved amount a DRC approval sets on a project it took up after the office
        had approved it (第四条: fixed-asset projects are approved by the DRC; 第十七条: built
        within the approving body's budget) — the DRC's investment where lower. None when the
        project was not approved before (its approval, ``project_approved``, carries the amount)
        or the DRC did not approve."""
        if self.approved_on is None or self.drc_decision != "approve":
            return None
        return self.approved_amount


@dataclass
class ReviewRound:
    """A centralized review round (集中评审, 第八条)."""

    id: str
    title: str
    opened_on: date
    opened_by: str
    case_ids: list[str] = field(default_factory=list)
    status: str = "open"
    closed_on: date | None = None

    @staticmethod
    def check_cases(requested: list[str], cases: dict[str, ReviewCase | None]) -> None:
        """Every project must have an open review case, not already in a round (第八条)."""
        problems = {}
        for code in requested:
            case = cases.get(code)
            if case is None:
                problems[code] = "no submitted application awaiting review / 无待评审的申报"
            elif case.status != "open":
                problems[code] = f"already {case.status} / 已在评审中或已出具意见"
        if len(set(requested)) != len(requested):
            problems["projects"] = "a project is named twice / 项目重复"
        if problems:
            raise RuleViolation(
                "some projects cannot enter this review round",
                "部分项目不能纳入本评审批次",
                articles=[8],
                details={"projects": problems},
            )

    def require_open(self) -> None:
        if self.status != "open":
            raise StateConflict(
                f"round {self.id} is already closed",
                f"评审批次 {self.id} 已结束",
                articles=[8],
                details={"status": self.status},
            )

    def close(self, cases: list[ReviewCase], today: date) -> None:
        self.require_open()
        without = [c.project_code for c in cases if c.opinion is None]
        if without:
            raise RuleViolation(
                "every project in the round needs its opinion before the round closes",
                "评审批次结束前须对每个项目出具审核意见",
                articles=[8, 9],
                details={"missing_opinions": without},
            )
        self.status, self.closed_on = "closed", today
        for case in cases:
            case.issue(today)
