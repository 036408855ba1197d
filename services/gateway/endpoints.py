"""Every endpoint in one table: path, permission, owning service and RPC, request schemas.
Routing, the role check, validation at the edge and the OpenAPI document all come from here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from services.acceptance import schemas as acceptance
from services.approval import schemas as approval
from services.finance import schemas as finance
from services.gateway import compose, outcomes, settle
from services.planning import schemas as planning
from services.security import schemas as security
from services.supervision import schemas as supervision
from shared.authz import PERMISSIONS


class ClockSetting(planning.Strict):
    today = fields.Date(required=True)
    # JSON true or false only: the RPC gets the body as sent, where "false" would be truthy
    force = fields.Boolean(load_default=False, truthy={True}, falsy={False}, metadata={
        "description": "set a day before the simulated today (the clock never goes back "
                       "otherwise) / 允许倒退"})


class CalendarYear(planning.Strict):
    holidays = fields.List(fields.Date(), required=True, validate=planning.Items(max=366))
    workdays = fields.List(fields.Date(), required=True, validate=planning.Items(max=366))


class ReviewCaseFilter(approval.ReviewCasePage):
    project = fields.String(validate=planning.Length(max=64))


class ProjectListQuery(planning.ProjectFilters):
    overdue = fields.Boolean(metadata={"description": "with (true) or without (false) a missed "
                                                      "or past-due deadline"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str                      # werkzeug rule under /api/v1
    permission: str
    service: str
    rpc: str
    summary: str
    args: Callable[[dict, Any, dict], tuple] = lambda path, body, query: ()
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    tag: str = "projects"
    accepts_file: bool = False     # multipart/form-data with a "file": its SHA-256 is computed
    # a read assembled from several services (compose.py) instead of the one RPC above
    compose: Callable[[Callable, dict, Any, dict], Any] | None = None
    # a write answered only once the other services took it on (settle.py): (rpc, result,
    # timeout) → None, or raises
    settle: Callable[[Any, Any, float], None] | None = None
    # a list read in keyset pages (pages.py): (where the items are — None: the answer is the
    # list — , the item fields making the cursor, in the list's order)
    page: tuple[str | None, tuple[str, ...]] | None = None

    @property
    def roles(self) -> list[str]:
        return sorted(PERMISSIONS[self.permission])


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/plans", "plan.draft", "planning", "draft_plan",
             "Draft the provincial plan (第五条)", tag="plans",
             args=lambda p, b, q: (b,), body=planning.PlanDraft, status=201),
    Endpoint("POST", "/plans/<plan_id>/approval", "plan.approve", "planning", "approve_plan",
             "The provincial government approves the plan: it takes effect (第五条)",
             tag="plans", args=lambda p, b, q: (p["plan_id"],)),
    Endpoint("POST", "/annual-plans", "plan.annual", "planning", "issue_annual_plan",
             "Issue an annual guidance plan from a plan in force (第五条)", tag="plans",
             args=lambda p, b, q: (b,), body=planning.AnnualPlanIssue, status=201),
    Endpoint("GET", "/plans", "plan.read", "planning", "list_plans",
             "Provincial plans and annual guidance plans", tag="plans"),
    Endpoint("POST", "/projects", "project.register", "planning", "register_project",
             "Register a project: lifelong code, pinned regulation version (第三条)",
             args=lambda p, b, q: (b,), body=planning.ProjectRegistration, status=201),
    Endpoint("GET", "/projects", "project.list", "planning", "list_projects",
             "List projects (a unit sees its own and co-built ones); overdue from the deadline "
             "engine", query=ProjectListQuery, compose=compose.project_list),
    Endpoint("GET", "/projects/<code>", "project.read", "planning", "get_project",
             "A project: status, documents, catalog, open items, funds, open deadlines, "
             "findings, sanctions", compose=compose.project_detail),
    Endpoint("PUT", "/projects/<code>/documents/<doc_type>", "project.documents.put",
             "planning", "file_document",
             "File a document (a new version) into the project archive (第二十条)",
             args=lambda p, b, q: (p["code"], p["doc_type"], b), body=planning.DocumentFiling,
             accepts_file=True),
    Endpoint("PUT", "/projects/<code>/catalog", "project.catalog.put", "planning",
             "set_catalog", "Set the information-resource catalog (第二十七条)",
             args=lambda p, b, q: (p["code"], b), body=planning.Catalog),
    Endpoint("POST", "/projects/<code>/submission", "project.submit", "planning",
             "submit_application",
             "Submit the application; 422 lists every missing item (第七条, 第二十七条)",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("GET", "/projects/<code>/timeline", "project.timeline", "supervision",
             "project_timeline",
             "Every step of the project from the hash-chained ledger: time, actor, what, "
             "articles; in pages of events (limit, after: `next` of the page before)",
             args=lambda p, b, q: (p["code"], q), query=supervision.LedgerPage,
             page=("events", ("seq",))),
    Endpoint("POST", "/review-rounds", "review.round.open", "approval", "open_round",
             "Open a centralized review round of submitted applications (第八条)", tag="review",
             args=lambda p, b, q: (b,), body=approval.RoundOpening, status=201),
    Endpoint("GET", "/review-rounds/<round_id>", "review.list", "approval", "get_round",
             "A review round with its cases and opinions", tag="review",
             args=lambda p, b, q: (p["round_id"],)),
    Endpoint("POST", "/review-rounds/<round_id>/opinions", "review.opinion", "approval",
             "record_opinion", "Record the opinion on one project of the round (第八条)",
             tag="review", args=lambda p, b, q: (p["round_id"], b), body=approval.OpinionFiling,
             status=201),
    Endpoint("POST", "/review-rounds/<round_id>/closure", "review.round.close", "approval",
             "close_round", "Close the round: its opinions take effect (第九条)", tag="review",
             args=lambda p, b, q: (p["round_id"],)),
    Endpoint("POST", "/projects/<code>/drc-approval", "drc.approve", "approval",
             "record_drc_decision",
             "The DRC approves or rejects a fixed-asset project, after a favourable opinion "
             "(第四条)", tag="review", args=lambda p, b, q: (p["code"], b),
             body=approval.DrcDecision),
    Endpoint("POST", "/projects/<code>/fixed-asset", "drc.take_up", "approval",
             "take_up_fixed_asset",
             "The DRC takes a submitted or approved project up as a fixed-asset project: it "
             "becomes the approving body and its approval is needed before budget and money "
             "(第四条)", tag="review", args=lambda p, b, q: (p["code"], b),
             body=approval.FixedAssetTakeUp),
    Endpoint("GET", "/review-cases", "review.list", "approval", "list_review_cases",
             "Review cases (one per submission), optionally of one project, by project and "
             "submission; in pages (limit, after the cursor of the page before)", tag="review",
             args=lambda p, b, q: (q.get("project"), q), query=ReviewCaseFilter,
             page=(None, ("project_code", "submission"))),
    Endpoint("POST", "/projects/<code>/national-consent", "project.national.consent", "planning",
             "record_national_consent",
             "The office's opinion before a unit applies to a national ministry (第十条)",
             args=lambda p, b, q: (p["code"], b), body=planning.NationalConsent),
    Endpoint("POST", "/projects/<code>/national-approval-filing", "project.national.file",
             "planning", "file_national_approval",
             "File the ministry's approval; without prior consent it is a violation (第十条)",
             args=lambda p, b, q: (p["code"], b), body=planning.NationalFiling, status=201),
    Endpoint("POST", "/projects/<code>/sharing-status", "project.sharing.record", "planning",
             "record_sharing_status",
             "Record the sharing platform's connection and sharing compliance (第二十九条)",
             args=lambda p, b, q: (p["code"], b), body=planning.SharingStatus, status=201),
    Endpoint("POST", "/projects/<code>/change-requests", "project.change.request", "planning",
             "request_change",
             "Apply for a major change before making it; a new review decides (第十八条)",
             args=lambda p, b, q: (p["code"], b), body=planning.ChangeRequest, status=201),
    Endpoint("GET", "/projects/<code>/change-requests", "project.read", "planning",
             "list_change_requests", "The project's adjustment applications (第十八条)",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/change-requests/<request_id>/decision",
             "project.change.decide", "approval", "decide_change",
             "Decide an adjustment application after its new review, setting the approved "
             "amount of a budget change (第十八条)", tag="review",
             args=lambda p, b, q: (p["code"], p["request_id"], b), body=approval.ChangeDecision),
    Endpoint("POST", "/projects/<code>/change-requests/<request_id>/drc-approval",
             "project.change.reapprove", "approval", "reapprove_change",
             "The DRC re-approves a fixed-asset project's approved change; until then nothing "
             "of it takes effect (第四条, 第十八条)", tag="review",
             args=lambda p, b, q: (p["code"], p["request_id"], b),
             body=approval.ChangeReapproval),
    Endpoint("POST", "/projects/<code>/incidents", "project.incident.report", "approval",
             "report_incident", "Report a serious delay or major loss (第十九条)", tag="review",
             args=lambda p, b, q: (p["code"], b), body=approval.IncidentReport, status=201),
    Endpoint("GET", "/projects/<code>/incidents", "review.list", "approval", "list_incidents",
             "The project's incidents and decisions (第十九条)", tag="review",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/incidents/<incident_id>/decision",
             "project.incident.decide", "approval", "decide_incident",
             "Order rectification by a deadline, suspend construction, or neither (第十九条); "
             "the project's approving body only",
             tag="review", args=lambda p, b, q: (p["code"], p["incident_id"], b),
             body=approval.IncidentDecision),
    Endpoint("POST", "/projects/<code>/incidents/<incident_id>/resumption",
             "project.incident.resume", "approval", "resume_incident",
             "The approving body lifts its 第十九条 suspension: construction and payments "
             "resume, the deadlines move by the days they stood still", tag="review",
             args=lambda p, b, q: (p["code"], p["incident_id"], b),
             body=approval.IncidentResumption),
    Endpoint("GET", "/findings", "finding.read", "supervision", "list_findings",
             "Findings (violations) with their articles and status, by date found; in pages "
             "(limit, after the cursor of the page before)", tag="supervision",
             args=lambda p, b, q: (q,), query=supervision.FindingFilter,
             page=(None, ("found_on", "id"))),
    Endpoint("GET", "/deadlines", "deadline.read", "supervision", "list_deadlines",
             "Deadlines of docs/regulation.md §11 with their ledger; filters project, due_before, "
             "overdue; by due date, in pages (limit, after the cursor of the page before)",
             tag="supervision", args=lambda p, b, q: (q,),
             query=supervision.DeadlineFilter, page=(None, ("due_on", "id"))),
    Endpoint("POST", "/admin/scan", "supervision.scan", "supervision", "scan",
             "Turn missed deadlines and ignored rectification orders into findings now",
             tag="supervision", args=lambda p, b, q: (b,), body=supervision.Scan),
    Endpoint("GET", "/overview", "overview.read", "supervision", "overview",
             "Overdue items, open findings, active sanctions, by unit and by project; the "
             "projects in pages by code (limit, after: `next` of the page before)",
             tag="supervision", args=lambda p, b, q: (q,), query=supervision.OverviewPage,
             page=("by_project", ("project",))),
    Endpoint("POST", "/inspections", "inspection.record", "supervision", "record_inspection",
             "Record an inspection's findings (第三十四条)", tag="supervision",
             args=lambda p, b, q: (b,), body=supervision.Inspection, status=201),
    Endpoint("POST", "/findings/<finding_id>/rectification-order", "finding.order",
             "supervision", "order_rectification",
             "Order the finding rectified by a deadline (第三十四条)", tag="supervision",
             args=lambda p, b, q: (p["finding_id"], b), body=supervision.RectificationOrder),
    Endpoint("POST", "/findings/<finding_id>/rectification-report", "finding.report",
             "supervision", "report_rectification", "The unit reports its rectification",
             tag="supervision", args=lambda p, b, q: (p["finding_id"], b),
             body=supervision.RectificationReport),
    Endpoint("POST", "/findings/<finding_id>/verification", "finding.verify", "supervision",
             "verify_rectification", "The office verifies: resolved, or failed",
             tag="supervision", args=lambda p, b, q: (p["finding_id"], b),
             body=supervision.Verification),
    Endpoint("POST", "/audits", "audit.open", "supervision", "open_audit",
             "Open an audit engagement (第三十五条)", tag="supervision",
             args=lambda p, b, q: (b,), body=supervision.AuditOpening, status=201),
    Endpoint("POST", "/audits/<audit_id>/findings", "audit.finding", "supervision",
             "record_audit_finding", "Record an audit finding (第三十五条)", tag="supervision",
             args=lambda p, b, q: (p["audit_id"], b), body=supervision.AuditFinding,
             status=201),
    Endpoint("POST", "/referrals", "referral.record", "supervision", "record_referral",
             "Refer for disciplinary or judicial action (第三十七条–第三十九条)",
             tag="supervision", args=lambda p, b, q: (b,), body=supervision.Referral,
             status=201),
    Endpoint("POST", "/projects/<code>/budget", "funds.budget", "finance", "record_budget",
             "Record the financial investment review result, by purpose and level (第十一条)",
             tag="finance", args=lambda p, b, q: (p["code"], b), body=finance.BudgetReview,
             status=201),
    Endpoint("POST", "/projects/<code>/contracts", "funds.contract", "finance", "file_contract",
             "File a procurement contract as its text (SHA-256) today; late filing is a "
             "violation (第十三条)",
             tag="finance", args=lambda p, b, q: (p["code"], b), body=finance.Contract,
             status=201),
    Endpoint("GET", "/projects/<code>/contracts", "funds.contracts.read", "finance",
             "list_contracts",
             "The contracts filed as text: digest, filing date, what each has paid (第十三条)",
             tag="finance", args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/disbursements", "funds.disburse", "finance",
             "request_disbursement",
             "Request money: paid, or refused listing every failing gate (docs/regulation.md §12)",
             tag="finance", args=lambda p, b, q: (p["code"], b), body=finance.Disbursement,
             status=201),
    Endpoint("GET", "/projects/<code>/funds", "funds.read", "finance", "get_funds",
             "Approved, disbursed, withheld, available by purpose and level; the ledger",
             tag="finance", args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/surplus-return", "funds.surplus", "finance",
             "return_surplus",
             "Return the unspent balance through its original channel (第十七条)",
             tag="finance", args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/misappropriation", "funds.misappropriation", "finance",
             "report_misappropriation",
             "Report diverted or misappropriated funds: a finding for supervision (第三十八条)",
             tag="finance", args=lambda p, b, q: (p["code"], b), body=finance.Misappropriation,
             status=201),
    Endpoint("POST", "/projects/<code>/annual-reports", "acceptance.annual_report", "acceptance",
             "file_annual_report",
             "Report the year's progress and budget execution before its end (第十六条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b), body=acceptance.AnnualReport,
             status=201),
    Endpoint("GET", "/projects/<code>/annual-reports", "annual_report.read", "acceptance",
             "list_annual_reports",
             "The annual reports filed (第十六条): the unit (its own), the office, the approving "
             "body, finance and audit", tag="acceptance", args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/completion", "acceptance.complete", "acceptance",
             "declare_completion",
             "Construction finished: the 3-month acceptance clock starts (第二十三条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b), body=acceptance.Completion,
             status=201),
    Endpoint("POST", "/projects/<code>/acceptance-extension", "acceptance.extension.request",
             "acceptance", "request_extension",
             "Apply to extend the acceptance deadline (第二十三条)", tag="acceptance",
             args=lambda p, b, q: (p["code"], b), body=acceptance.ExtensionRequest, status=201),
    Endpoint("POST", "/projects/<code>/acceptance-extension/decision",
             "acceptance.extension.decide", "acceptance", "decide_extension",
             "Grant or refuse the extension; the clock moves only when granted (第二十三条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b),
             body=acceptance.ExtensionDecision),
    Endpoint("POST", "/projects/<code>/acceptance-application", "acceptance.apply",
             "acceptance", "apply_for_acceptance",
             "Apply for completion acceptance; 422 lists every missing report (第二十三条)",
             tag="acceptance", args=lambda p, b, q: (p["code"],), status=201),
    Endpoint("POST", "/projects/<code>/acceptance-decision", "acceptance.decide", "acceptance",
             "decide_acceptance",
             "Decide acceptance — the approving body, or the unit it delegated to; the report "
             "is filed with the office (第二十二条, 第二十三条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b),
             body=acceptance.AcceptanceDecision),
    Endpoint("POST", "/projects/<code>/acceptance-delegation", "acceptance.delegate",
             "acceptance", "delegate_acceptance",
             "The approving body lets the unit organise and record its acceptance (第二十二条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b), body=acceptance.Delegation),
    Endpoint("GET", "/projects/<code>/acceptance", "acceptance.read", "acceptance",
             "get_acceptance", "The acceptance clock, its ledger, the decision, the window",
             tag="acceptance", args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/projects/<code>/go-live", "acceptance.go_live", "acceptance", "go_live",
             "The accepted project goes live (第二十四条)", tag="acceptance",
             args=lambda p, b, q: (p["code"], b), body=acceptance.GoLive, status=201),
    Endpoint("POST", "/projects/<code>/self-evaluation", "acceptance.self_evaluate",
             "acceptance", "file_self_evaluation",
             "The self-evaluation, only inside the 12–24-month window (第二十四条)",
             tag="acceptance", args=lambda p, b, q: (p["code"], b),
             body=acceptance.SelfEvaluation, status=201),
    Endpoint("POST", "/projects/<code>/post-evaluations", "post_evaluation.commission",
             "acceptance", "commission_post_evaluation",
             "Commission a third-party post-evaluation (第二十四条)", tag="acceptance",
             args=lambda p, b, q: (p["code"], b), body=acceptance.Commission, status=201),
    Endpoint("POST", "/post-evaluations/<evaluation_id>/report", "post_evaluation.report",
             "acceptance", "report_post_evaluation",
             "The commissioned evaluator files its report (第二十四条)", tag="acceptance",
             args=lambda p, b, q: (p["evaluation_id"], b), body=acceptance.EvaluationReport,
             status=201),
    Endpoint("GET", "/projects/<code>/archive", "archive.read", "acceptance", "get_archive",
             "The electronic archive, and whether it is complete for acceptance (第二十条)",
             tag="acceptance", args=lambda p, b, q: (p["code"],)),
    Endpoint("PUT", "/projects/<code>/security-profile", "security.profile", "security",
             "put_profile",
             "Protection scheme and level, cryptography, key products (第三十条–第三十二条)",
             tag="security", args=lambda p, b, q: (p["code"], b), body=security.Profile),
    Endpoint("POST", "/projects/<code>/risk-assessments", "security.risk_assessment",
             "security", "record_risk_assessment", "Record a risk assessment (第三十条)",
             tag="security", args=lambda p, b, q: (p["code"], b), body=security.RiskAssessment,
             status=201),
    Endpoint("POST", "/projects/<code>/crypto-evaluations", "security.crypto_evaluation",
             "security", "record_crypto_evaluation",
             "Record a periodic cryptography evaluation (第三十一条)", tag="security",
             args=lambda p, b, q: (p["code"], b), body=security.CryptoEvaluation, status=201),
    Endpoint("POST", "/projects/<code>/secrecy-review", "secrecy.review", "security",
             "secrecy_review",
             "The secrecy bureau confirms or refuses a classified project (第四条)",
             tag="security", args=lambda p, b, q: (p["code"], b), body=security.SecrecyReview),
    Endpoint("POST", "/projects/<code>/classification", "secrecy.classify", "security",
             "classify",
             "The secrecy bureau declares a project classified: its content leaves every store "
             "but security's, the unit files it there, the bureau's review follows (第四条)",
             tag="security", args=lambda p, b, q: (p["code"], b),
             body=security.Classification),
    Endpoint("POST", "/projects/<code>/secrecy-inspections", "secrecy.inspect", "security",
             "record_secrecy_inspection",
             "The secrecy bureau records its inspection of a classified project's secrecy work "
             "and its findings — kept by security only (第四条)", tag="security",
             args=lambda p, b, q: (p["code"], b), body=security.SecrecyInspection, status=201),
    Endpoint("GET", "/projects/<code>/secrecy-inspections", "secrecy.inspection.read",
             "security", "secrecy_inspections",
             "The secrecy bureau's inspections of a classified project: the bureau and the "
             "owning unit only (第四条)", tag="security", args=lambda p, b, q: (p["code"],)),
    Endpoint("PUT", "/projects/<code>/classified-content", "classified.write", "security",
             "put_classified_content",
             "A classified project's goals, content and location — held only by security "
             "(第四条)", tag="security", args=lambda p, b, q: (p["code"], b),
             body=security.ClassifiedContent),
    Endpoint("PUT", "/projects/<code>/classified-documents/<doc_type>", "classified.write",
             "security", "file_classified_document",
             "A classified project's document, kept only by security (第四条, 第二十条)",
             tag="security", args=lambda p, b, q: (p["code"], p["doc_type"], b),
             body=planning.DocumentFiling, accepts_file=True),
    Endpoint("PUT", "/projects/<code>/classified-catalog", "classified.write", "security",
             "put_classified_catalog",
             "A classified project's resource catalog, kept only by security (第四条, 第二十七条)",
             tag="security", args=lambda p, b, q: (p["code"], b), body=planning.Catalog),
    Endpoint("GET", "/projects/<code>/classified-content", "classified.read", "security",
             "get_classified_content",
             "Classified content: its unit and the secrecy bureau only", tag="security",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("GET", "/projects/<code>/security", "security.read", "security", "get_security",
             "The project's security file", tag="security", args=lambda p, b, q: (p["code"],)),
    Endpoint("GET", "/ledger/verification", "ledger.verify", "supervision", "verify_ledger",
             "Verify the hash chain over every recorded event: ok, length, head, and where it "
             "was altered, inserted into or cut (第三十五条): from the newest signed "
             "checkpoint on, so its cost is in the records appended since", tag="supervision"),
    Endpoint("POST", "/ledger/verifications", "ledger.verify", "supervision",
             "start_ledger_verification",
             "Start the full re-verification of the chain from its first record, in the "
             "background (one at a time: a running one is answered); poll it by its id "
             "(第三十五条)", tag="supervision", status=201),
    Endpoint("GET", "/ledger/verifications/<job_id>", "ledger.verify", "supervision",
             "ledger_verification_job",
             "A full re-verification: state (running, done, interrupted), progress, and its "
             "result", tag="supervision", args=lambda p, b, q: (p["job_id"],)),
    Endpoint("GET", "/projects/<code>/audit-trail", "ledger.verify", "supervision",
             "project_trail", "The project's events in the audit ledger, with their hashes; in "
             "pages (limit, after the cursor of the page before)",
             tag="supervision", args=lambda p, b, q: (p["code"], q),
             query=supervision.LedgerPage, page=(None, ("seq",))),
    Endpoint("GET", "/sanctions", "sanction.read", "supervision", "list_sanctions",
             "Sanctions, active and lifted (a unit: its own projects), by date imposed; in "
             "pages (limit, after the cursor of the page before)", tag="supervision",
             args=lambda p, b, q: (q,), query=supervision.SanctionFilter,
             page=(None, ("imposed_on", "id"))),
    Endpoint("POST", "/sanctions", "sanction.impose", "supervision", "impose_sanction",
             "Apply a sanction: criticism, withholding, suspension, termination (第三十四条)",
             tag="supervision", args=lambda p, b, q: (b,), body=supervision.Imposition, status=201),
    Endpoint("POST", "/sanctions/<sanction_id>/lifting", "sanction.lift", "supervision",
             "lift_sanction", "Lift a sanction after verified rectification (第三十四条)",
             tag="supervision", args=lambda p, b, q: (p["sanction_id"], b), body=supervision.Lifting),
    # any Idempotency-Key a write accepted, "/" included (limits.PATH_TEXTS)
    Endpoint("GET", "/requests/<path:request_key>", "request.read", "gateway", "request_outcome",
             "What became of one of your writes (its Idempotency-Key or the id the gateway "
             "gave it): succeeded with its response, refused with its error, not recorded "
             "(it changed nothing yet), or unknown (ask again)", tag="operations",
             compose=outcomes.request_outcome),
    Endpoint("POST", "/admin/clock", "admin.clock", "supervision", "set_clock",
             "Simulated clock: set today's date for every service; answered once every "
             "service has it (503 naming those that have not)", tag="operations",
             args=lambda p, b, q: (b["today"], b.get("force", False)), body=ClockSetting,
             settle=settle.clock_everywhere),
    Endpoint("PUT", "/admin/calendar/<int:year>", "admin.calendar", "supervision",
             "load_calendar_year",
             "Load a year's official working-day schedule (holidays and 调休 workdays)",
             tag="operations", args=lambda p, b, q: (p["year"], b), body=CalendarYear),
)
