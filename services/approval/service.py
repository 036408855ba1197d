"""Approval service entrypoints."""

from services.approval import application, schemas
from services.approval.application import ApprovalUseCases
from services.approval.models import platform
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe


class ApprovalService(PlatformService[ApprovalUseCases]):
    name = "approval"
    db = Database(platform)
    use_cases = ApprovalUseCases

    on_application_submitted = subscribe(
        "application_submitted",
        effect_for=lambda service: application.open_review_case(service.clock.today()),
    )

    @rpc
    @query("review.list")
    def list_review_cases(self, project_code: str | None = None, filters: dict | None = None) -> list[dict]:
        page = schemas.load(
            schemas.ReviewCasePage, {k: v for k, v in (filters or {}).items() if k in ("limit", "after")}
        )
        return [
            schemas.case_view(c)
            for c in self.cases.review_cases(
                project_code=project_code, limit=page["limit"], after=page.get("after")
            )
        ]

    @rpc
    @command("review.round.open")
    def open_round(self, data: dict) -> dict:
        body = schemas.load(schemas.RoundOpening, data)
        round_, cases = self.cases.open_round(self.caller, title=body["title"], projects=body["projects"])
        return schemas.round_view(round_, cases)

    @rpc
    @query("review.list")
    def get_round(self, round_id: str) -> dict:
        return schemas.round_view(*self.cases.get_round(round_id=round_id))

    @rpc
    @command("review.opinion")
    def record_opinion(self, round_id: str, data: dict) -> dict:
        case = self.cases.record_opinion(
            self.caller, round_id=round_id, data=schemas.load(schemas.OpinionFiling, data)
        )
        return schemas.case_view(case)

    @rpc
    @command("review.round.close")
    def close_round(self, round_id: str) -> dict:
        return schemas.round_view(*self.cases.close_round(round_id=round_id))

    @rpc
    @command("drc.approve")
    def record_drc_decision(self, code: str, data: dict) -> dict:
        case = self.cases.record_drc_decision(code=code, data=schemas.load(schemas.DrcDecision, data))
        return schemas.case_view(case)

    @rpc
    @command("drc.take_up")
    def take_up_fixed_asset(self, code: str, data: dict) -> dict:
        comments = schemas.load(schemas.FixedAssetTakeUp, data)["comments"]
        return schemas.case_view(self.cases.take_up_fixed_asset(code=code, comments=comments))

    on_secrecy_review_decided = subscribe(
        "secrecy_review_decided", effect_for=lambda service: application.secrecy_decided(service.clock)
    )
    on_project_classified = subscribe("project_classified", application.project_classified)
    on_change_requested = subscribe("change_requested", application.change_requested)
    # 第十九条: a finished project is no longer suspended (acceptance owns the completion)
    on_construction_completed = subscribe("construction_completed", application.construction_completed)

    @rpc
    @command("project.change.decide")
    def decide_change(self, code: str, request_id: str, data: dict) -> dict:
        review = self.cases.decide_change(
            self.caller, code=code, request_id=request_id, data=schemas.load(schemas.ChangeDecision, data)
        )
        return schemas.change_review_view(review)

    @rpc
    @command("project.change.reapprove")
    def reapprove_change(self, code: str, request_id: str, data: dict) -> dict:
        review = self.cases.reapprove_change(
            self.caller, code=code, request_id=request_id, data=schemas.load(schemas.ChangeReapproval, data)
        )
        return schemas.change_review_view(review)

    @rpc
    @query("review.list")
    def list_change_reviews(self, code: str) -> list[dict]:
        return [schemas.change_review_view(r) for r in self.cases.change_reviews(code=code)]

    @rpc
    @command("project.incident.report")
    def report_incident(self, code: str, data: dict) -> dict:
        incident = self.cases.report_incident(
            self.caller, code=code, data=schemas.load(schemas.IncidentReport, data)
        )
        return schemas.incident_view(incident)

    @rpc
    @command("project.incident.decide")
    def decide_incident(self, code: str, incident_id: str, data: dict) -> dict:
        incident = self.cases.decide_incident(
            self.caller, code=code, incident_id=incident_id, data=schemas.load(schemas.IncidentDecision, data)
        )
        return schemas.incident_view(incident)

    @rpc
    @command("project.incident.resume")
    def resume_incident(self, code: str, incident_id: str, data: dict) -> dict:
        reason = schemas.load(schemas.IncidentResumption, data)["reason"]
        return schemas.incident_view(
            self.cases.resume_incident(self.caller, code=code, incident_id=incident_id, reason=reason)
        )

    @rpc
    @query("review.list")
    def list_incidents(self, code: str, filters: dict | None = None) -> list[dict]:
        page = schemas.load(schemas.IncidentPage, filters or {})
        return [
            schemas.incident_view(i)
            for i in self.cases.incidents(code=code, limit=page["limit"], after=page.get("after"))
        ]
