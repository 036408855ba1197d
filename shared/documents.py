"""The documents of a project's archive (第二十条) by type, named in English and Chinese: one
vocabulary for the register (planning), acceptance's five reports (第二十三条), the wire formats
(shared.wire) and the console. Plain values, importable by any domain module."""

from __future__ import annotations

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
