"""Supervision service entrypoints. It also runs the suite's time: the simulated clock and the
operator-loaded calendar years are its events, which every service applies."""
from nameko.rpc import rpc

from services.supervision import audit_trail, findings, operations, sanctions
from services.supervision.models import platform
from shared.messaging.reliable import audit_trail_handler, reliable_handler
from shared.platform import Database, PlatformService, command, query


class SupervisionService(PlatformService):
    name = "supervision"
    db = Database(platform)

    @rpc
    @command("admin.clock")
    def set_clock(self, today: str) -> dict:
        return operations.set_clock(self.db, self.clock.simulated, today, self.caller.sub)

    @rpc
    @command("admin.calendar")
    def load_calendar_year(self, year: int, schedule: dict) -> dict:
        return operations.load_calendar_year(self.db, year, schedule, self.caller.sub)

    @audit_trail_handler
    def on_any_event(self, event) -> None:
        """Every event of every service, chained into the audit ledger."""
        self.db.handle_once(event, audit_trail.append)

    @rpc
    @query("ledger.verify")
    def verify_ledger(self) -> dict:
        return audit_trail.verification(self.db)

    @rpc
    @query("ledger.verify")
    def project_trail(self, code: str) -> list[dict]:
        return audit_trail.project_trail(self.db, code)

    @reliable_handler("national_approval_filed_without_consent")
    def on_national_approval_filed_without_consent(self, event) -> None:
        self.db.handle_once(event, findings.violation_reported(self.clock))

    @reliable_handler("contract_filed_late")
    def on_contract_filed_late(self, event) -> None:
        self.db.handle_once(event, findings.violation_reported(self.clock))

    @reliable_handler("self_evaluation_missed")
    def on_self_evaluation_missed(self, event) -> None:
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
        return sanctions.impose(self.db, self.clock, self.caller, data)

    @rpc
    @command("sanction.lift")
    def lift_sanction(self, sanction_id: str, data: dict) -> dict:
        return sanctions.lift(self.db, self.clock, self.caller, sanction_id, data)

    @rpc
    @query("finding.read")
    def list_findings(self, filters: dict | None = None) -> list[dict]:
        filters = filters or {}
        return findings.list_findings(self.db, filters.get("project"), filters.get("status"))
