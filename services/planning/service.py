"""Planning service entrypoints (thin: check, parse, call the use case, shape the answer)."""

from services.planning import application, schemas
from services.planning.application import PlanningUseCases
from services.planning.domain import EDITABLE
from services.planning.models import platform
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe


class PlanningService(PlatformService[PlanningUseCases]):
    name = "planning"
    db = Database(platform)
    use_cases = PlanningUseCases

    @rpc
    @command("project.register")
    def register_project(self, data: dict) -> dict:
        fields = schemas.registration_fields(schemas.load(schemas.ProjectRegistration, data))
        project = self.cases.register_project(self.caller, data=fields)
        return self._changed_view(project)

    @rpc
    @command("project.documents.put")
    def file_document(self, code: str, doc_type: str, data: dict) -> dict:
        doc_type = schemas.load(schemas.DocType, {"doc_type": doc_type})["doc_type"]
        filing = schemas.load(schemas.DocumentFiling, data)
        project = self.cases.file_document(self.caller, code=code, doc_type=doc_type, data=filing)
        return self._changed_view(project)

    @rpc
    @command("project.catalog.put")
    def set_catalog(self, code: str, data: dict) -> dict:
        catalog = schemas.load(schemas.Catalog, data)
        project = self.cases.set_catalog(self.caller, code=code, resources=catalog["resources"])
        return self._changed_view(project)

    @rpc
    @command("project.submit")
    def submit_application(self, code: str) -> dict:
        project = self.cases.submit_application(self.caller, code=code)
        return self._changed_view(project)

    def _changed_view(self, project) -> dict:
        """The project after the unit's change: its open items are exactly what submission
        would refuse, the plan item in force included (第六条) — read only while the application
        is open and names an item, as ``get_project`` (past submission it has no open items)."""
        open_application = project.plan_item is not None and project.status in EDITABLE
        plan_items = self.cases.plan_items() if open_application else set()
        return schemas.project_view(project, self.caller, plan_items=plan_items)

    @rpc
    @query("project.read")
    def get_project(self, code: str) -> dict:
        project, plan_items = self.cases.get_project(self.caller, code=code)
        return schemas.project_view(project, self.caller, plan_items=plan_items)

    @rpc
    @query("secrecy.classify")
    def content_to_classify(self, code: str) -> dict | None:
        """What the bureau's declaration moves to security (第四条): read by the gateway for
        that command only, passed to security in it — never published."""
        return self.cases.content_to_classify(self.caller, code=code)

    @rpc
    @query("project.list")
    def list_projects(
        self, filters: dict | None = None, among: list[str] | None = None, excluding: list[str] | None = None
    ) -> dict:
        """``among``/``excluding``: project codes another service selected (the gateway's
        ``overdue`` filter, from supervision's deadlines)."""
        params = schemas.load(schemas.ProjectFilters, filters or {})
        total, projects = self.cases.list_projects(self.caller, among=among, excluding=excluding, **params)
        return {
            "items": [schemas.project_view(p, self.caller, detail=False) for p in projects],
            "total": total,
            "limit": params["limit"],
            "offset": params["offset"],
        }

    @rpc
    @command("plan.draft")
    def draft_plan(self, data: dict) -> dict:
        plan = self.cases.draft_plan(self.caller, data=schemas.load(schemas.PlanDraft, data))
        return schemas.plan_view(plan)

    @rpc
    @command("plan.approve")
    def approve_plan(self, plan_id: str) -> dict:
        return schemas.plan_view(self.cases.approve_plan(self.caller, plan_id=plan_id))

    @rpc
    @command("plan.annual")
    def issue_annual_plan(self, data: dict) -> dict:
        annual = self.cases.issue_annual_plan(self.caller, data=schemas.load(schemas.AnnualPlanIssue, data))
        return schemas.annual_plan_view(annual)

    @rpc
    @query("plan.read")
    def list_plans(self, filters: dict | None = None) -> dict:
        page = schemas.load(schemas.PlanPage, filters or {})
        plans, annual = self.cases.list_plans(limit=page["limit"], after=page.get("after"))
        return {
            "plans": [schemas.plan_view(p) for p in plans],
            "annual_plans": [schemas.annual_plan_view(a) for a in annual],
        }

    @rpc
    @command("project.national.consent")
    def record_national_consent(self, code: str, data: dict) -> dict:
        decision = schemas.load(schemas.NationalConsent, data)["decision"]
        return schemas.project_view(
            self.cases.record_national_consent(self.caller, code=code, decision=decision), self.caller
        )

    @rpc
    @command("project.national.file")
    def file_national_approval(self, code: str, data: dict) -> dict:
        filing = schemas.load(schemas.NationalFiling, data)
        return schemas.project_view(
            self.cases.file_national_approval(self.caller, code=code, filing=filing), self.caller
        )

    @rpc
    @command("project.sharing.record")
    def record_sharing_status(self, code: str, data: dict) -> dict:
        status = schemas.load(schemas.SharingStatus, data)
        return schemas.project_view(
            self.cases.record_sharing_status(self.caller, code=code, data=status), self.caller
        )

    @rpc
    @command("project.change.request")
    def request_change(self, code: str, data: dict) -> dict:
        request = schemas.load_change_request(data)
        return schemas.change_view(self.cases.request_change(self.caller, code=code, data=request))

    @rpc
    @query("project.read")
    def list_change_requests(self, code: str, filters: dict | None = None) -> list[dict]:
        page = schemas.load(schemas.ChangeRequestPage, filters or {})
        return [
            schemas.change_view(r)
            for r in self.cases.change_requests(
                self.caller, code=code, limit=page["limit"], after=page.get("after")
            )
        ]

    on_contract_filed = subscribe("contract_filed", application.contract_filed)
    on_sanction_imposed = subscribe("sanction_imposed", application.sanction_imposed)
    on_sanction_lifted = subscribe("sanction_lifted", application.sanction_lifted)
    on_construction_completed = subscribe("construction_completed", application.construction_completed)
    on_acceptance_decided = subscribe("acceptance_decided", application.acceptance_decided)
    on_project_went_live = subscribe("project_went_live", application.project_went_live)
    on_classified_material_filed = subscribe(
        "classified_material_filed", application.classified_material_filed
    )
    on_fixed_asset_designated = subscribe("fixed_asset_designated", application.fixed_asset_designated)
    on_project_classified = subscribe("project_classified", application.project_classified)
    on_secrecy_review_decided = subscribe("secrecy_review_decided", application.secrecy_decided)
    on_change_decided = subscribe("change_decided", application.change_decided)
    on_change_reapproved = subscribe("change_reapproved", application.change_reapproved)
    on_construction_suspended = subscribe("construction_suspended", application.construction_suspended)
    on_construction_resumed = subscribe("construction_resumed", application.construction_resumed)
    on_review_case_opened = subscribe("review_case_opened", application.review_case_opened)
    on_review_opinion_issued = subscribe("review_opinion_issued", application.opinion_issued)
    on_drc_decision_recorded = subscribe("drc_decision_recorded", application.drc_decided)
    on_project_approved = subscribe("project_approved", application.project_approved)
