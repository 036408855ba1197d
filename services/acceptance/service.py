"""Acceptance service entrypoints."""
from services.acceptance import application, schemas
from services.acceptance.models import platform
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query


class AcceptanceService(PlatformService):
    name = "acceptance"
    db = Database(platform)

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
        return application.annual_report(self.db, self.clock, self.caller, code,
                                         schemas.load(schemas.AnnualReport, data))

    @rpc
    @command("acceptance.complete")
    def declare_completion(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.Completion, data)
        return application.complete(self.db, self.clock, self.caller, code, body["completed_on"])

    @rpc
    @command("acceptance.extension.request")
    def request_extension(self, code: str, data: dict) -> dict:
        return application.request_extension(self.db, self.clock, self.caller, code,
                                             schemas.load(schemas.ExtensionRequest, data))

    @rpc
    @command("acceptance.extension.decide")
    def decide_extension(self, code: str, data: dict) -> dict:
        return application.decide_extension(self.db, self.clock, self.caller, code,
                                            schemas.load(schemas.ExtensionDecision, data))

    @rpc
    @command("acceptance.apply")
    def apply_for_acceptance(self, code: str) -> dict:
        return application.apply(self.db, self.clock, self.caller, code)

    @rpc
    @command("acceptance.decide")
    def decide_acceptance(self, code: str, data: dict) -> dict:
        return application.decide(self.db, self.clock, self.caller, code,
                                  schemas.load(schemas.AcceptanceDecision, data))

    @rpc
    @command("acceptance.delegate")
    def delegate_acceptance(self, code: str, data: dict) -> dict:
        comments = schemas.load(schemas.Delegation, data)["comments"]
        return application.delegate(self.db, self.clock, self.caller, code, comments)

    @rpc
    @command("acceptance.go_live")
    def go_live(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.GoLive, data)
        return application.go_live(self.db, self.clock, self.caller, code, body["live_on"])

    @rpc
    @command("acceptance.self_evaluate")
    def file_self_evaluation(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.SelfEvaluation, data)
        return application.self_evaluate(self.db, self.clock, self.caller, code,
                                         body["report_document"])

    @rpc
    @command("post_evaluation.commission")
    def commission_post_evaluation(self, code: str, data: dict) -> dict:
        body = schemas.load(schemas.Commission, data)
        return application.commission_post_evaluation(self.db, self.clock, self.caller, code,
                                                      body["evaluator"])

    @rpc
    @command("post_evaluation.report")
    def report_post_evaluation(self, evaluation_id: str, data: dict) -> dict:
        return application.report_post_evaluation(self.db, self.clock, self.caller,
                                                   evaluation_id,
                                                   schemas.load(schemas.EvaluationReport, data))

    @rpc
    @query("acceptance.read")
    def get_acceptance(self, code: str) -> dict:
        return application.acceptance(self.db, self.caller, code)

    @rpc
    @query("annual_report.read")
    def list_annual_reports(self, code: str) -> list[dict]:
        return application.annual_reports(self.db, self.caller, code)

    @rpc
    @query("archive.read")
    def get_archive(self, code: str) -> dict:
        return application.archive(self.db, self.caller, code)
