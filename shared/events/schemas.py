"""One marshmallow schema per event type and version. Shape only — policy lives in domain code.

Money travels as a decimal string in yuan (``"1250000.00"``), never a float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from shared.money import FEN, LIMIT_YUAN, MAX_YUAN, POSITIVE_WIRE_PATTERN, WIRE_PATTERN

LEVELS = ("province", "city", "county")
KINDS = ("construction", "om")


class Money(fields.Decimal):
    """Yuan as a decimal string with at most two decimals (``"1250000.00"``): never a JSON
    number (a float is not exact), never rounded silently, not negative (above zero when
    ``positive``) and below the one upper bound, 10^13 yuan (``shared/money.py``)."""

    _DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")  # ASCII digits only, as the pattern

    def __init__(self, positive: bool = False, **kwargs: Any) -> None:
        self.positive = positive
        metadata = {
            "pattern": POSITIVE_WIRE_PATTERN if positive else WIRE_PATTERN,
            "example": "1250000.00",
            "description": "yuan, a decimal string with at most two decimals, "
            f"{'above 0' if positive else 'at least 0'} and at most "
            f"{MAX_YUAN} (below 10^13)",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(places=2, as_string=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and self._DECIMAL.fullmatch(value):
            exact = Decimal(value)
        elif isinstance(value, Decimal) and value.is_finite():  # in-process callers
            exact = value
        else:
            raise ValidationError(
                'a decimal string of yuan such as "1250000.00" (not a number) '
                '/ 金额须为以元为单位的数字字符串，如 "1250000.00"'
            )
        if exact >= LIMIT_YUAN:
            raise ValidationError(
                f"at most {MAX_YUAN} yuan: amounts must be below 10^13 yuan "
                f"/ 金额不得超过 {MAX_YUAN} 元（须小于 10^13 元）"
            )
        if int(exact.as_tuple().exponent) < -2:
            raise ValidationError("at most two decimals (fen) / 金额最多保留两位小数")
        if exact < 0 or (self.positive and exact == 0):
            raise ValidationError(
                "must be greater than 0 / 金额须大于 0"
                if self.positive
                else "must not be negative / 金额不能为负数"
            )
        return exact.quantize(FEN)


class ApplicationSubmitted(Schema):
    """A construction unit submitted its project application for review (第六条, 第七条)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    plan_item = fields.String(required=True, allow_none=True)
    budget_total = Money(required=True)
    fixed_asset_investment = fields.Boolean(required=True)
    classified = fields.Boolean(required=True)
    submission = fields.Integer(required=True, validate=validate.Range(min=1))
    submitted_on = fields.Date(required=True)


class ReviewCaseOpened(Schema):
    """The office opened a review case for a submitted application (第八条)."""

    case_id = fields.String(required=True)
    submission = fields.Integer(required=True, validate=validate.Range(min=1))
    opened_on = fields.Date(required=True)


class ClockSet(Schema):
    """The operator set today's date for the whole suite (simulated clock mode only)."""

    today = fields.Date(required=True)
    set_by = fields.String(required=True)


class CalendarYearLoaded(Schema):
    """The operator loaded a year's official working-day schedule (holidays and 调休 workdays)."""

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)
    loaded_by = fields.String(required=True)


class ReviewOpinionIssued(Schema):
    """A centralized review round closed: the office's opinion on a project takes effect
    (第八条, 第九条) — the precondition of approval and of any money."""

    case_id = fields.String(required=True)
    round_id = fields.String(required=True)
    submission = fields.Integer(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject", "revise")))
    necessity = fields.String(required=True)
    feasibility = fields.String(required=True)
    approved_amount = Money(required=True, allow_none=True)
    comments = fields.String(required=True)
    issued_on = fields.Date(required=True)
    waiting_for = fields.List(fields.String(), required=True)  # "drc", "secrecy"


class DrcDecisionRecorded(Schema):
    """The DRC approved or rejected a fixed-asset project (第四条)."""

    case_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    approved_investment = Money(required=True, allow_none=True)
    document_no = fields.String(required=True)
    decided_on = fields.Date(required=True)
    # of a project the DRC took up after it was approved: its approved amount now (approval's,
    # never above the DRC's investment); None otherwise (project_approved carries it). Older
    # events: None
    approved_amount = Money(load_default=None, allow_none=True)


class ProjectApproved(Schema):
    """Every precondition holds: the project is approved (立项) at this amount (第四条, 第九条)."""

    case_id = fields.String(required=True)
    unit = fields.String(required=True)
    approved_amount = Money(required=True)
    approved_on = fields.Date(required=True)
    fixed_asset_investment = fields.Boolean(required=True)
    classified = fields.Boolean(required=True)


class CatalogSet(Schema):
    """The unit set its information-resource catalog (第二十七条): counts, not the resources."""

    resources = fields.Integer(required=True, validate=validate.Range(min=0))
    by_sharing_type = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class NationalConsentRecorded(Schema):
    """The office's opinion before a unit applies to a national ministry (第十条)."""

    decision = fields.String(required=True, validate=validate.OneOf(("consent", "refuse")))
    decided_on = fields.Date(required=True)


class NationalApprovalFiled(Schema):
    """A national ministry's approval filed with the province (第十条)."""

    ministry = fields.String(required=True)
    document_no = fields.String(required=True)
    approved_on = fields.Date(required=True)
    filed_on = fields.Date(required=True)
    consented = fields.Boolean(required=True)


class NationalApprovalFiledWithoutConsent(Schema):
    """A unit filed a ministry's approval without the office's prior consent (第十条): a
    violation for supervision."""

    ministry = fields.String(required=True)
    document_no = fields.String(required=True)
    approved_on = fields.Date(required=True)
    consent = fields.String(required=True, allow_none=True)  # refuse, or None (never asked)
    filed_on = fields.Date(required=True)


class SharingStatusRecorded(Schema):
    """The sharing platform's check of a project (第二十九条): finance gates money on it."""

    connected = fields.Boolean(required=True)
    sharing_compliant = fields.Boolean(required=True)
    checked_on = fields.Date(required=True)
    # the catalog in the platform's catalog system (第二十八条); not stated, or older: None
    catalog_registered = fields.Boolean(load_default=None, allow_none=True)


class ChangeRequested(Schema):
    """A unit applied, before the change, to adjust an approved project (第十八条)."""

    request_id = fields.String(required=True)
    changes = fields.Dict(required=True)
    reason = fields.String(required=True)
    requested_on = fields.Date(required=True)


class ChangeDecided(Schema):
    """The new review decided an adjustment (第十八条); an approval updates the register and
    the approved amount."""

    request_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    changes = fields.Dict(required=True)
    approved_amount = Money(required=True, allow_none=True)  # the reviewer's (第十八条)
    comments = fields.String(required=True)
    decided_on = fields.Date(required=True)
    # a fixed-asset project's approved change takes effect only on the DRC's re-approval
    # (change_reapproved); older events: False
    awaiting_drc = fields.Boolean(load_default=False)


class ChangeReapproved(Schema):
    """The DRC re-approved (or not) a fixed-asset project's approved change (第四条, 第十八条):
    approved, it now updates the register and the approved amount."""

    request_id = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    changes = fields.Dict(required=True)
    approved_amount = Money(required=True, allow_none=True)
    document_no = fields.String(required=True)
    decided_on = fields.Date(required=True)


class RectificationOrdered(Schema):
    """The approving body ordered rectification by a deadline (第十九条)."""

    incident_id = fields.String(required=True)
    kind = fields.String(required=True)
    deadline = fields.Date(required=True)
    ordered_on = fields.Date(required=True)


class IncidentReported(Schema):
    """The unit reported a serious delay or a major loss to the approving body (第十九条).
    Its description stays with approval."""

    incident_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("serious_delay", "major_loss")))
    reported_on = fields.Date(required=True)


class ConstructionSuspended(Schema):
    """The approving body suspended construction (第十九条): no money while it stands."""

    incident_id = fields.String(required=True)
    kind = fields.String(required=True)
    suspended_on = fields.Date(required=True)


class ConstructionResumed(Schema):
    """The approving body lifted its suspension (第十九条): construction and payments resume,
    and the project's clocks move by the days they stood still."""

    incident_id = fields.String(required=True)
    kind = fields.String(required=True)
    suspended_on = fields.Date(required=True)
    resumed_on = fields.Date(required=True)
    days_suspended = fields.Integer(required=True, validate=validate.Range(min=0))
    reason = fields.String(required=True)


class ContractFiled(Schema):
    """A procurement contract was filed (第十三条); the project is in construction from its first.
    Whether it was filed in time is the deadline engine's (supervision's) to decide."""

    contract_no = fields.String(required=True)
    amount = Money(required=True)
    signed_on = fields.Date(required=True)
    filed_on = fields.Date(required=True)
    # the contract text's digest (第十三条 合同文本); None in contracts filed before texts were
    text_sha256 = fields.String(load_default=None, allow_none=True)
    # its key products all controllable (第三十二条, an acceptance item); None: none listed
    products_all_controllable = fields.Boolean(load_default=None, allow_none=True)


class BudgetRecorded(Schema):
    """Finance recorded the financial investment review's budget (第十一条, 第二十五条)."""

    construction = Money(required=True, allow_none=True)  # None: not in this year's record
    om = Money(required=True, allow_none=True)
    recorded_on = fields.Date(required=True)
    year = fields.Integer(load_default=None, allow_none=True)  # 第十一条; older events: None


class DisbursementDecided(Schema):
    """A request for money was paid, or refused with every failing gate (docs/regulation.md §12)."""

    disbursement_id = fields.String(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(KINDS))
    level = fields.String(required=True, allow_none=True)
    amount = Money(required=True)
    contract_no = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("paid", "refused")))
    failed_gates = fields.List(fields.String(), required=True)
    on = fields.Date(required=True)


class MisappropriationReported(Schema):
    """Finance reports diverted or misappropriated project funds (第三十八条)."""

    description = fields.String(required=True)
    amount = Money(required=True, allow_none=True)
    reported_on = fields.Date(required=True)


SANCTION_TYPES = ("criticism", "withhold_funds", "suspend", "terminate")


class FindingStep(Schema):
    """A step in a finding's life (第三十四条): which finding, on which day."""

    finding_id = fields.String(required=True)
    on = fields.Date(required=True)


class FindingRecorded(FindingStep):
    """Supervision recorded a finding (第三十四条–第三十六条): from a missed deadline, another
    service's violation, an inspection or an audit."""

    kind = fields.String(required=True)
    source = fields.String(required=True)
    description = fields.String(required=True)


class FindingRectificationOrdered(FindingStep):
    """责令限期整改 (第三十四条)."""

    deadline = fields.Date(required=True)


class FindingRectificationReported(FindingStep):
    report = fields.String(required=True)


class FindingRectificationRefused(FindingStep):
    """拒不整改 (第三十四条): the office recorded that the unit refused to rectify."""

    reason = fields.String(required=True)


class FindingVerified(FindingStep):
    resolved = fields.Boolean(required=True)


class FindingIgnored(FindingStep):
    """The rectification deadline passed without a report (第三十四条)."""

    deadline = fields.Date(required=True)


class AuditOpened(Schema):
    """The audit office opened an engagement (第三十五条)."""

    audit_id = fields.String(required=True)
    scope = fields.String(required=True)
    on = fields.Date(required=True)


class ReferralRecorded(Schema):
    """A disciplinary or judicial referral (第三十七条–第三十九条)."""

    referral_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("disciplinary", "judicial")))
    finding = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    on = fields.Date(required=True)


class SanctionImposed(Schema):
    """The office applied a sanction (第三十四条). Idempotent by sanction_id everywhere."""

    sanction_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(SANCTION_TYPES))
    finding = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    imposed_on = fields.Date(required=True)


class SanctionLifted(Schema):
    """The office lifted a sanction after verified rectification (第三十四条)."""

    sanction_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(SANCTION_TYPES))
    reason = fields.String(required=True)
    lifted_on = fields.Date(required=True)


class DocumentFiled(Schema):
    """A document entered the project's archive (第二十条). A classified project's titles stay
    off the bus (title is null)."""

    doc_type = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True, allow_none=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    filed_by = fields.String(required=True)
    filed_at = fields.AwareDateTime(required=True)


class ConstructionCompleted(Schema):
    """The unit declared construction finished: the 3-month acceptance clock runs (第二十三条)."""

    completed_on = fields.Date(required=True)
    acceptance_due = fields.Date(required=True)


class AcceptanceExtensionRequested(Schema):
    """The unit applied to extend its acceptance deadline (延期验收申请, 第二十三条)."""

    reason = fields.String(required=True)
    requested_due = fields.Date(required=True)
    acceptance_due = fields.Date(required=True)  # the deadline in force
    requested_on = fields.Date(required=True)


class AcceptanceExtensionDecided(Schema):
    """The approving body granted or refused the extension (第二十三条); a grant also moves the
    deadline (acceptance_deadline_extended)."""

    decision = fields.String(required=True, validate=validate.OneOf(("grant", "refuse")))
    previous_due = fields.Date(required=True)
    acceptance_due = fields.Date(required=True)  # after the decision
    reason = fields.String(required=True)  # the application's
    decided_by = fields.String(required=True)  # office or drc, the approving body
    decided_on = fields.Date(required=True)


class AcceptanceDeadlineExtended(Schema):
    """An extension was granted: the acceptance clock moved, and why (第二十三条)."""

    previous_due = fields.Date(required=True)
    acceptance_due = fields.Date(required=True)
    reason = fields.String(required=True)


class AcceptanceDecided(Schema):
    """Completion acceptance decided and its report filed with the office (第二十二条, 第二十三条)."""

    passed = fields.Boolean(required=True)
    decided_on = fields.Date(required=True)
    report_document = fields.String(required=True)
    # office | drc (the approving body) | unit (delegated, 第二十二条); older events: None
    organised_by = fields.String(load_default=None, allow_none=True)


class AcceptanceDelegated(Schema):
    """The approving body delegated the acceptance to the unit (第二十二条 委托项目建设单位组织)."""

    delegated_by = fields.String(required=True, validate=validate.OneOf(("office", "drc")))
    comments = fields.String(required=True)
    delegated_on = fields.Date(required=True)


class ProjectWentLive(Schema):
    """The accepted project is in use: the post-evaluation window runs from here (第二十四条)."""

    live_on = fields.Date(required=True)
    window_opens = fields.Date(required=True)
    window_closes = fields.Date(required=True)


class AnnualReportFiled(Schema):
    """Progress and budget execution reported for a year (第十六条)."""

    year = fields.Integer(required=True)
    filed_on = fields.Date(required=True)
    on_time = fields.Boolean(required=True)


class SelfEvaluationFiled(Schema):
    """The unit's self-evaluation, inside the 12–24-month window (第二十四条)."""

    filed_on = fields.Date(required=True)
    report_document = fields.String(required=True)


class PostEvaluationReported(Schema):
    """A commissioned third party filed its post-evaluation (第二十四条)."""

    evaluation_id = fields.String(required=True)
    evaluator = fields.String(required=True)
    conclusion = fields.String(required=True)
    reported_on = fields.Date(required=True)


class ProjectRegistered(Schema):
    """A project entered the register (第三条). Never its content: a classified project's
    goals and content are held by the security service alone."""

    unit = fields.String(required=True)
    co_builders = fields.List(fields.String(), required=True)  # unit codes, not their scope
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    classified = fields.Boolean(required=True)
    registered_on = fields.Date(required=True)
    # the registered schedule's end: construction is due by it (a later one is a serious
    # delay to report, 第十九条); None when no schedule was given, and in older events
    schedule_end = fields.Date(load_default=None, allow_none=True)


class SecurityProfileRecorded(Schema):
    """Protection scheme, cryptography and key products' controllability (第三十条–第三十二条)."""

    scheme = fields.String(required=True, validate=validate.OneOf(("graded", "classified")))
    level = fields.Integer(required=True, allow_none=True)
    crypto = fields.Dict(required=True)
    products_all_controllable = fields.Boolean(required=True)


class RiskAssessmentRecorded(Schema):
    """An information-security risk assessment (第三十条)."""

    assessed_on = fields.Date(required=True)
    result = fields.String(required=True)
    report_document = fields.String(required=True)


class CryptoEvaluationRecorded(Schema):
    """A periodic cryptography evaluation (第三十一条)."""

    evaluated_on = fields.Date(required=True)
    result = fields.String(required=True)


class FixedAssetDesignated(Schema):
    """The DRC took the project up as a fixed-asset project (第四条): it becomes its approving
    body, and its approval is needed again before budget and money."""

    case_id = fields.String(required=True)
    designated_on = fields.Date(required=True)
    comments = fields.String(required=True)  # why (the timeline shows it)
    approved = fields.Boolean(required=True)  # already approved (立项) by the office
    drc_decision = fields.String(required=True, allow_none=True)


class ProjectClassified(Schema):
    """The secrecy bureau declared the project classified (第四条): its content leaves every
    store but the security service's — the event carries none of it, only the date."""

    declared_on = fields.Date(required=True)


class SecrecyReviewDecided(Schema):
    """The secrecy bureau confirmed or refused a classified project (第四条)."""

    decision = fields.String(required=True, validate=validate.OneOf(("confirm", "refuse")))
    decided_on = fields.Date(required=True)


class SecurityDutyOverdue(Schema):
    """A periodic risk assessment or cryptography evaluation is overdue (第三十条, 第三十一条)."""

    duty = fields.String(required=True, validate=validate.OneOf(("risk_assessment", "crypto_evaluation")))
    last_on = fields.Date(required=True, allow_none=True)
    due_on = fields.Date(required=True)
    detected_on = fields.Date(required=True)


class ClassifiedMaterialFiled(Schema):
    """Which document types (and whether a catalog) a classified project has on file with
    security — so completeness can be checked elsewhere without the content (第四条)."""

    doc_types = fields.List(fields.String(), required=True)
    catalog = fields.Boolean(required=True)


class AcceptanceApplied(Schema):
    """The unit applied for completion acceptance with the five reports (第二十三条)."""

    applied_on = fields.Date(required=True)
