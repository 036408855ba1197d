"""Findings: violations to be rectified (第三十四条). Each event-borne violation becomes exactly
one finding (its id derives from the message id)."""
from __future__ import annotations

from sqlalchemy import select

from services.supervision.models import FindingRow
from shared.events import Event
from shared.persistence.store import Store, Transaction
from shared.policy import article_label_zh
from shared.timekit import Clock

# event type → (kind, English description, Chinese description)
VIOLATIONS = {
    "national_approval_filed_without_consent": (
        "national_filing_without_consent",
        "a national ministry's approval was filed without the office's prior consent",
        "未经省政务服务管理办公室同意即向国家部委申报并备案批复"),
    "contract_filed_late": (
        "contract_filed_late",
        "a procurement contract was filed after the deadline of 5 working days",
        "采购合同未在签订后 5 个工作日内备案"),
    "self_evaluation_missed": (
        "self_evaluation_missed",
        "no self-evaluation within 24 months of acceptance and going live",
        "竣工验收并投入使用后 24 个月内未提交自评价报告"),
    "security_duty_overdue": (
        "security_duty_overdue",
        "a periodic risk assessment or cryptography evaluation is overdue",
        "未按期开展风险评估或密码应用评估"),
    "misappropriation_reported": (
        "misappropriation",
        "finance reported diverted or misappropriated project funds",
        "财政部门报告项目资金被截留、挪用"),
}


def violation_reported(clock: Clock):
    def effect(tx: Transaction, event: Event) -> None:
        kind, text_en, text_zh = VIOLATIONS[event.event_type]
        tx.session.add(FindingRow(
            id=f"FD-{event.message_id[:12].upper()}", project_code=event.project_code,
            source=f"event:{event.source}", kind=kind, articles=event.articles,
            description=f"{text_en} / {text_zh}", details=dict(event.payload), status="open",
            found_on=clock.today()))
    return effect


def list_findings(store: Store, project: str | None = None, status: str | None = None) -> list:
    with store.read() as session:
        query = select(FindingRow).order_by(FindingRow.found_on, FindingRow.id)
        if project:
            query = query.where(FindingRow.project_code == project)
        if status:
            query = query.where(FindingRow.status == status)
        return [{"id": r.id, "project": r.project_code, "source": r.source, "kind": r.kind,
                 "articles": [article_label_zh(a) for a in r.articles],
                 "description": r.description, "details": r.details, "status": r.status,
                 "found_on": r.found_on.isoformat()} for r in session.scalars(query)]
