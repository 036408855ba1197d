"""Acceptance service entrypoints."""

from services.acceptance import application, schemas
from services.acceptance.application import AcceptanceUseCases
from services.acceptance.models import platform
from shared.context import AppContext
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query


class AcceptanceService(PlatformService):
    name = "acceptance"
    db = Database(platform)

    @property
    def cases(self) -> AcceptanceUseCases:
        """The use cases against this worker's store and clock (shared.context)."""
        return AcceptanceUseCases(AppContext(self.db, self.clock))

    @reliable_handler("project_registered")
    def on_project_registered(self, event) -> None:
        self.db.handle_once(event, application.project_registered)

    @reliable_handler("project_approved")
    def on_project_approved(self, event) -> None:
        self.db.handle_once(event, application.project_approved)

    @reliable_handler("fixed_asset_designated")
    def on_fixed_asset_designated(self, event) -> None:
        self.db.handle_once(event, application.fixed_asset_designated)

    @reliable_handler("project_classified")
    def on_project_classified(self, event) -> None:
        self.db.handle_once(event, application.project_classified)

    @reliable_handler("document_filed")
    def on_document_filed(self, event) -> None:
        self.db.handle_once(event, application.document_filed)

    @reliable_handler("sharing_status_recorded")
    def on_sharing_status_recorded(self, event) -> None:
        self.db.handle_once(event, application.sharing_fact)

    @reliable_handler("contract_filed")
    def on_contract_filed(self, event) -> None:
        self.db.handle_once(event, application.contract_fact)

    @reliable_handler("security_profile_recorded")
    def on_security_profile_recorded(self, event) -> None:
        self.db.handle_once(event, application.security_fact)

    @reliable_handler("risk_assessment_recorded")
    def on_risk_assessment_recorded(self, event) -> None:
        self.db.handle_once(event, application.security_fact)

    @reliable_handler("classified_material_filed")
    def on_classified_material_filed(self, event) -> None:
        self.db.handle_once(event, application.security_fact)

    @reliable_handler("crypto_evaluation_recorded")
    def on_crypto_evaluation_recorded(self, event) -> None:
        self.db.handle_once(event, application.security_fact)

    @rpc
    @command("acceptance.annual_report")
    def file_annual_report(self, code: str, data: dict) -> dict:
        return self.cases.annual_report(self.caller, code=code, data=schemas.load(schemas.AnnualReport, data))

    @rpc
    @command("acceptance.complete")
    def declare_completion(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.Completion, data)
        return self.cases.complete(self.caller, code=code, completed_on=body["completed_on"])

    @rpc
    @command("acceptance.extension.request")
    def request_extension(self, code: str, data: dict) -> dict:
        return self.cases.request_extension(
            self.caller, code=code, data=schemas.load(schemas.ExtensionRequest, data)
        )

    @rpc
    @command("acceptance.extension.decide")
    def decide_extension(self, code: str, data: dict) -> dict:
        return self.cases.decide_extension(
            self.caller, code=code, data=schemas.load(schemas.ExtensionDecision, data)
        )

    @rpc
    @command("acceptance.apply")
    def apply_for_acceptance(self, code: str) -> dict:
        return self.cases.apply(self.caller, code=code)

    @rpc
    @command("acceptance.decide")
    def decide_acceptance(self, code: str, data: dict) -> dict:
        return self.cases.decide(self.caller, code=code, data=schemas.load(schemas.AcceptanceDecision, data))

    @rpc
    @command("acceptance.delegate")
    def delegate_acceptance(self, code: str, data: dict) -> dict:
        comments = schemas.load(schemas.Delegation, data)["comments"]
        return self.cases.delegate(self.caller, code=code, comments=comments)

    @rpc
    @command("acceptance.go_live")
    def go_live(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.GoLive, data)
        return self.cases.go_live(self.caller, code=code, live_on=body["live_on"])

    @rpc
    @command("acceptance.self_evaluate")
    def file_self_evaluation(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.SelfEvaluation, data)
        return self.cases.self_evaluate(self.caller, code=code, report_document=body["report_document"])

    @rpc
    @command("post_evaluation.commission")
    def commission_post_evaluation(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.Commission, data)
        return self.cases.commission_post_evaluation(self.caller, code=code, evaluator=body["evaluator"])

    @rpc
    @command("post_evaluation.report")
    def report_post_evaluation(self, evaluation_id: str, data: dict) -> dict:
        return self.cases.report_post_evaluation(
            self.caller, evaluation_id=evaluation_id, data=schemas.load(schemas.EvaluationReport, data)
        )

    @rpc
    @query("acceptance.read")
    def get_acceptance(self, code: str) -> dict:
        return self.cases.acceptance(self.caller, code=code)

    @rpc
    @query("annual_report.read")
    def list_annual_reports(self, code: str) -> list[dict]:
        return self.cases.annual_reports(self.caller, code=code)

    @rpc
    @query("archive.read")
    def get_archive(self, code: str) -> dict:
        return self.cases.archive(self.caller, code=code)
