"""Acceptance service entrypoints."""

from services.acceptance import application, schemas
from services.acceptance.application import AcceptanceUseCases
from services.acceptance.models import platform
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe


class AcceptanceService(PlatformService[AcceptanceUseCases]):
    name = "acceptance"
    db = Database(platform)
    use_cases = AcceptanceUseCases

    # the project's own row(s), created or completed, never waiting for another event: batched
    on_project_registered = subscribe("project_registered", application.project_registered, batched=True)
    on_project_approved = subscribe("project_approved", application.project_approved)
    on_fixed_asset_designated = subscribe("fixed_asset_designated", application.fixed_asset_designated)
    on_project_classified = subscribe("project_classified", application.project_classified)
    on_document_filed = subscribe("document_filed", application.document_filed)
    on_sharing_status_recorded = subscribe("sharing_status_recorded", application.sharing_fact)
    on_contract_filed = subscribe("contract_filed", application.contract_fact)
    on_security_profile_recorded = subscribe("security_profile_recorded", application.security_fact)
    on_risk_assessment_recorded = subscribe("risk_assessment_recorded", application.security_fact)
    on_classified_material_filed = subscribe("classified_material_filed", application.security_fact)
    on_crypto_evaluation_recorded = subscribe("crypto_evaluation_recorded", application.security_fact)

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
    def list_annual_reports(self, code: str, filters: dict | None = None) -> list[dict]:
        page = schemas.load(schemas.AnnualReportPage, filters or {})
        return self.cases.annual_reports(self.caller, code=code, limit=page["limit"], after=page.get("after"))

    @rpc
    @query("archive.read")
    def get_archive(self, code: str) -> dict:
        return self.cases.archive(self.caller, code=code)
