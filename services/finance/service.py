"""Finance service entrypoints."""

from services.finance import application, schemas
from services.finance.application import FinanceUseCases
from services.finance.models import platform
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe


class FinanceService(PlatformService[FinanceUseCases]):
    name = "finance"
    db = Database(platform)
    use_cases = FinanceUseCases

    # -- state the gates learn from other services (never a synchronous call) ---------------
    # the project's own row(s), created or completed, never waiting for another event: batched
    on_project_registered = subscribe("project_registered", application.project_registered, batched=True)
    on_sharing_status_recorded = subscribe("sharing_status_recorded", application.sharing_status_recorded)
    on_review_opinion_issued = subscribe("review_opinion_issued", application.opinion_issued)
    on_drc_decision_recorded = subscribe("drc_decision_recorded", application.drc_decided)
    on_fixed_asset_designated = subscribe("fixed_asset_designated", application.fixed_asset_designated)
    on_project_approved = subscribe("project_approved", application.project_approved)
    on_change_decided = subscribe("change_decided", application.change_decided)
    on_change_reapproved = subscribe("change_reapproved", application.change_reapproved)
    on_construction_suspended = subscribe("construction_suspended", application.construction_suspended)
    on_construction_resumed = subscribe("construction_resumed", application.construction_resumed)
    on_annual_report_filed = subscribe("annual_report_filed", application.annual_report_filed)
    on_construction_completed = subscribe("construction_completed", application.construction_completed)
    on_acceptance_decided = subscribe("acceptance_decided", application.acceptance_decided)
    on_sanction_imposed = subscribe("sanction_imposed", application.sanction_imposed)
    on_sanction_lifted = subscribe("sanction_lifted", application.sanction_lifted)
    # 第四条: a classified project is paid only once the secrecy bureau confirmed it
    on_project_classified = subscribe("project_classified", application.project_classified)
    on_secrecy_review_decided = subscribe("secrecy_review_decided", application.secrecy_review_decided)

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
    def get_funds(self, code: str, filters: dict | None = None) -> dict:
        page = schemas.load(schemas.FundsPage, filters or {})
        return self.cases.funds(self.caller, code=code, limit=page["limit"], after=page.get("after"))

    @rpc
    @query("funds.contracts.read")
    def list_contracts(self, code: str, filters: dict | None = None) -> list[dict]:
        page = schemas.load(schemas.ContractPage, filters or {})
        return self.cases.contracts(self.caller, code=code, limit=page["limit"], after=page.get("after"))

    @rpc
    @query("sharing.read")
    def get_sharing_status(self, code: str) -> dict | None:
        return self.cases.sharing_status(code=code)
