"""Supervision service entrypoints. It also runs the suite's time: the simulated clock and the
operator-loaded calendar years are its events, which every service applies."""

import eventlet
from nameko.timer import timer

from services.supervision import (
    audit_chain_checks,
    audit_trail,
    deadlines,
    findings,
    operations,
    oversight,
    sanctions,
    schemas,
)
from services.supervision.metrics import deadline_gauges
from services.supervision.models import platform
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query
from shared.wire import load


class SupervisionService(PlatformService):
    name = "supervision"
    db = Database(platform)
    metrics_hooks = (deadline_gauges,)  # deadlines open/missed on /metrics (issue 17)

    @rpc
    @command("admin.clock")
    def set_clock(self, today: str, force: bool = False) -> dict:
        current = self.clock.set_day() if self.clock.simulated else None
        day = load(schemas.ClockDay, {"today": today})["today"]
        return operations.set_clock(self.db, self.clock.simulated, day, self.caller.sub, current, force)

    @rpc
    @command("admin.calendar")
    def load_calendar_year(self, year: int, schedule: dict) -> dict:
        return operations.load_calendar_year(
            self.db, load(schemas.CalendarYear, {"year": year, **schedule}), self.caller.sub
        )

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
        return audit_trail.project_timeline(self.db, self.caller, code, page)

    @rpc
    @query("ledger.verify")
    def project_trail(self, code: str, filters: dict | None = None) -> list[dict]:
        page = _page(load(schemas.LedgerPage, filters or {}))
        return audit_trail.project_trail(self.db, code, page)

    @reliable_handler("national_approval_filed_without_consent")
    def on_national_approval_filed_without_consent(self, event) -> None:
        self.db.handle_once(event, findings.violation_reported(self.clock))

    @reliable_handler("security_duty_overdue")
    def on_security_duty_overdue(self, event) -> None:
        self.db.handle_once(event, findings.violation_reported(self.clock))

    @reliable_handler("misappropriation_reported")
    def on_misappropriation_reported(self, event) -> None:
        self.db.handle_once(event, findings.violation_reported(self.clock))

    @rpc
    @command("sanction.impose")
    def impose_sanction(self, data: dict) -> dict:
        return sanctions.impose(self.db, self.clock, self.caller, load(schemas.Imposition, data))

    @rpc
    @command("sanction.lift")
    def lift_sanction(self, sanction_id: str, data: dict) -> dict:
        return sanctions.lift(self.db, self.clock, self.caller, sanction_id, load(schemas.Lifting, data))

    @rpc
    @query("sanction.read")
    def list_sanctions(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.SanctionFilter, filters or {})
        return sanctions.list_sanctions(self.db, self.caller, f.get("project"), f.get("status"), _page(f))

    @rpc
    @query("finding.read")
    def list_findings(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.FindingFilter, filters or {})
        return findings.list_findings(self.db, self.caller, f.get("project"), f.get("status"), _page(f))

    # -- the deadline engine ---------------------------------------------------------------------
    @reliable_handler("project_registered")
    def on_project_registered(self, event) -> None:
        self.db.handle_once(event, deadlines.project_registered)

    @reliable_handler("construction_completed")
    def on_construction_completed(self, event) -> None:
        self.db.handle_once(event, deadlines.construction_completed)

    @reliable_handler("acceptance_deadline_extended")
    def on_acceptance_deadline_extended(self, event) -> None:
        self.db.handle_once(event, deadlines.acceptance_deadline_extended)

    @reliable_handler("acceptance_applied")
    def on_acceptance_applied(self, event) -> None:
        self.db.handle_once(event, deadlines.acceptance_applied)

    @reliable_handler("construction_suspended")
    def on_construction_suspended(self, event) -> None:
        self.db.handle_once(event, deadlines.construction_suspended)

    @reliable_handler("construction_resumed")
    def on_construction_resumed(self, event) -> None:
        self.db.handle_once(event, deadlines.construction_resumed)

    @reliable_handler("project_approved")
    def on_project_approved(self, event) -> None:
        self.db.handle_once(event, deadlines.project_approved)

    @reliable_handler("change_decided")
    def on_change_decided(self, event) -> None:
        self.db.handle_once(event, deadlines.schedule_changed)

    @reliable_handler("change_reapproved")
    def on_change_reapproved(self, event) -> None:
        self.db.handle_once(event, deadlines.schedule_changed)

    @reliable_handler("incident_reported")
    def on_incident_reported(self, event) -> None:
        self.db.handle_once(event, deadlines.incident_reported)

    @reliable_handler("contract_filed")
    def on_contract_filed(self, event) -> None:
        self.db.handle_once(event, deadlines.contract_filed(self.calendar))

    @reliable_handler("project_classified")
    def on_project_classified(self, event) -> None:
        self.db.handle_once(event, deadlines.project_classified)

    @reliable_handler("security_profile_recorded")
    def on_security_profile_recorded(self, event) -> None:
        self.db.handle_once(event, deadlines.security_profile_recorded)

    @reliable_handler("annual_report_filed")
    def on_annual_report_filed(self, event) -> None:
        self.db.handle_once(event, deadlines.annual_report_filed)

    @reliable_handler("project_went_live")
    def on_project_went_live(self, event) -> None:
        self.db.handle_once(event, deadlines.project_went_live)

    @reliable_handler("self_evaluation_filed")
    def on_self_evaluation_filed(self, event) -> None:
        self.db.handle_once(event, deadlines.self_evaluation_filed)

    @reliable_handler("rectification_ordered")
    def on_rectification_ordered(self, event) -> None:
        self.db.handle_once(event, deadlines.rectification_ordered)

    @timer(interval=3600)
    def periodic_scan(self) -> None:
        """Hourly: missed deadlines and ignored rectification orders become findings."""
        deadlines.scan(self.db, self.clock.today())

    @rpc
    @command("supervision.scan")
    def scan(self, data: dict | None = None) -> dict:
        as_of = load(schemas.Scan, data or {})["as_of"] or self.clock.today()
        return deadlines.scan(self.db, as_of)

    @rpc
    @query("deadline.read")
    def list_deadlines(self, filters: dict | None = None) -> list[dict]:
        f = load(schemas.DeadlineFilter, filters or {})
        return deadlines.list_deadlines(
            self.db,
            self.caller,
            f.get("project"),
            f.get("due_before"),
            f.get("overdue"),
            self.clock.today(),
            _page(f),
        )

    @rpc
    @query("deadline.read")
    def overdue_projects(self) -> list[str]:
        return deadlines.overdue_projects(self.db, self.caller, self.clock.today())

    @rpc
    @query("overview.read")
    def overview(self, filters: dict | None = None) -> dict:
        page = _page(load(schemas.OverviewPage, filters or {}))
        return deadlines.overview(self.db, self.clock.today(), page)

    # -- findings: inspections, rectification, audits, referrals ---------------------------------
    @rpc
    @command("inspection.record")
    def record_inspection(self, data: dict) -> list[dict]:
        return oversight.inspect(self.db, self.clock, self.caller, load(schemas.Inspection, data))

    @rpc
    @command("finding.order")
    def order_rectification(self, finding_id: str, data: dict) -> dict:
        deadline = load(schemas.RectificationOrder, data)["deadline"]
        return findings.order_rectification(self.db, self.clock, self.caller, finding_id, deadline)

    @rpc
    @command("finding.report")
    def report_rectification(self, finding_id: str, data: dict) -> dict:
        report = load(schemas.RectificationReport, data)["report"]
        return findings.report_rectification(self.db, self.clock, self.caller, finding_id, report)

    @rpc
    @command("finding.verify")
    def verify_rectification(self, finding_id: str, data: dict) -> dict:
        resolved = load(schemas.Verification, data)["resolved"]
        return findings.verify_rectification(self.db, self.clock, self.caller, finding_id, resolved)

    @rpc
    @command("audit.open")
    def open_audit(self, data: dict) -> dict:
        return oversight.open_audit(self.db, self.clock, self.caller, load(schemas.AuditOpening, data))

    @rpc
    @command("audit.finding")
    def record_audit_finding(self, audit_id: str, data: dict) -> dict:
        return oversight.audit_finding(
            self.db, self.clock, self.caller, audit_id, load(schemas.AuditFinding, data)
        )

    @rpc
    @command("referral.record")
    def record_referral(self, data: dict) -> dict:
        return oversight.refer(self.db, self.clock, self.caller, load(schemas.Referral, data))


def _page(filters: dict) -> tuple:
    """(limit, offset, after): ``after`` the decoded keyset cursor, or None."""
    return filters.get("limit", 200), filters.get("offset", 0), filters.get("after")
