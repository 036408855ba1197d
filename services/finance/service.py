"""Finance service entrypoints."""

from services.finance import application, schemas
from services.finance.application import FinanceUseCases
from services.finance.models import platform
from shared.context import AppContext
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query


class FinanceService(PlatformService):
    name = "finance"
    db = Database(platform)

    @property
    def cases(self) -> FinanceUseCases:
        """The use cases against this worker's store and clock (shared.context)."""
        return FinanceUseCases(AppContext(self.db, self.clock))

    # -- state the gates learn from other services (never a synchronous call) ---------------
    @reliable_handler("project_registered")
    def on_project_registered(self, event) -> None:
        self.db.handle_once(event, application.project_registered)

    @reliable_handler("sharing_status_recorded")
    def on_sharing_status_recorded(self, event) -> None:
        self.db.handle_once(event, application.sharing_status_recorded)

    @reliable_handler("review_opinion_issued")
    def on_review_opinion_issued(self, event) -> None:
        self.db.handle_once(event, application.opinion_issued)

    @reliable_handler("drc_decision_recorded")
    def on_drc_decision_recorded(self, event) -> None:
        self.db.handle_once(event, application.drc_decided)

    @reliable_handler("fixed_asset_designated")
    def on_fixed_asset_designated(self, event) -> None:
        self.db.handle_once(event, application.fixed_asset_designated)

    @reliable_handler("project_approved")
    def on_project_approved(self, event) -> None:
        self.db.handle_once(event, application.project_approved)

    @reliable_handler("change_decided")
    def on_change_decided(self, event) -> None:
        self.db.handle_once(event, application.change_decided)

    @reliable_handler("change_reapproved")
    def on_change_reapproved(self, event) -> None:
        self.db.handle_once(event, application.change_reapproved)

    @reliable_handler("construction_suspended")
    def on_construction_suspended(self, event) -> None:
        self.db.handle_once(event, application.construction_suspended)

    @reliable_handler("construction_resumed")
    def on_construction_resumed(self, event) -> None:
        self.db.handle_once(event, application.construction_resumed)

    @reliable_handler("annual_report_filed")
    def on_annual_report_filed(self, event) -> None:
        self.db.handle_once(event, application.annual_report_filed)

    @reliable_handler("construction_completed")
    def on_construction_completed(self, event) -> None:
        self.db.handle_once(event, application.construction_completed)

    @reliable_handler("acceptance_decided")
    def on_acceptance_decided(self, event) -> None:
        self.db.handle_once(event, application.acceptance_decided)

    @reliable_handler("sanction_imposed")
    def on_sanction_imposed(self, event) -> None:
        self.db.handle_once(event, application.sanction_imposed)

    @reliable_handler("sanction_lifted")
    def on_sanction_lifted(self, event) -> None:
        self.db.handle_once(event, application.sanction_lifted)

    # -- commands and reads ----------------------------------------------------------------------
    @rpc
    @command("funds.budget")
    def record_budget(self, code: str, data: dict) -> dict:
        return self.cases.record_budget(self.caller, code=code, data=schemas.load(schemas.BudgetReview, data))

    @rpc
    @command("funds.contract")
    def file_contract(self, code: str, data: dict) -> dict:
        return self.cases.file_contract(self.caller, code=code, data=schemas.wire(schemas.Contract, data))

    @rpc
    @command("funds.disburse")
    def request_disbursement(self, code: str, data: dict) -> dict:
        return self.cases.request_disbursement(
            self.caller, code=code, data=schemas.load(schemas.Disbursement, data)
        )

    @rpc
    @command("funds.surplus")
    def return_surplus(self, code: str) -> dict:
        return self.cases.return_surplus(self.caller, code=code)

    @rpc
    @command("funds.misappropriation")
    def report_misappropriation(self, code: str, data: dict) -> dict:
        return self.cases.report_misappropriation(
            self.caller, code=code, data=schemas.load(schemas.Misappropriation, data)
        )

    @rpc
    @query("funds.read")
    def get_funds(self, code: str) -> dict:
        return self.cases.funds(self.caller, code=code)

    @rpc
    @query("funds.contracts.read")
    def list_contracts(self, code: str) -> list[dict]:
        return self.cases.contracts(self.caller, code=code)

    @rpc
    @query("sharing.read")
    def get_sharing_status(self, code: str) -> dict | None:
        return self.cases.sharing_status(code=code)
