"""What a person reads: labels in Chinese and English, money in 元 with thousands separators,
times in Beijing time. Chinese first; English a click away.

Only words live here. Field types, limits and choices come from the services' marshmallow
schemas (forms.py); refusals come from the services, already bilingual.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from shared.events.titles import title
from shared.wire import DOC_TYPES

LANGS = ("zh", "en")
BEIJING = ZoneInfo("Asia/Shanghai")

ROLES: dict[str, tuple[str, str]] = {
    "unit": ("项目建设单位", "construction unit"),
    "office": ("政务服务管理办公室", "service management office"),
    "drc": ("发展改革委", "development and reform commission"),
    "finance": ("财政厅", "finance department"),
    "audit": ("审计厅", "audit office"),
    "secrecy": ("国家保密局", "state secrecy bureau"),
    "evaluator": ("第三方评价机构", "third-party evaluator"),
    "group": ("省政府（领导小组）", "provincial government (leading group)"),
    "operator": ("运维人员", "operator"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "draft"),
    "submitted": ("已申报", "submitted"),
    "under_review": ("评审中", "under review"),
    "returned": ("退回修改", "returned"),
    "rejected": ("未通过", "rejected"),
    "awaiting_approval": ("待审批", "awaiting approval"),
    "approved": ("已批复", "approved"),
    "in_construction": ("建设中", "in construction"),
    "completed": ("已完工", "completed"),
    "accepted": ("已验收", "accepted"),
    "in_operation": ("运行中", "in operation"),
    "suspended": ("已暂停", "suspended"),
    "terminated": ("已终止", "terminated"),
    # review cases, rounds, deadlines, findings, sanctions
    "open": ("进行中", "open"),
    "in_round": ("评审批次中", "in a round"),
    "decided": ("已出具意见", "decided"),
    "closed": ("已结束", "closed"),
    "met": ("已按期完成", "met"),
    "missed": ("已逾期", "missed"),
    "void": ("已作废", "void"),
    "ordered": ("已责令整改", "rectification ordered"),
    "reported": ("已报告整改", "reported"),
    "resolved": ("已整改", "resolved"),
    "ignored": ("逾期未整改", "ignored"),
    "failed": ("整改未通过", "failed"),
    "refused_to_rectify": ("拒不整改", "refused to rectify"),
    "active": ("生效中", "active"),
    "lifted": ("已解除", "lifted"),
    "paid": ("已支付", "paid"),
    "refused": ("已拒付", "refused"),
    "rectification_ordered": ("已责令整改", "rectification ordered"),
    # change requests, incidents
    "pending": ("待审核", "pending"),
    "resumed": ("已恢复建设", "resumed"),
}

# field name (as in the schemas) → label; a dotted key names a nested field when it differs
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("项目名称", "project name"),
    "kind": ("项目类型", "kind"),
    "level": ("项目层级", "level"),
    "plan_item": ("规划条目", "plan item"),
    "fixed_asset_investment": ("含固定资产投资", "fixed-asset investment"),
    "new_civil_works": ("含新建土建工程", "new civil works"),
    "classified": ("涉密项目", "classified"),
    "national_ministry": ("向国家部委申报", "national-ministry project"),
    "budget": ("投资预算", "budget"),
    "budget.total": ("总投资（元）", "total (yuan)"),
    "total": ("合计（元）", "total (yuan)"),
    "shares": ("各级分担", "shares by level"),
    "province": ("省级（元）", "province (yuan)"),
    "city": ("市级（元）", "city (yuan)"),
    "county": ("县级（元）", "county (yuan)"),
    "schedule": ("建设周期", "schedule"),
    "start": ("开始日期", "start"),
    "end": ("结束日期", "end"),
    "location": ("建设地点", "location"),
    "goals": ("建设目标", "goals"),
    "content": ("建设内容", "content"),
    "co_builders": ("共建单位", "co-builders"),
    "unit": ("单位代码", "unit code"),
    "scope": ("共建范围", "scope"),
    "doc_type": ("文件类型", "document type"),
    "title": ("标题", "title"),
    "sha256": ("SHA-256 摘要", "SHA-256 digest"),
    "file": ("文件", "file"),
    "resources": ("信息资源", "resources"),
    "source": ("来源", "source"),
    "format": ("格式", "format"),
    "update_frequency": ("更新频率", "update frequency"),
    "sharing_type": ("共享类型", "sharing type"),
    "sharing_conditions": ("共享条件", "sharing conditions"),
    "open_type": ("开放类型", "open type"),
    "projects": ("项目", "projects"),
    "project": ("项目", "project"),
    "decision": ("意见", "decision"),
    "necessity": ("必要性", "necessity"),
    "feasibility": ("可行性", "feasibility"),
    "approved_amount": ("核定金额（元）", "approved amount (yuan)"),
    "comments": ("说明", "comments"),
    "approved_investment": ("核定投资（元）", "approved investment (yuan)"),
    "document_no": ("批复文号", "document number"),
    "construction": ("建设资金", "construction money"),
    "om": ("运维资金", "O&M money"),
    "by_level": ("按层级", "by level"),
    "contract_no": ("合同编号", "contract number"),
    "supplier": ("供应商", "supplier"),
    "purpose": ("资金用途", "purpose"),
    "amount": ("金额（元）", "amount (yuan)"),
    "signed_on": ("签订日期", "signed on"),
    "text_sha256": ("合同文本 SHA-256 摘要", "contract text SHA-256"),
    "products": ("关键产品", "key products"),
    "category": ("产品类别", "category"),
    "controllable": ("安全可控", "controllable"),
    "today": ("今日日期", "today's date"),
    "reason": ("理由", "reason"),
    "description": ("描述", "description"),
    "year": ("年度", "year"),
    "progress": ("建设进度", "progress"),
    "budget_execution": ("预算执行情况", "budget execution"),
    "in_trial_operation": ("已试运行", "in trial operation"),
    "trial_run_effects": ("试运行效果", "trial-run effects"),
    "completed_on": ("完工日期", "completed on"),
    "live_on": ("上线日期", "live on"),
    "report_document": ("报告文件", "report document"),
    "passed": ("验收通过", "passed"),
    "findings": ("验收意见", "findings"),
    "items": ("验收事项", "items"),
    "catalog_registered": (
        "资源目录已在共享平台注册（第二十八条）",
        "catalog registered on the sharing platform (第二十八条)",
    ),
    "products_controllable": ("关键产品安全可控（第三十二条）", "key products controllable (第三十二条)"),
    "deadline": ("期限", "deadline"),
    "report": ("报告", "report"),
    "resolved": ("整改合格", "resolved"),
    "type": ("类别", "type"),
    "finding": ("所涉问题", "finding"),
    "articles": ("依据条款（条号）", "articles (numbers)"),
    "changes": ("调整事项", "changes"),
    "goal": ("建设目标", "goal"),
    "action": ("处理决定", "action"),
    "evaluator": ("评价机构", "evaluator"),
    "conclusion": ("结论", "conclusion"),
    "requested_due": ("申请延期至", "extend until"),
    "granted_due": ("准予延期至", "granted until"),
    # nested fields whose meaning differs from the same name at the top
    "resources.name": ("资源名称", "resource name"),
    "products.name": ("产品名称", "product name"),
    "co_builders.unit": ("共建单位代码", "co-builder's unit code"),
}

CHOICES: dict[str, tuple[str, str]] = {
    "construction": ("建设类", "construction"),
    "om": ("运维类", "operation and maintenance"),
    "province": ("省级", "province"),
    "city": ("市级", "city"),
    "county": ("县级", "county"),
    "unconditional": ("无条件", "unconditional"),
    "conditional": ("有条件", "conditional"),
    "none": ("不予", "none"),
    "approve": ("同意", "approve"),
    "reject": ("不同意", "reject"),
    "revise": ("修改后再审", "revise"),
    "confirm": ("确认", "confirm"),
    "refuse": ("不予确认", "refuse"),
    "security_equipment": ("安全设备", "security equipment"),
    "core_network": ("核心网络设备", "core network equipment"),
    "base_software": ("基础软件", "base software"),
    "system_software": ("系统软件", "system software"),
    "business_software": ("业务软件", "business software"),
    "other": ("其他", "other"),
    "serious_delay": ("严重延误", "serious delay"),
    "major_loss": ("重大损失", "major loss"),
    "rectify": ("责令限期整改", "order rectification"),
    "suspend": ("暂停项目建设", "suspend"),
    "grant": ("准予延期", "grant"),
    "disciplinary": ("移送纪检监察机关", "disciplinary"),
    "judicial": ("移送司法机关", "judicial"),
    **{doc: (zh, en) for doc, (en, zh) in DOC_TYPES.items()},
}
# the purpose choice reads as money, not as a project kind
PURPOSES = {"construction": ("建设资金", "construction"), "om": ("运维资金", "O&M")}

LEDGER: dict[str, tuple[str, str]] = {
    "budget": ("预算", "budget"),
    "budget_change": ("预算调整", "budget change"),
    "payment": ("拨付", "payment"),
    "withholding": ("暂扣", "withholding"),
    "release": ("解除暂扣", "release"),
    "surplus_return": ("结余退回", "surplus returned"),
    "recovery_due": ("应追回", "to recover"),
}

SANCTIONS: dict[str, tuple[str, str]] = {
    "criticism": ("通报批评", "criticism"),
    "withhold_funds": ("暂缓拨付资金", "funds withheld"),
    "suspend": ("暂停项目", "suspension"),
    "terminate": ("终止项目", "termination"),
}

DEADLINES: dict[str, tuple[str, str]] = {
    "contract_filing": ("合同备案", "contract filing"),
    "annual_report": ("年度报告", "annual report"),
    "acceptance_application": ("竣工验收申请", "acceptance application"),
    "self_evaluation": ("自评价", "self-evaluation"),
    "rectification": ("整改", "rectification"),
}


def pick(pair: tuple[str, str] | None, lang: str, fallback: str = "") -> str:
    if not pair:
        return fallback
    return pair[0] if lang == "zh" else pair[1]


def label(table: dict, key: str | None, lang: str) -> str:
    return pick(table.get(key or ""), lang, key or "")


def field_label(name: str, lang: str) -> str:
    """A form field's label by its dotted name: "resources.0.name" reads as a resource's name,
    "budget.total" as the budget's total, else by its own key."""
    parts = [part for part in name.split(".") if not part.isdigit()]
    for start in range(max(len(parts) - 2, 0), len(parts)):
        found = FIELDS.get(".".join(parts[start:]))
        if found:
            return pick(found, lang)
    return parts[-1] if parts else name


def event(event_type: str, lang: str) -> str:
    """An event's title (the audit trail's own words)."""
    en, zh = title(event_type)
    return zh if lang == "zh" else en


def money(value) -> str:
    """ "1234567.5" → "1,234,567.50 元"; nothing → "—"."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f} 元"


def _parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    # the services stamp UTC; a stamp without a zone is UTC too
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def beijing(value) -> str:
    """A timestamp in Beijing time: "2026-11-30 16:05"."""
    if not value:
        return "—"
    moment = _parse_time(value)
    if moment is None:
        return str(value)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def day(value) -> str:
    if not value:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]
