"""Approval service entrypoints."""
from nameko.rpc import rpc

from services.approval import application, schemas
from services.approval.models import platform
from shared.messaging.reliable import reliable_handler
from shared.platform import Database, PlatformService, command, query


class ApprovalService(PlatformService):
    name = "approval"
    db = Database(platform)

    @reliable_handler("application_submitted")
    def on_application_submitted(self, event) -> None:
        self.db.handle_once(event, application.open_review_case(self.clock.today()))

    @rpc
    @query("review.list")
    def list_review_cases(self, project_code: str | None = None) -> list[dict]:
        return [schemas.case_view(c) for c in application.review_cases(self.db, project_code)]

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
