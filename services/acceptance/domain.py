"""Completion, the 3-month acceptance clock and its extensions, the acceptance application and
decision, go-live and the 12–24-month self-evaluation window. No I/O here.

第二十二条, 第二十三条: within 3 months of finishing construction the unit applies for acceptance
with five reports; the approving body organises it; the report is filed with the office.
第二十四条: 12 to 24 months after acceptance and going live, the self-evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.documents import DOC_TYPES
from shared.errors import RuleViolation, StateConflict
from shared.policy import Policy, article_label_zh
from shared.timekit import Window, add_months, months_window

# the five reports of an acceptance application (第二十三条), named as the archive names them
REPORT_NAMES = {
    doc: DOC_TYPES[doc]
    for doc in (
        "construction_summary",
        "financial_report",
        "audit_report",
        "security_risk_assessment",
        "crypto_application",
    )
}


def missing_reports(archive: set[str], policy: Policy) -> list[dict[str, Any]]:
    """The reports an acceptance application needs (第二十三条) that are not in the archive —
    all of them for an empty one."""
    missing = []
    for item in policy.param("required_documents", "acceptance"):
        if item["doc"] not in archive:
            en, zh = REPORT_NAMES[item["doc"]]
            missing.append(
                {
                    "item": item["doc"],
                    "articles": [article_label_zh(item["article"])],
                    "message": f"missing: {en}",
                    "message_zh": f"缺少：{zh}",
                }
            )
    return missing


# 第十五条: the unit keeps an O&M management regime — its rules are on file before going live
OM_RULES = "om_management_rules"

ITEMS = {"catalog_registered": 28, "products_controllable": 32}  # acceptance item → article
ITEM_ZH = {
    "catalog_registered": "信息资源目录已纳入共享平台目录管理系统",
    "products_controllable": "关键产品安全可控",
}
SOURCE_ZH = {"sharing_status": "共享平台检查记录", "security_profile": "安全保护方案", "contract": "合同"}


def items_from_facts(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What the suite knows of each acceptance item (第二十八条, 第三十二条), from the other
    services' facts: the office's latest sharing-platform record (the catalog registered in the
    platform's catalog system), and the key products' controllability in the security profile
    and in each filed contract's product list. ``value``: True or False where a fact says so
    (False as soon as one source says False), None where nothing is known; ``from``: each
    source and what it says."""
    sharing = facts.get("sharing_status_recorded") or {}
    catalog = (
        [
            {
                "source": "sharing_status",
                "checked_on": sharing.get("checked_on"),
                "value": sharing["catalog_registered"],
            }
        ]
        if sharing.get("catalog_registered") is not None
        else []
    )
    profile = (facts.get("security_profile_recorded") or {}).get("products_all_controllable")
    products = [{"source": "security_profile", "value": profile}] if profile is not None else []
    products += [
        {"source": "contract", "contract_no": no, "value": v}
        for no, v in sorted((facts.get("contracts") or {}).items())
        if v is not None
    ]

    def value(sources: list[dict[str, Any]]) -> bool | None:
        return None if not sources else all(s["value"] for s in sources)

    return {
        "catalog_registered": {"value": value(catalog), "from": catalog},
        "products_controllable": {"value": value(products), "from": products},
    }


def contradictions(items: dict[str, Any], known: dict[str, dict[str, Any]]) -> list[dict]:
    """Each fact a claimed item contradicts: an item stated met that a source says is not."""
    out = []
    for item, article in ITEMS.items():
        if not items.get(item):
            continue
        for source in known[item]["from"]:
            if source["value"] is not False:
                continue
            no = source.get("contract_no")
            where = source["source"].replace("_", " ") + (f" {no}" if no else "")
            where_zh = SOURCE_ZH[source["source"]] + (f" {no}" if no else "")
            out.append(
                {
                    "item": item,
                    "source": source,
                    "articles": [article_label_zh(article)],
                    "message": f"{item} is stated met, but the {where} says it is not",
                    "message_zh": f"验收事项“{ITEM_ZH[item]}”与{where_zh}记载不符",
                }
            )
    return out


@dataclass
class AcceptanceFile:
    project_code: str
    unit: str
    regulation_version: str
    completed_on: date | None = None
    acceptance_due: date | None = None
    deadline_ledger: list[dict[str, Any]] = field(default_factory=list)
    extension: dict[str, Any] | None = None  # the pending extension application
    applied_on: date | None = None
    decision: dict[str, Any] | None = None
    live_on: date | None = None
    self_evaluation: dict[str, Any] | None = None
    delegation: dict[str, Any] | None = None  # the approving body let the unit organise it

    # -- completion and the acceptance clock (第二十三条) ---------------------------------------
    def complete(self, completed_on: date, today: date, policy: Policy, by: str) -> date:
        if self.completed_on is not None:
            raise StateConflict(
                "construction is already declared finished",
                "已申报项目建设完成",
                articles=[23],
                details={"completed_on": self.completed_on.isoformat()},
            )
        if completed_on > today:
            raise RuleViolation(
                "construction cannot finish in the future",
                "完成日期不能晚于今日",
                articles=[23],
                details={"completed_on": completed_on.isoformat()},
            )
        months = policy.param("acceptance_application", "months")
        self.completed_on = completed_on
        self.acceptance_due = add_months(completed_on, months)
        self.deadline_ledger.append(
            {
                "at": today.isoformat(),
                "by": by,
                "from": None,
                "to": self.acceptance_due.isoformat(),
                "articles": [23],
                "why": f"construction finished {completed_on.isoformat()}: {months} months to apply",
            }
        )
        return self.acceptance_due

    def request_extension(self, reason: str, requested_due: date, by: str, today: date) -> None:
        """A unit that cannot apply in time files an extension application (第二十三条)."""
        if self.acceptance_due is None or self.applied_on is not None:
            raise StateConflict(
                "an extension applies to a running acceptance clock",
                "仅在待申请验收期间可申请延期",
                articles=[23],
            )
        if self.extension is not None:
            raise StateConflict(
                "an extension application is already pending", "已有待审批的延期申请", articles=[23]
            )
        if requested_due <= self.acceptance_due:
            raise RuleViolation(
                "the requested date must be after the current deadline",
                "申请的期限须晚于现行期限",
                articles=[23],
                details={"acceptance_due": self.acceptance_due.isoformat()},
            )
        self.extension = {
            "reason": reason,
            "requested_due": requested_due.isoformat(),
            "by": by,
            "on": today.isoformat(),
        }

    def decide_extension(
        self, granted: bool, by: str, today: date, granted_due: date | None = None
    ) -> date | None:
        """The clock moves only when granted, and the ledger says who, when and why."""
        if self.extension is None:
            raise StateConflict("no extension application is pending", "没有待审批的延期申请", articles=[23])
        request, self.extension = self.extension, None
        assert self.acceptance_due is not None  # an extension is asked of a running clock
        if not granted:
            self.deadline_ledger.append(
                {
                    "at": today.isoformat(),
                    "by": by,
                    "from": self.acceptance_due.isoformat(),
                    "to": self.acceptance_due.isoformat(),
                    "articles": [23],
                    "why": f"extension refused: {request['reason']}",
                }
            )
            return None
        new_due = granted_due or date.fromisoformat(request["requested_due"])
        if new_due <= self.acceptance_due:
            raise RuleViolation("an extension moves the deadline later", "延期须晚于现行期限", articles=[23])
        self.deadline_ledger.append(
            {
                "at": today.isoformat(),
                "by": by,
                "from": self.acceptance_due.isoformat(),
                "to": new_due.isoformat(),
                "articles": [23],
                "why": f"extension granted: {request['reason']}",
            }
        )
        self.acceptance_due = new_due
        return new_due

    # -- application and decision (第二十二条, 第二十三条) ----------------------------------------
    def missing_reports(self, archive: set[str], policy: Policy) -> list[dict[str, Any]]:
        return missing_reports(archive, policy)

    def apply(self, archive: set[str], policy: Policy, today: date) -> None:
        if self.completed_on is None:
            raise StateConflict(
                "declare construction finished before applying for acceptance",
                "须先申报项目建设完成，再申请竣工验收",
                articles=[23],
            )
        if self.applied_on is not None and (self.decision is None or self.decision["passed"]):
            raise StateConflict("acceptance is already applied for", "已提交竣工验收申请", articles=[23])
        missing = self.missing_reports(archive, policy)
        if missing:
            raise RuleViolation(
                f"the acceptance application lacks {len(missing)} report(s)",
                f"竣工验收申请缺少 {len(missing)} 项报告",
                articles=[23],
                details={"missing": missing},
            )
        self.applied_on, self.decision = today, None

    def decide(
        self,
        passed: bool,
        findings: str,
        report_document: str,
        items: dict[str, bool | None],
        by: str,
        today: date,
        facts: dict[str, Any] | None = None,
    ) -> None:
        """Organised by the approving body (or delegated to the unit); the report is filed with
        the office. A pass needs the catalog registered in the sharing platform (第二十八条) and
        the key products' controllability checked (第三十二条). An item not stated is taken
        from the facts (``items_from_facts``); a pass stating an item the facts contradict is
        refused, listing each contradiction."""
        if self.applied_on is None or self.decision is not None:
            raise StateConflict(
                "no acceptance application awaits a decision", "没有待决定的竣工验收申请", articles=[22, 23]
            )
        known = items_from_facts(facts or {})
        items = {k: (items.get(k) if items.get(k) is not None else known[k]["value"]) for k in ITEMS}
        if passed:
            contradicted = contradictions(items, known)
            if contradicted:
                raise RuleViolation(
                    f"a pass contradicting what the suite knows: {len(contradicted)} contradiction(s)",
                    f"验收结论与已知情况不符（{len(contradicted)} 处）",
                    articles=sorted({ITEMS[c["item"]] for c in contradicted}),
                    details={"contradictions": contradicted},
                )
            failing = {
                k: v
                for k, v in (("catalog_registered", 28), ("products_controllable", 32))
                if not items.get(k)
            }
            if failing:
                raise RuleViolation(
                    "a pass needs every acceptance item met",
                    "验收通过须满足全部验收事项",
                    articles=sorted(failing.values()),
                    details={k: [f"required for a pass ({article_label_zh(a)})"] for k, a in failing.items()},
                )
        self.decision = {
            "passed": passed,
            "findings": findings,
            "report_document": report_document,
            "items": items,
            "by": by,
            "on": today.isoformat(),
        }

    # -- who organises it (第二十二条) and where its report goes (第二十三条) -------------------
    def delegate(self, body: str, by: str, comments: str, today: date) -> None:
        """竣工验收由项目审批部门或项目审批部门委托项目建设单位组织 (第二十二条): the approving
        body lets the unit organise and record its acceptance — once, and before a pass."""
        if self.accepted_on is not None:
            raise StateConflict(
                "acceptance has already passed: there is nothing to delegate",
                "项目已通过竣工验收，无需委托组织",
                articles=[22],
                details={"accepted_on": self.accepted_on.isoformat()},
            )
        if self.delegation is not None:
            raise StateConflict(
                "acceptance is already delegated to the unit",
                "已委托项目建设单位组织竣工验收",
                articles=[22],
                details={"delegation": self.delegation},
            )
        self.delegation = {"body": body, "by": by, "comments": comments, "on": today.isoformat()}

    def file_with_office(self, organised_by: str, today: date) -> None:
        """验收报告报省政务服务管理办公室备案 (第二十三条): the decision records who organised the
        acceptance — the approving body, or the unit it delegated to — and the report's filing
        with the office."""
        assert self.decision is not None  # filed once decided
        self.decision = {
            **self.decision,
            "organised_by": organised_by,
            "delegation": self.delegation,
            "filed_with_office": {
                "on": today.isoformat(),
                "report_document": self.decision["report_document"],
            },
        }

    @property
    def accepted_on(self) -> date | None:
        if self.decision and self.decision["passed"]:
            return date.fromisoformat(self.decision["on"])
        return None

    # -- go-live and post-evaluation (第二十四条) ------------------------------------------------
    # 第二十一条 (验收和后评价制度): acceptance comes before use, evaluation after it — the
    # refusals below cite it beside the articles that set each step
    def go_live(self, live_on: date, archive: set[str]) -> None:
        """Into use once accepted (第二十一条, 第二十三条, 第二十四条), with the unit's O&M
        management rules in the archive (``archive``: the document types on file): 项目建设单位
        应建立完善政务信息系统项目运行维护管理制度 (第十五条)."""
        if self.accepted_on is None:
            raise StateConflict(
                "a project goes live after it passed acceptance",
                "项目须通过竣工验收后投入使用",
                articles=[21, 23, 24],
            )
        if self.live_on is not None:
            raise StateConflict("the project is already live", "项目已投入使用", articles=[24])
        if live_on < self.accepted_on:
            # use follows the passed acceptance (验收和后评价制度; 竣工验收并投入使用): a go-live
            # dated before the pass would record the use the gate above refuses
            raise RuleViolation(
                f"a project goes live on or after the day it passed acceptance ({self.accepted_on})",
                f"投入使用日期不得早于竣工验收通过日期（{self.accepted_on}）",
                articles=[21, 23, 24],
                details={
                    "live_on": [f"on or after {self.accepted_on} (the acceptance) / 不得早于竣工验收通过日期"]
                },
            )
        if OM_RULES not in archive:
            en, zh = DOC_TYPES[OM_RULES]
            raise RuleViolation(
                "a system goes live with the unit's O&M management rules on file",
                "项目投入使用前，项目建设单位须提交运行维护管理制度",
                articles=[15, 24],
                details={
                    "missing": [
                        {
                            "item": OM_RULES,
                            "articles": [article_label_zh(15)],
                            "message": f"missing: {en}",
                            "message_zh": f"缺少：{zh}",
                        }
                    ]
                },
            )
        self.live_on = live_on

    def evaluation_window(self, policy: Policy) -> Window | None:
        if self.accepted_on is None or self.live_on is None:
            return None
        start = max(self.accepted_on, self.live_on)  # accepted AND in use
        return months_window(
            start,
            policy.param("self_evaluation_window", "opens_months"),
            policy.param("self_evaluation_window", "closes_months"),
        )

    def file_self_evaluation(self, report_document: str, policy: Policy, today: date, by: str) -> None:
        window = self.evaluation_window(policy)
        if window is None:
            raise StateConflict(
                "the self-evaluation follows acceptance and going live",
                "自评价须在项目竣工验收并投入使用后进行",
                articles=[21, 24],
            )
        position = window.position(today)
        if position != "open":
            raise RuleViolation(
                f"the self-evaluation is accepted from {window.opens} to {window.closes}",
                f"自评价须在 {window.opens} 至 {window.closes} 期间提交",
                articles=[24],
                details={
                    "opens": window.opens.isoformat(),
                    "closes": window.closes.isoformat(),
                    "today": today.isoformat(),
                    "position": position,
                },
            )
        if self.self_evaluation is not None:
            raise StateConflict("the self-evaluation is already filed", "自评价已提交", articles=[24])
        self.self_evaluation = {"report_document": report_document, "on": today.isoformat(), "by": by}

    def check_post_evaluation(self) -> None:
        """A third-party post-evaluation is commissioned once the project passed acceptance
        and went live (第二十一条 验收和后评价制度, 第二十四条)."""
        if self.accepted_on is None or self.live_on is None:
            raise StateConflict(
                "post-evaluation follows acceptance and going live",
                "后评价须在项目竣工验收并投入使用后进行",
                articles=[21, 24],
                details={"accepted": self.accepted_on is not None, "live": self.live_on is not None},
            )


def check_annual_report(
    year: int, today: date, in_trial_operation: bool, trial_run_effects: str | None, policy: Policy
) -> bool:
    """第十六条: before each year's end, progress and budget execution; a project in trial
    operation also reports its effects and problems. Returns whether it is on time."""
    if year > today.year:
        raise RuleViolation(
            "a report covers a year that has begun",
            "不能报告尚未开始年度的情况",
            articles=[16],
            details={"year": year},
        )
    if in_trial_operation and not trial_run_effects:
        raise RuleViolation(
            "a project in trial operation reports its effects and problems",
            "已投入试运行的项目须说明试运行效果及存在问题",
            articles=[16],
            details={"trial_run_effects": ["required in trial operation"]},
        )
    return today <= policy.annual_report_due(year)
