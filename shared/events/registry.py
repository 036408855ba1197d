"""Every event type: its one publishing service, its schema per version, and who subscribes.

Topology is derived from this table (shared.messaging.topology), so an event published here always
has its consumers' queues declared before it is sent — it can never be unroutable. Every event also
reaches the audit trail (supervision's ledger), which is how each project's timeline is read; an
event with no domain subscriber is recorded there alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema

from shared.events import schemas


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    source: str
    schema: type[Schema]


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("application_submitted", 1, "planning", schemas.ApplicationSubmitted),
    EventType("review_case_opened", 1, "approval", schemas.ReviewCaseOpened),
    EventType("review_opinion_issued", 1, "approval", schemas.ReviewOpinionIssued),
    EventType("drc_decision_recorded", 1, "approval", schemas.DrcDecisionRecorded),
    EventType("project_approved", 1, "approval", schemas.ProjectApproved),
    EventType("fixed_asset_designated", 1, "approval", schemas.FixedAssetDesignated),
    EventType(
        "national_approval_filed_without_consent", 1, "planning", schemas.NationalApprovalFiledWithoutConsent
    ),
    EventType("national_consent_recorded", 1, "planning", schemas.NationalConsentRecorded),
    EventType("national_approval_filed", 1, "planning", schemas.NationalApprovalFiled),
    EventType("catalog_set", 1, "planning", schemas.CatalogSet),
    EventType("sharing_status_recorded", 1, "planning", schemas.SharingStatusRecorded),
    EventType("change_requested", 1, "planning", schemas.ChangeRequested),
    EventType("change_decided", 1, "approval", schemas.ChangeDecided),
    EventType("change_reapproved", 1, "approval", schemas.ChangeReapproved),
    EventType("rectification_ordered", 1, "approval", schemas.RectificationOrdered),
    EventType("incident_reported", 1, "approval", schemas.IncidentReported),
    EventType("construction_suspended", 1, "approval", schemas.ConstructionSuspended),
    EventType("construction_resumed", 1, "approval", schemas.ConstructionResumed),
    EventType("budget_recorded", 1, "finance", schemas.BudgetRecorded),
    EventType("contract_filed", 1, "finance", schemas.ContractFiled),
    EventType("disbursement_decided", 1, "finance", schemas.DisbursementDecided),
    EventType("misappropriation_reported", 1, "finance", schemas.MisappropriationReported),
    EventType("document_filed", 1, "planning", schemas.DocumentFiled),
    EventType("construction_completed", 1, "acceptance", schemas.ConstructionCompleted),
    EventType("acceptance_extension_requested", 1, "acceptance", schemas.AcceptanceExtensionRequested),
    EventType("acceptance_extension_decided", 1, "acceptance", schemas.AcceptanceExtensionDecided),
    EventType("acceptance_deadline_extended", 1, "acceptance", schemas.AcceptanceDeadlineExtended),
    EventType("acceptance_applied", 1, "acceptance", schemas.AcceptanceApplied),
    EventType("acceptance_decided", 1, "acceptance", schemas.AcceptanceDecided),
    EventType("acceptance_delegated", 1, "acceptance", schemas.AcceptanceDelegated),
    EventType("project_went_live", 1, "acceptance", schemas.ProjectWentLive),
    EventType("annual_report_filed", 1, "acceptance", schemas.AnnualReportFiled),
    EventType("self_evaluation_filed", 1, "acceptance", schemas.SelfEvaluationFiled),
    EventType("post_evaluation_reported", 1, "acceptance", schemas.PostEvaluationReported),
    EventType("project_registered", 1, "planning", schemas.ProjectRegistered),
    EventType("security_profile_recorded", 1, "security", schemas.SecurityProfileRecorded),
    EventType("risk_assessment_recorded", 1, "security", schemas.RiskAssessmentRecorded),
    EventType("crypto_evaluation_recorded", 1, "security", schemas.CryptoEvaluationRecorded),
    EventType("secrecy_review_decided", 1, "security", schemas.SecrecyReviewDecided),
    EventType("classified_material_filed", 1, "security", schemas.ClassifiedMaterialFiled),
    EventType("project_classified", 1, "security", schemas.ProjectClassified),
    EventType("security_duty_overdue", 1, "security", schemas.SecurityDutyOverdue),
    EventType("finding_recorded", 1, "supervision", schemas.FindingRecorded),
    EventType("finding_rectification_ordered", 1, "supervision", schemas.FindingRectificationOrdered),
    EventType("finding_rectification_reported", 1, "supervision", schemas.FindingRectificationReported),
    EventType("finding_rectification_refused", 1, "supervision", schemas.FindingRectificationRefused),
    EventType("finding_verified", 1, "supervision", schemas.FindingVerified),
    EventType("finding_ignored", 1, "supervision", schemas.FindingIgnored),
    EventType("audit_opened", 1, "supervision", schemas.AuditOpened),
    EventType("referral_recorded", 1, "supervision", schemas.ReferralRecorded),
    EventType("sanction_imposed", 1, "supervision", schemas.SanctionImposed),
    EventType("sanction_lifted", 1, "supervision", schemas.SanctionLifted),
    # operations, published by supervision (which runs the deadline engine) for every service
    EventType("clock_set", 1, "supervision", schemas.ClockSet),
    EventType("calendar_year_loaded", 1, "supervision", schemas.CalendarYearLoaded),
)

SERVICES = ("planning", "approval", "finance", "acceptance", "security", "supervision")
PLATFORM_EVENTS = ("clock_set", "calendar_year_loaded")

# consumer service → event types it handles (one reliable handler per type)
_DOMAIN_SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "approval": (
        "application_submitted",
        "change_requested",
        "secrecy_review_decided",
        "project_classified",
        "construction_completed",  # 第十九条: only a project under construction is suspended
    ),
    "security": (
        "project_registered",
        # 第十七条, 第十八条: a classified project's plan and budget after approval
        "project_approved",
        "change_decided",
        "change_reapproved",
    ),
    # planning keeps the register's status; what happened is the ledger's (the timeline)
    "planning": (
        "review_case_opened",
        "review_opinion_issued",
        "drc_decision_recorded",
        "project_approved",
        "change_decided",
        "change_reapproved",
        "construction_suspended",
        "construction_resumed",
        "contract_filed",
        "sanction_imposed",
        "sanction_lifted",
        "secrecy_review_decided",
        "classified_material_filed",
        "construction_completed",
        "acceptance_decided",
        "project_went_live",
        # flags not only self-declared (第四条): the DRC's, the secrecy bureau's
        "fixed_asset_designated",
        "project_classified",
    ),
    # finance and acceptance learn each project's owner and co-builders (its readers) from
    # its registration
    "finance": (
        "project_registered",
        "sharing_status_recorded",
        "review_opinion_issued",
        "drc_decision_recorded",
        "project_approved",
        "change_decided",
        "change_reapproved",
        "construction_suspended",
        "construction_resumed",
        "sanction_imposed",
        "sanction_lifted",
        "construction_completed",
        "acceptance_decided",
        "annual_report_filed",  # 第十六条: finance is told of each report
        "fixed_asset_designated",  # 第四条: the DRC's approval needed again
        # 第四条: a classified project is paid only once the secrecy bureau confirmed it
        "project_classified",
        "secrecy_review_decided",
    ),
    # acceptance also learns the facts its items are prefilled from (第二十八条, 第三十二条)
    "acceptance": (
        "project_registered",
        "project_approved",
        "document_filed",
        "sharing_status_recorded",
        "contract_filed",
        "security_profile_recorded",
        "risk_assessment_recorded",
        "crypto_evaluation_recorded",
        "classified_material_filed",
        "fixed_asset_designated",
        "project_classified",
    ),
    "supervision": (
        "national_approval_filed_without_consent",
        "misappropriation_reported",
        "security_duty_overdue",
        "project_registered",
        "construction_completed",
        "acceptance_deadline_extended",
        "acceptance_applied",
        "project_went_live",
        "self_evaluation_filed",
        "rectification_ordered",
        "contract_filed",
        "annual_report_filed",
        "construction_suspended",
        "construction_resumed",
        # the planned end of construction (第十九条): from approval, moved by an
        # approved schedule change, reported overruns
        "project_approved",
        "change_decided",
        "change_reapproved",
        "incident_reported",
        # the security profile meets its duty (第三十条, 第三十一条)
        "security_profile_recorded",
        # a classified project's timeline details: its unit and the bureau (第四条)
        "project_classified",
    ),
}
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    svc: PLATFORM_EVENTS + _DOMAIN_SUBSCRIPTIONS.get(svc, ()) for svc in SERVICES
}


def event_type(name: str, version: int | None = None) -> EventType:
    versions = [t for t in EVENT_TYPES if t.name == name]
    if not versions:
        raise LookupError(f"unknown event type {name!r}")
    if version is None:
        return max(versions, key=lambda t: t.version)
    for kind in versions:
        if kind.version == version:
            return kind
    raise LookupError(f"unknown schema version {version} of {name!r}")


def subscribers_of(name: str) -> list[str]:
    return sorted(svc for svc, names in SUBSCRIPTIONS.items() if name in names)


def publishers_of(service: str) -> list[str]:
    return sorted({t.name for t in EVENT_TYPES if t.source == service})
