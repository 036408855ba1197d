"""Planning service entrypoints (thin: parse, call the use case, shape the answer)."""
from nameko.rpc import rpc

from services.planning import application, schemas
from services.planning.models import platform
from shared.messaging.reliable import reliable_handler
from shared.platform import Database, PlatformService


class PlanningService(PlatformService):
    name = "planning"
    db = Database(platform)

    @rpc
    def register_project(self, unit: str, data: dict) -> dict:
        fields = schemas.load(schemas.ProjectRegistration, data)
        project = application.register_project(self.db, self.clock.today(), unit, fields)
        return schemas.project_view(project)

    @rpc
    def submit_application(self, code: str) -> dict:
        return schemas.project_view(
            application.submit_application(self.db, self.clock.today(), code))

    @rpc
    def get_project(self, code: str) -> dict:
        return schemas.project_view(application.get_project(self.db, code))

    @rpc
    def list_projects(self, unit: str | None = None) -> list[dict]:
        return [schemas.project_view(p) for p in application.list_projects(self.db, unit)]

    @reliable_handler("review_case_opened")
    def on_review_case_opened(self, event) -> None:
        self.db.handle_once(event, application.review_case_opened)
