"""Approval service entrypoints."""
from services.approval import application, schemas
from services.approval.models import platform
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query


class ApprovalService(PlatformService):
    name = "approval"
    db = Database(platform)

    @reliable_handler("application_submitted")
    def on_application_submitted(self, event) -> None:
        self.db.handle_once(event, application.open_review_case(self.clock.today()))

    @rpc
    @query("review.list")
    def list_review_cases(self, project_code: str | None = None,
                          filters: dict | None = None) -> list[dict]:
        page = schemas.load(schemas.ReviewCasePage, {k: v for k, v in (filters or {}).items()
                                                      if k in ("limit", "after")})
        return [schemas.case_view(c) for c in application.review_cases(
            self.db, project_code, page["limit"], page.get("after"))]

    @rpc
    @command("review.round.open")
    def open_round(self, data: dict) -> dict:
        body = schemas.load(schemas.RoundOpening, data)
        round_, cases = application.open_round(self.db, self.clock, self.caller, body["title"],
                                               body["projects"])
        return schemas.round_view(round_, cases)

    @rpc
    @query("review.list")
    def get_round(self, round_id: str) -> dict:
        return schemas.round_view(*application.get_round(self.db, round_id))

    @rpc
    @command("review.opinion")
    def record_opinion(self, round_id: str, data: dict) -> dict:
        case = application.record_opinion(self.db, self.caller, round_id,
                                          schemas.load(schemas.OpinionFiling, data))
        return schemas.case_view(case)

    @rpc
    @command("review.round.close")
    def close_round(self, round_id: str) -> dict:
        return schemas.round_view(*application.close_round(self.db, self.clock, round_id))

    @rpc
    @command("drc.approve")
    def record_drc_decision(self, code: str, data: dict) -> dict:
        case = application.record_drc_decision(self.db, self.clock, code,
                                               schemas.load(schemas.DrcDecision, data))
        return schemas.case_view(case)

    @rpc
    @command("drc.take_up")
    def take_up_fixed_asset(self, code: str, data: dict) -> dict:
        comments = schemas.load(schemas.FixedAssetTakeUp, data)["comments"]
        return schemas.case_view(application.take_up_fixed_asset(self.db, self.clock, code,
                                                                 comments))

    @reliable_handler("secrecy_review_decided")
    def on_secrecy_review_decided(self, event) -> None:
        self.db.handle_once(event, application.secrecy_decided(self.clock))

    @reliable_handler("project_classified")
    def on_project_classified(self, event) -> None:
        self.db.handle_once(event, application.project_classified)

    @reliable_handler("change_requested")
    def on_change_requested(self, event) -> None:
        self.db.handle_once(event, application.change_requested)

    @rpc
    @command("project.change.decide")
    def decide_change(self, code: str, request_id: str, data: dict) -> dict:
        review = application.decide_change(self.db, self.clock, self.caller, code, request_id,
                                           schemas.load(schemas.ChangeDecision, data))
        return schemas.change_review_view(review)

    @rpc
    @command("project.change.reapprove")
    def reapprove_change(self, code: str, request_id: str, data: dict) -> dict:
        review = application.reapprove_change(self.db, self.clock, self.caller, code,
                                              request_id,
                                              schemas.load(schemas.ChangeReapproval, data))
        return schemas.change_review_view(review)

    @rpc
    @query("review.list")
    def list_change_reviews(self, code: str) -> list[dict]:
        return [schemas.change_review_view(r) for r in application.change_reviews(self.db, code)]

    @rpc
    @command("project.incident.report")
    def report_incident(self, code: str, data: dict) -> dict:
        incident = application.report_incident(self.db, self.clock, self.caller, code,
                                               schemas.load(schemas.IncidentReport, data))
        return schemas.incident_view(incident)

    @rpc
    @command("project.incident.decide")
    def decide_incident(self, code: str, incident_id: str, data: dict) -> dict:
        incident = application.decide_incident(self.db, self.clock, self.caller, code,
                                               incident_id,
                                               schemas.load(schemas.IncidentDecision, data))
        return schemas.incident_view(incident)

    @rpc
    @command("project.incident.resume")
    def resume_incident(self, code: str, incident_id: str, data: dict) -> dict:
        reason = schemas.load(schemas.IncidentResumption, data)["reason"]
        return schemas.incident_view(application.resume_incident(
            self.db, self.clock, self.caller, code, incident_id, reason))

    @rpc
    @query("review.list")
    def list_incidents(self, code: str) -> list[dict]:
        return [schemas.incident_view(i) for i in application.incidents(self.db, code)]
