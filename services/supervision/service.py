"""Supervision service entrypoints. It also runs the suite's time: the simulated clock and the
operator-loaded calendar years are its events, which every service applies."""

import eventlet
from nameko.timer import timer

from services.supervision import audit_chain_checks, deadlines, findings, schemas
from services.supervision.application import SupervisionUseCases
from services.supervision.metrics import deadline_gauges
from services.supervision.models import platform
from shared import authz
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe
from shared.wire import load


class SupervisionService(PlatformService[SupervisionUseCases]):
    name = "supervision"
    db = Database(platform)
    use_cases = SupervisionUseCases
    metrics_hooks = (deadline_gauges,)  # deadlines open/missed on /metrics (issue 17)

    @rpc
    @command("admin.clock")
    def set_clock(self, today: str, force: bool = False) -> dict:
        day = load(schemas.ClockDay, {"today": today})["today"]
        return self.cases.set_clock(self.caller, day=day, force=force)

    @rpc
    @command("admin.calendar")
    def load_calendar_year(self, year: int, schedule: dict) -> dict:
        data = load(schemas.CalendarYear, {"year": year, **schedule})
        return self.cases.load_calendar_year(self.caller, data=data)

    # every event of every service is chained into the audit ledger by supervision's own
    # audit-trail process, in batches: services/supervision/audit_process.py (issue 19)

    checkpoint_key = audit_chain_checks.CheckpointKey()  # signs the ledger's checkpoints

    @rpc
    @query("ledger.verify")
    def verify_ledger(self) -> dict:
        """From the newest signed checkpoint to the head: its cost is in the new records."""
        return audit_chain_checks.verification(self.db, self.trusted_keys, self.checkpoint_key)

    @rpc
    @command("ledger.verify")
    def start_ledger_verification(self) -> dict:
        """The full re-verification, in the background; poll it by its id."""
        job, new = audit_chain_checks.start_full(self.db, self.caller.sub)
        if new:
            eventlet.spawn_n(
                audit_chain_checks.run_full, self.db, self.trusted_keys, self.checkpoint_key, job["id"]
            )
        return job

    @rpc
    @query("ledger.verify")
    def ledger_verification_job(self, job_id: str) -> dict:
        return audit_chain_checks.get_job(self.db, job_id)

    @rpc
    @query("project.timeline")
    def project_timeline(self, code: str, filters: dict | None = None) -> dict:
        page = _page(load(schemas.LedgerPage, filters or {}))
        return self.cases.project_timeline(self.caller, code=code, page=page)

    @rpc
    @query("ledger.verify")
    def project_trail(self, code: str, filters: dict | None = None) -> list[dict]:
        page = _page(load(schemas.LedgerPage, filters or {}))
        return self.cases.project_trail(code=code, page=page)

    on_national_approval_filed_without_consent = subscribe(
        "national_approval_filed_without_consent",
        effect_for=lambda service: findings.violation_reported(service.clock),
    )
    on_security_duty_overdue = subscribe(
        "security_duty_overdue", effect_for=lambda service: findings.violation_reported(service.clock)
    )
    on_misappropriation_reported = subscribe(
        "misappropriation_reported", effect_for=lambda service: findings.violation_reported(service.clock)
    )

    @rpc
    @command("sanction.impose")
    def impose_sanction(self, data: dict) -> dict:
        return self.cases.impose_sanction(self.caller, data=load(schemas.Imposition, data))

    @rpc
    @command("sanction.lift")
    def lift_sanction(self, sanction_id: str, data: dict) -> dict:
        reason = load(schemas.Lifting, data)["reason"]
        return self.cases.lift_sanction(self.caller, sanction_id=sanction_id, reason=reason)

    @rpc
    @query("sanction.read")
    def list_sanctions(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.SanctionFilter, filters or {})
        return self.cases.list_sanctions(
            self.caller, project=f.get("project"), status=f.get("status"), page=_page(f)
        )

    @rpc
    @query("finding.read")
    def list_findings(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.FindingFilter, filters or {})
        return self.cases.list_findings(
            self.caller, project=f.get("project"), status=f.get("status"), page=_page(f)
        )

    # -- the deadline engine ---------------------------------------------------------------------
    # the project's own rows (its file, its units), never waiting for another event: batched
    on_project_registered = subscribe("project_registered", deadlines.project_registered, batched=True)
    on_construction_completed = subscribe("construction_completed", deadlines.construction_completed)
    on_acceptance_deadline_extended = subscribe(
        "acceptance_deadline_extended", deadlines.acceptance_deadline_extended
    )
    on_acceptance_applied = subscribe("acceptance_applied", deadlines.acceptance_applied)
    on_construction_suspended = subscribe("construction_suspended", deadlines.construction_suspended)
    on_construction_resumed = subscribe("construction_resumed", deadlines.construction_resumed)
    on_project_approved = subscribe("project_approved", deadlines.project_approved)
    on_change_decided = subscribe("change_decided", deadlines.schedule_changed)
    on_change_reapproved = subscribe("change_reapproved", deadlines.schedule_changed)
    on_incident_reported = subscribe("incident_reported", deadlines.incident_reported)
    on_contract_filed = subscribe(
        "contract_filed", effect_for=lambda service: deadlines.contract_filed(service.calendar)
    )
    on_project_classified = subscribe("project_classified", deadlines.project_classified)
    on_security_profile_recorded = subscribe("security_profile_recorded", deadlines.security_profile_recorded)
    on_annual_report_filed = subscribe("annual_report_filed", deadlines.annual_report_filed)
    on_project_went_live = subscribe("project_went_live", deadlines.project_went_live)
    on_self_evaluation_filed = subscribe("self_evaluation_filed", deadlines.self_evaluation_filed)
    on_rectification_ordered = subscribe("rectification_ordered", deadlines.rectification_ordered)

    @timer(interval=3600)
    def periodic_scan(self) -> None:
        """Hourly: missed deadlines and ignored rectification orders become findings."""
        self.cases.scan()

    @rpc
    @command("supervision.scan")
    def scan(self, data: dict | None = None) -> dict:
        return self.cases.scan(as_of=load(schemas.Scan, data or {})["as_of"])

    @rpc
    @query("deadline.read")
    def list_deadlines(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.DeadlineFilter, filters or {})
        return self.cases.list_deadlines(
            self.caller,
            project=f.get("project"),
            due_before=f.get("due_before"),
            overdue=f.get("overdue"),
            page=_page(f),
        )

    @rpc
    @query("deadline.read")
    def overdue_projects(self) -> list[str]:
        return self.cases.overdue_projects(self.caller)

    @rpc
    @query("overview.read")
    def overview(self, filters: dict | None = None) -> dict:
        page = _page(load(schemas.OverviewPage, filters or {}))
        return self.cases.overview(page=page)

    @rpc
    @query("project.read")
    def project_oversight(self, code: str) -> dict:
        """What a project's composed view (``GET /projects/{code}``) shows of supervision, in one
        call (issue 19): its deadlines, findings and sanctions as ``list_deadlines``,
        ``list_findings`` and ``list_sanctions`` filtered on the project answer the caller (a
        unit: only of a project it owns or co-builds); a part whose permission the caller lacks
        is None and named in ``refused``."""
        load(schemas.DeadlineFilter, {"project": code})  # the code as the lists check it
        allowed = tuple(part for part, permission in OVERSIGHT if authz.allowed(self.caller, permission))
        found = self.cases.project_oversight(self.caller, code=code, parts=allowed)
        refused = {part: "forbidden" for part, _ in OVERSIGHT if part not in allowed}
        return {**{part: found.get(part) for part, _ in OVERSIGHT}, "refused": refused}

    # -- findings: inspections, rectification, audits, referrals ---------------------------------
    @rpc
    @command("inspection.record")
    def record_inspection(self, data: dict) -> list[dict]:
        inspection = load(schemas.Inspection, data)
        return self.cases.record_inspection(
            self.caller, project=inspection["project"], found=inspection["findings"]
        )

    @rpc
    @command("finding.order")
    def order_rectification(self, finding_id: str, data: dict) -> dict:
        deadline = load(schemas.RectificationOrder, data)["deadline"]
        return self.cases.order_rectification(self.caller, finding_id=finding_id, deadline=deadline)

    @rpc
    @command("finding.report")
    def report_rectification(self, finding_id: str, data: dict) -> dict:
        report = load(schemas.RectificationReport, data)["report"]
        return self.cases.report_rectification(self.caller, finding_id=finding_id, report=report)

    @rpc
    @command("finding.refuse")
    def refuse_rectification(self, finding_id: str, data: dict) -> dict:
        reason = load(schemas.RectificationRefusal, data)["reason"]
        return self.cases.refuse_rectification(self.caller, finding_id=finding_id, reason=reason)

    @rpc
    @command("finding.verify")
    def verify_rectification(self, finding_id: str, data: dict) -> dict:
        resolved = load(schemas.Verification, data)["resolved"]
        return self.cases.verify_rectification(self.caller, finding_id=finding_id, resolved=resolved)

    @rpc
    @command("audit.open")
    def open_audit(self, data: dict) -> dict:
        opening = load(schemas.AuditOpening, data)
        return self.cases.open_audit(self.caller, project=opening["project"], scope=opening["scope"])

    @rpc
    @command("audit.finding")
    def record_audit_finding(self, audit_id: str, data: dict) -> dict:
        return self.cases.record_audit_finding(
            self.caller, audit_id=audit_id, data=load(schemas.AuditFinding, data)
        )

    @rpc
    @command("referral.record")
    def record_referral(self, data: dict) -> dict:
        return self.cases.refer(self.caller, data=load(schemas.Referral, data))


# a project's view of supervision (project_oversight): each part and who may read it
OVERSIGHT = (("deadlines", "deadline.read"), ("findings", "finding.read"), ("sanctions", "sanction.read"))


def _page(filters: dict) -> tuple:
    """(limit, offset, after): ``after`` the decoded keyset cursor, or None."""
    return filters.get("limit", 200), filters.get("offset", 0), filters.get("after")
