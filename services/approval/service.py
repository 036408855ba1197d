"""Approval service entrypoints."""
from nameko.rpc import rpc

from services.approval import application
from services.approval.models import platform
from shared.messaging.reliable import reliable_handler
from shared.platform import Database, PlatformService, query


class ApprovalService(PlatformService):
    name = "approval"
    db = Database(platform)

    @reliable_handler("application_submitted")
    def on_application_submitted(self, event) -> None:
        self.db.handle_once(event, application.open_review_case(self.clock.today()))

    @rpc
    @query("review.list")
    def list_review_cases(self, project_code: str | None = None) -> list[dict]:
        return application.review_cases(self.db, project_code)
