"""What each event means to a person reading a project's timeline: English and Chinese.
Every event type in the registry has one (tests/unit/test_events.py checks)."""

from __future__ import annotations

TITLES: dict[str, tuple[str, str]] = {
    # planning
    "project_registered": ("project registered", "项目登记"),
    "document_filed": ("document filed into the archive", "文件归档"),
    "catalog_set": ("information-resource catalog set", "编制信息资源目录"),
    "application_submitted": ("application submitted", "提交项目申报"),
    "national_consent_recorded": (
        "office's opinion on applying to a national ministry",
        "向国家部委申报前省政务服务管理办公室意见",
    ),
    "national_approval_filed": ("national ministry's approval filed", "国家部委批复备案"),
    "national_approval_filed_without_consent": (
        "national approval filed without prior consent",
        "未经同意向国家部委申报",
    ),
    "sharing_status_recorded": ("sharing platform status recorded", "共享平台对接及共享情况"),
    "change_requested": ("change requested", "申请项目变更"),
    # approval
    "review_case_opened": ("centralized review case opened", "纳入集中评审"),
    "review_opinion_issued": ("review opinion issued", "出具评审意见"),
    "drc_decision_recorded": ("DRC decision recorded", "发展改革部门审批决定"),
    "fixed_asset_designated": (
        "taken up by the DRC as a fixed-asset project",
        "发展改革部门按涉及固定资产投资项目管理",
    ),
    "project_approved": ("project approved", "项目批复"),
    "change_decided": ("change decided", "项目变更审批"),
    "change_reapproved": ("change re-approved by the DRC", "发展改革部门重新审批项目变更"),
    "rectification_ordered": ("rectification ordered after an incident", "责令整改"),
    "incident_reported": ("serious delay or major loss reported", "报告工程严重逾期或投资重大损失"),
    "construction_suspended": ("construction suspended", "暂停项目建设"),
    "construction_resumed": ("construction resumed after the suspension", "恢复项目建设"),
    # finance
    "budget_recorded": ("budget recorded from the financial review", "财政评审预算"),
    "contract_filed": ("procurement contract filed", "采购合同备案"),
    "disbursement_decided": ("disbursement paid or refused", "资金拨付或拒付"),
    "misappropriation_reported": ("misappropriation of funds reported", "报告资金截留挪用"),
    # acceptance
    "construction_completed": ("construction completed", "项目建设完成"),
    "acceptance_extension_requested": (
        "extension of the acceptance deadline applied for",
        "提出延期验收申请",
    ),
    "acceptance_extension_decided": ("extension of the acceptance deadline decided", "延期验收申请审批"),
    "acceptance_deadline_extended": ("acceptance deadline extended", "延期申请竣工验收"),
    "acceptance_applied": ("acceptance applied for", "申请竣工验收"),
    "acceptance_decided": ("acceptance decided", "竣工验收结论"),
    "acceptance_delegated": ("acceptance delegated to the unit", "委托项目建设单位组织竣工验收"),
    "project_went_live": ("system went live", "投入使用"),
    "annual_report_filed": ("annual report filed", "报送年度建设进度和预算执行情况"),
    "self_evaluation_filed": ("self-evaluation filed", "提交自评价报告"),
    "post_evaluation_reported": ("post-evaluation reported", "第三方后评价报告"),
    # security
    "security_profile_recorded": ("security profile recorded", "安全保护及密码应用方案"),
    "risk_assessment_recorded": ("risk assessment recorded", "风险评估"),
    "crypto_evaluation_recorded": ("cryptography evaluation recorded", "密码应用安全性评估"),
    "secrecy_review_decided": ("secrecy review decided", "保密审查结论"),
    "project_classified": ("declared classified by the secrecy bureau", "保密行政管理部门认定为涉密项目"),
    "classified_material_filed": ("classified material filed with the secrecy bureau", "涉密材料报送"),
    "security_duty_overdue": ("security duty overdue", "安全评估逾期"),
    # supervision
    "finding_recorded": ("finding recorded", "发现问题"),
    "finding_rectification_ordered": ("ordered to rectify by a deadline", "责令限期整改"),
    "finding_rectification_reported": ("rectification reported", "报告整改情况"),
    "finding_rectification_refused": ("refused to rectify", "拒不整改"),
    "finding_verified": ("rectification verified", "核查整改情况"),
    "finding_ignored": ("rectification deadline passed unreported", "逾期未整改"),
    "audit_opened": ("audit opened", "审计立项"),
    "referral_recorded": ("referral recorded", "移送处理"),
    "sanction_imposed": ("sanction imposed", "作出处理"),
    "sanction_lifted": ("sanction lifted", "解除处理"),
    "clock_set": ("simulated clock set", "设置模拟时钟"),
    "calendar_year_loaded": ("official calendar year loaded", "载入年度法定工作日安排"),
}


def title(event_type: str) -> tuple[str, str]:
    return TITLES.get(event_type, (event_type.replace("_", " "), event_type))
