"""The project on the register: registration rules, documents, catalog, the application state
machine and its completeness check. No I/O here; every refusal names its article.

Statuses are the public ones of docs/api.md.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.documents import DOC_TYPES, UPLOADABLE, check_replacement, needs_a_change_to_replace
from shared.errors import RuleViolation, StateConflict
from shared.policy import Policy, article_label_zh

KINDS = ("construction", "om")  # 第三条: construction AND O&M are filed
LEVELS = ("province", "city", "county")  # 第四条, 第二十五条


# status → {action: next status}
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"submit": "submitted"},
    "returned": {"submit": "submitted"},
    "submitted": {"open_review": "under_review"},
}
EDITABLE = ("draft", "returned")  # the application can still change (第七条)
CLOSED = ("rejected", "terminated")
APPROVED = ("approved", "in_construction", "completed", "accepted", "in_operation", "suspended")


def project_code(year: int, seq: int) -> str:
    """The lifelong project code: SD-<year of registration>-<6-digit sequence>."""
    return f"SD-{year}-{seq:06d}"


@dataclass
class Document:
    doc_type: str
    title: str
    sha256: str
    version: int
    filed_by: str
    filed_at: datetime


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
    national_ministry: bool = False
    co_builders: list[dict[str, str]] = field(default_factory=list)
    shares: dict[str, Decimal] = field(default_factory=dict)
    schedule_start: date | None = None
    schedule_end: date | None = None
    location: str | None = None
    goals: str | None = None
    content: str | None = None
    status: str = "draft"
    submissions: int = 0
    catalog: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)  # latest version per type
    decisions: list[dict[str, Any]] = field(default_factory=list)  # opinion, DRC, approval
    approved_amount: Decimal | None = None
    approved_on: date | None = None
    national: dict[str, Any] = field(default_factory=dict)  # consent and filing (第十条)
    # a classified project's documents and catalog are filed with security; only the fact
    # of what is on file reaches the register
    classified_material: dict[str, Any] = field(default_factory=dict)
    sharing: dict[str, Any] | None = None  # sharing-platform status (第二十九条)
    status_before_suspension: str | None = None
    # each suspension standing (第十九条 "incident:<id>", 第三十四条 "sanction:<id>"): construction
    # resumes only when none remains
    suspensions: list[str] = field(default_factory=list)

    # -- registration --------------------------------------------------------------------
    @classmethod
    def register(cls, **fields: Any) -> Project:
        project = cls(**fields)
        project.check_registration()
        return project

    def check_registration(self) -> None:
        if self.kind not in KINDS:
            raise RuleViolation(
                f"kind must be one of {KINDS}",
                f"项目类型须为 {KINDS} 之一",
                articles=[3],
                details={"kind": self.kind},
            )
        if self.level not in LEVELS:
            raise RuleViolation(
                f"level must be one of {LEVELS}",
                f"项目层级须为 {LEVELS} 之一",
                articles=[4],
                details={"level": self.level},
            )
        if self.budget_total < 0:
            raise RuleViolation(
                "budget total cannot be negative",
                "投资预算不能为负数",
                articles=[7],
                details={"budget_total": str(self.budget_total)},
            )
        if self.shares and sum(self.shares.values(), Decimal(0)) != self.budget_total:
            raise RuleViolation(
                "the province/city/county shares must add up to the budget total",
                "省、市、县分担额之和须等于投资预算总额",
                articles=[4, 25],
                details={
                    "shares": {k: str(v) for k, v in self.shares.items()},
                    "budget_total": str(self.budget_total),
                },
            )
        if self.schedule_start and self.schedule_end and self.schedule_start > self.schedule_end:
            raise RuleViolation(
                "the schedule ends before it starts",
                "建设周期的结束早于开始",
                articles=[7],
                details={
                    "schedule": {
                        "start": self.schedule_start.isoformat(),
                        "end": self.schedule_end.isoformat(),
                    }
                },
            )
        units = [c["unit"] for c in self.co_builders]
        if self.unit in units or len(set(units)) != len(units):
            raise RuleViolation(
                "co-builders must be other departments, each named once",
                "共建部门须为牵头部门以外的部门，且不得重复",
                articles=[14],
                details={"co_builders": units},
            )
        if self.classified and any((self.goals, self.content, self.location)):
            # 涉密 content never reaches the register or the bus (第四条, docs/regulation.md §13)
            raise RuleViolation(
                "a classified project's goals, content and location are filed with the secrecy "
                "bureau, not on the register",
                "涉密项目的建设目标、内容和地点须报送保密部门，不在登记系统中填报",
                articles=[4],
                details={"classified": True},
            )

    # -- the application ----------------------------------------------------------------
    def _require_status(self, allowed: tuple[str, ...], action: str, articles: list[int]) -> None:
        if self.status not in allowed:
            raise StateConflict(
                f"project {self.code} is {self.status}: cannot {action}",
                f"项目 {self.code} 当前状态为 {self.status}，不能{action_zh(action)}",
                articles=articles,
                details={"status": self.status, "action": action},
            )

    def _refuse_if_classified(self, what: str, what_zh: str) -> None:
        if self.classified:
            raise RuleViolation(
                f"a classified project's {what} are filed with the secrecy bureau's service "
                f"(PUT /projects/{self.code}/classified-content), not on the register",
                f"涉密项目的{what_zh}须报送保密部门，不在登记系统中填报",
                articles=[4],
                details={"classified": True},
            )

    def needs_a_change_to_replace(self, doc_type: str) -> bool:
        """After approval the construction plan and the investment budget are what the project
        is built to (第十七条): a new version of either needs an approved change (第十八条)."""
        return needs_a_change_to_replace(
            doc_type, approved=self.status in APPROVED, on_file=doc_type in self.documents
        )

    def file_document(
        self, doc_type: str, title: str, sha256: str, by: str, at: datetime, change: str | None = None
    ) -> Document:
        """File (a new version of) a document into the project's archive (第二十条);
        ``change``: the approved change that lets a plan or budget be replaced, if any."""
        self._refuse_if_classified("documents", "文件")
        if doc_type not in UPLOADABLE:
            raise RuleViolation(
                f"unknown document type {doc_type!r}",
                f"未知的文件类型 {doc_type}",
                articles=[20],
                details={"doc_type": doc_type, "allowed": list(UPLOADABLE)},
            )
        if self.status in CLOSED:
            self._require_status((), "file documents", [20])
        check_replacement(
            doc_type,
            approved=self.status in APPROVED,
            on_file=doc_type in self.documents,
            change=change is not None,
            details={"status": self.status},
        )
        previous = self.documents.get(doc_type)
        document = Document(doc_type, title, sha256.lower(), previous.version + 1 if previous else 1, by, at)
        self.documents[doc_type] = document
        return document

    def set_catalog(self, resources: list[dict[str, Any]]) -> None:
        """The information-resource catalog of the application (第二十七条)."""
        self._refuse_if_classified("catalog resources", "信息资源目录")
        self._require_status(EDITABLE, "change the catalog", [27])
        problems = {}
        for i, resource in enumerate(resources):
            if resource["sharing_type"] == "conditional" and not resource.get("sharing_conditions"):
                problems[f"resources.{i}.sharing_conditions"] = [
                    "required when sharing is conditional / 有条件共享须写明共享条件"
                ]
        if problems:
            raise RuleViolation(
                "conditional sharing needs its conditions",
                "有条件共享的资源须写明共享条件",
                articles=[27],
                details=problems,
            )
        self.catalog = resources

    def missing_for_submission(
        self, policy: Policy, plan_items: AbstractSet[str] | None = None
    ) -> list[dict[str, Any]]:
        """EVERY item the application still lacks, each with its article (第六条, 第七条,
        第十四条, 第二十七条). ``plan_items``: the plan items in force (None: not checked)."""
        missing = []
        if plan_items is not None and self.plan_item not in plan_items:
            missing.append(
                {
                    "item": "plan_item",
                    "articles": [article_label_zh(6)],
                    "message": "missing: the item of a plan in force this application implements"
                    + (f" ({self.plan_item!r} is not one)" if self.plan_item else ""),
                    "message_zh": "缺少：申报所依据的已生效建设规划或年度指导计划条目"
                    + (f"（{self.plan_item} 不在其中）" if self.plan_item else ""),
                }
            )
        required = policy.param("required_documents", "application")
        needed = list(required["always"])
        if self.new_civil_works:
            needed += required["new_civil_works"]
        if self.co_builders:
            needed += required["cross_department"]
        on_file = (
            set(self.classified_material.get("doc_types", [])) if self.classified else set(self.documents)
        )
        has_catalog = (
            self.classified_material.get("catalog", False) if self.classified else bool(self.catalog)
        )
        for item in needed:
            doc = item["doc"]
            present = has_catalog if doc == "resource_catalog" else doc in on_file
            if not present:
                en, zh = DOC_TYPES[doc]
                missing.append(
                    {
                        "item": doc,
                        "articles": [article_label_zh(item["article"])],
                        "message": f"missing: {en}",
                        "message_zh": f"缺少：{zh}",
                    }
                )
        return missing

    def submit(self, policy: Policy, plan_items: AbstractSet[str]) -> int:
        """Submit the application (第六条, 第七条); returns the submission number."""
        self._require_status(tuple(s for s, t in TRANSITIONS.items() if "submit" in t), "submit", [6, 7])
        missing = self.missing_for_submission(policy, plan_items)
        if missing:
            raise RuleViolation(
                f"the application is incomplete: {len(missing)} item(s) missing",
                f"申报材料不齐全：缺少 {len(missing)} 项",
                articles=[6, 7, 27],
                details={"missing": missing},
            )
        self.status = TRANSITIONS[self.status]["submit"]
        self.submissions += 1
        return self.submissions

    # -- decisions of the reviewing and approving bodies (learned from approval's events) -----
    def apply_opinion(self, submission: int, decision: str, record: dict[str, Any]) -> bool:
        """The round's opinion took effect (第九条). False when stale or already superseded."""
        if submission != self.submissions or self.status not in ("submitted", "under_review"):
            return False
        self.status = {"approve": "awaiting_approval", "reject": "rejected", "revise": "returned"}[decision]
        self.decisions.append(record)
        return True

    def apply_drc_decision(
        self, decision: str, record: dict[str, Any], approved_amount: Decimal | None = None
    ) -> bool:
        """The DRC decided (第四条); a rejection ends the application. ``approved_amount``:
        approval's new figure when the DRC approved a project it took up after its approval
        (in construction already, perhaps)."""
        taken_up = approved_amount is not None and self.approved_on is not None
        if self.status not in ("awaiting_approval", "approved") and not taken_up:
            return False
        self.decisions.append(record)
        if decision == "reject" and self.status == "awaiting_approval":
            self.status = "rejected"
        if taken_up:
            self.approved_amount = approved_amount
        return True

    def approve(self, amount: Decimal, on: date, record: dict[str, Any]) -> bool:
        """Approved (立项) at ``amount`` (第四条, 第九条)."""
        if self.status not in ("submitted", "under_review", "awaiting_approval"):
            return False
        self.status, self.approved_amount, self.approved_on = "approved", amount, on
        self.decisions.append(record)
        return True

    # -- national-ministry projects (第十条) ---------------------------------------------------
    def _require_national(self) -> None:
        if not self.national_ministry:
            raise RuleViolation(
                f"project {self.code} is not applied for with a national ministry",
                f"项目 {self.code} 不属于向国家部委申报的项目",
                articles=[10],
                details={"national_ministry": False},
            )

    def record_national_consent(self, decision: str, by: str, on: date) -> None:
        """The office's opinion on applying to the ministry, needed BEFORE applying (第十条)."""
        self._require_national()
        if "consent" in self.national:
            raise StateConflict(
                "the office has already given its opinion on this application",
                "省政务服务管理办公室已就该申报出具意见",
                articles=[10],
                details={"consent": self.national["consent"]},
            )
        self.national["consent"] = {"decision": decision, "by": by, "on": on.isoformat()}

    def file_national_approval(self, filing: dict[str, Any], by: str, on: date) -> bool:
        """File the ministry's approval with the office (第十条). Returns whether the office had
        consented first; a filing without consent is still recorded — it is a fact, and a
        violation for supervision."""
        self._require_national()
        if "filing" in self.national:
            raise StateConflict(
                "the ministry's approval is already filed",
                "国家部委批复已备案",
                articles=[10],
                details={"filing": self.national["filing"]},
            )
        consented = self.national.get("consent", {}).get("decision") == "consent"
        self.national["filing"] = {**filing, "by": by, "on": on.isoformat(), "with_prior_consent": consented}
        return consented

    # -- sharing platform (第二十九条) -----------------------------------------------------------
    def record_sharing_status(
        self, connected: bool, compliant: bool, checked_on: date, catalog_registered: bool | None = None
    ) -> None:
        previous = self.sharing or {}
        if previous.get("checked_on", "") > checked_on.isoformat():
            raise StateConflict(
                "a later check of the sharing platform is already recorded",
                "已记录更晚的共享平台检查结果",
                articles=[29],
                details={"recorded": previous},
            )
        self.sharing = {
            "connected": connected,
            "sharing_compliant": compliant,
            "checked_on": checked_on.isoformat(),
            "catalog_registered": catalog_registered,
        }

    # -- major changes (第十八条) and suspension (第十九条) --------------------------------------
    def check_change_request(self, changes: dict[str, Any]) -> None:
        self._require_status(("approved", "in_construction"), "request a change", [18])
        if self.classified and any(k in changes for k in ("goal", "location", "content")):
            raise RuleViolation(
                "changes to a classified project's goals, location or content go to the "
                "secrecy bureau, not on the register",
                "涉密项目的目标、地点和内容变更须报送保密部门",
                articles=[4, 18],
                details={"changes": sorted(changes)},
            )

    def apply_change(self, changes: dict[str, Any], approved_amount: Decimal | None) -> None:
        """An approved adjustment updates the register (第十八条)."""
        if "goal" in changes:
            self.goals = changes["goal"]
        if "location" in changes:
            self.location = changes["location"]
        if "content" in changes:
            self.content = changes["content"]
        if "schedule" in changes:
            self.schedule_start = date.fromisoformat(changes["schedule"]["start"])
            self.schedule_end = date.fromisoformat(changes["schedule"]["end"])
        if "budget" in changes:  # as reviewed: the approved amount, not the one requested
            self.budget_total = (
                approved_amount if approved_amount is not None else Decimal(changes["budget"]["total"])
            )
        if approved_amount is not None:
            self.approved_amount = approved_amount

    def start_construction(self) -> bool:
        """From its first filed contract the project is in construction (docs/api.md statuses)."""
        if self.status != "approved":
            return False
        self.status = "in_construction"
        return True

    def take_up_as_fixed_asset(self) -> bool:
        """The DRC took the project up (第四条): the register shows it as its approving body."""
        if self.fixed_asset_investment:
            return False
        self.fixed_asset_investment = True
        return True

    def declare_classified(self) -> bool:
        """The secrecy bureau declared the project classified (第四条): its goals, content,
        location and catalog leave the register (the unit files them with the bureau's
        service); its documents go with them (the application service deletes their rows)."""
        if self.classified:
            return False
        self.classified = True
        self.goals = self.content = self.location = None
        self.catalog = []
        self.documents = {}
        return True

    def reject_classified(self) -> bool:
        """The secrecy bureau refused: a classified application cannot be approved (第四条)."""
        if self.status not in ("submitted", "under_review", "awaiting_approval"):
            return False
        self.status = "rejected"
        return True

    def complete_construction(self) -> bool:
        if self.status not in ("approved", "in_construction"):
            return False
        self.status = "completed"
        return True

    def accept(self) -> bool:
        if self.status != "completed":
            return False
        self.status = "accepted"
        return True

    def go_live(self) -> bool:
        if self.status != "accepted":
            return False
        self.status = "in_operation"
        return True

    def terminate(self) -> bool:
        if self.status in ("terminated", "rejected"):
            return False
        self.status = "terminated"
        return True

    def resume(self, ref: str) -> bool:
        """The suspension ``ref`` was lifted; the project returns to where it was once no other
        suspension stands (a 第三十四条 sanction and a 第十九条 decision may overlap). Raises
        SuspensionNotKnown when the lifting overtook its suspension (separate queues)."""
        if ref not in self.suspensions:
            if UNNAMED_SUSPENSION not in self.suspensions:
                raise SuspensionNotKnown(ref)
            # suspended before the register named each suspension (migration planning_0010):
            # the first lifting not otherwise known ends that one
            ref = UNNAMED_SUSPENSION
        self.suspensions = [s for s in self.suspensions if s != ref]
        if self.suspensions or self.status != "suspended" or not self.status_before_suspension:
            return True  # the list changed; the status stays while another suspension stands
        self.status, self.status_before_suspension = self.status_before_suspension, None
        return True

    def suspend(self, ref: str) -> bool:
        """Construction suspended by ``ref`` — the approving body's (第十九条) or a sanction
        (第三十四条). Every suspension is kept, whatever the status, so its lifting is known; only
        an approved or building project's status becomes ``suspended``."""
        if ref in self.suspensions:
            return False  # the same suspension heard again
        self.suspensions = [*self.suspensions, ref]
        if self.status in ("approved", "in_construction"):
            self.status_before_suspension, self.status = self.status, "suspended"
        return True

    def open_review(self, submission: int) -> bool:
        """The office opened a review case for this submission (第八条); False if stale."""
        if submission != self.submissions or self.status != "submitted":
            return False
        self.status = TRANSITIONS["submitted"]["open_review"]
        return True


# the suspension of a project suspended before the register kept each by name (planning_0010)
UNNAMED_SUSPENSION = "unnamed"


class SuspensionNotKnown(Exception):
    """A lifting overtook the suspension it ends (they travel on separate queues): the event is
    retried until the suspension has arrived."""


_ACTIONS_ZH = {
    "submit": "提交申报",
    "file documents": "提交文件",
    "change the catalog": "修改信息资源目录",
    "request a change": "申请调整",
}


def action_zh(action: str) -> str:
    return _ACTIONS_ZH.get(action, action)
