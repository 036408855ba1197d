"""The documents of a project's archive (第二十条) by type, named in English and Chinese: one
vocabulary for the register (planning), acceptance's five reports (第二十三条), the wire formats
(shared.wire) and the console. Plain values, importable by any domain module."""

from __future__ import annotations

from shared.errors import RuleViolation

# document type → (English, Chinese); the archive (第二十条) keeps every version
DOC_TYPES: dict[str, tuple[str, str]] = {
    "construction_plan": ("construction plan", "建设方案"),
    "investment_budget": ("investment budget", "投资预算"),
    "feasibility_study": ("feasibility study report", "可行性研究报告"),
    "preliminary_design": ("preliminary design", "初步设计方案"),
    "overall_plan": ("overall plan of a cross-department project", "跨部门项目整体方案"),
    "construction_summary": ("construction summary", "项目建设总结"),
    "financial_report": ("financial report", "财务报告"),
    "audit_report": ("audit report", "审计报告"),
    "security_risk_assessment": ("information-security risk assessment report", "信息安全风险评估报告"),
    "crypto_application": ("cryptography application status", "密码应用情况"),
    "self_evaluation": ("self-evaluation report", "自评价报告"),
    # 第十五条: the unit's O&M management regime, on file before the system goes into use
    "om_management_rules": ("O&M management rules", "运行维护管理制度"),
    "resource_catalog": ("information-resource catalog", "信息资源目录"),
}
UPLOADABLE = tuple(d for d in DOC_TYPES if d != "resource_catalog")  # the catalog has its own form

# what the project is built to (第十七条): after approval replaced only under an approved
# change (第十八条) — in the register (planning) and, for a classified project, with security
PLAN_AND_BUDGET = ("construction_plan", "investment_budget")


def needs_a_change_to_replace(doc_type: str, *, approved: bool, on_file: bool) -> bool:
    """After approval the construction plan and the investment budget are what the project is
    built to (第十七条): a new version of either (one is ``on_file``) needs an approved change
    (第十八条)."""
    return doc_type in PLAN_AND_BUDGET and approved and on_file


def check_replacement(doc_type: str, *, approved: bool, on_file: bool, change: bool, details: dict) -> None:
    """Refuse a new version of the approved plan or budget without an approved change that has
    not replaced it yet (``change``) — 第十七条, 第十八条."""
    if change or not needs_a_change_to_replace(doc_type, approved=approved, on_file=on_file):
        return
    what, what_zh = DOC_TYPES[doc_type]
    raise RuleViolation(
        f"the approved project is built to its {what} (第十七条): replacing it needs an "
        "approved change (第十八条) that has not replaced it yet",
        f"项目已批复，须严格按照批复的{what_zh}实施（第十七条）；更换须先经批准的调整申请（第十八条）",
        articles=[17, 18],
        details={"doc_type": doc_type, **details},
    )
