"""Planning service entrypoints (thin: check, parse, call the use case, shape the answer)."""
from nameko.rpc import rpc

from services.planning import application, schemas
from services.planning.models import platform
from shared.messaging.reliable import reliable_handler
from shared.platform import Database, PlatformService, command, query


class PlanningService(PlatformService):
    name = "planning"
    db = Database(platform)

    @rpc
    @command("project.register")
    def register_project(self, data: dict) -> dict:
        fields = schemas.registration_fields(schemas.load(schemas.ProjectRegistration, data))
        project = application.register_project(self.db, self.clock, self.caller, fields)
        return schemas.project_view(project, self.caller)

    @rpc
    @command("project.documents.put")
    def file_document(self, code: str, doc_type: str, data: dict) -> dict:
        doc_type = schemas.load(schemas.DocType, {"doc_type": doc_type})["doc_type"]
        filing = schemas.load(schemas.DocumentFiling, data)
        project = application.file_document(self.db, self.clock, self.caller, code, doc_type,
                                            filing)
        return schemas.project_view(project, self.caller)

    @rpc
    @command("project.catalog.put")
    def set_catalog(self, code: str, data: dict) -> dict:
        catalog = schemas.load(schemas.Catalog, data)
        project = application.set_catalog(self.db, self.clock, self.caller, code,
                                          catalog["resources"])
        return schemas.project_view(project, self.caller)

    @rpc
    @command("project.submit")
    def submit_application(self, code: str) -> dict:
        project = application.submit_application(self.db, self.clock, self.caller, code)
        return schemas.project_view(project, self.caller)

    @rpc
    @query("project.read")
    def get_project(self, code: str) -> dict:
        return schemas.project_view(application.get_project(self.db, self.caller, code),
                                    self.caller)

    @rpc
    @query("project.list")
    def list_projects(self, filters: dict | None = None) -> dict:
        params = schemas.load(schemas.ProjectFilters, filters or {})
        total, projects = application.list_projects(self.db, self.caller, **params)
        return {"items": [schemas.project_view(p, self.caller, detail=False) for p in projects],
                "total": total, "limit": params["limit"], "offset": params["offset"]}

    @rpc
    @query("project.timeline")
    def get_timeline(self, code: str) -> dict:
        project, rows = application.get_timeline(self.db, self.caller, code)
        return {"code": code, "events": schemas.timeline_view(project, rows, self.caller)}

    @reliable_handler("review_case_opened")
    def on_review_case_opened(self, event) -> None:
        self.db.handle_once(event, application.review_case_opened(self.clock))
