"""Every endpoint in one table: path, permission, owning service and RPC, request schemas.
Routing, the role check, validation at the edge and the OpenAPI document all come from here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from services.planning import schemas as planning
from shared.authz import PERMISSIONS


class ClockSetting(planning.Strict):
    today = fields.Date(required=True)


class CalendarYear(planning.Strict):
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)


class Pagination(planning.Strict):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0))


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str                      # werkzeug rule under /api/v1
    permission: str
    service: str
    rpc: str
    summary: str
    args: Callable[[dict, Any, dict], tuple] = lambda path, body, query: ()
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    status: int = 200
    tag: str = "projects"

    @property
    def roles(self) -> list[str]:
        return sorted(PERMISSIONS[self.permission])


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/plans", "plan.draft", "planning", "draft_plan",
             "Draft the provincial plan (第五条)", tag="plans",
             args=lambda p, b, q: (b,), body=planning.PlanDraft, status=201),
    Endpoint("POST", "/plans/<plan_id>/approval", "plan.approve", "planning", "approve_plan",
             "The provincial government approves the plan: it takes effect (第五条)",
             tag="plans", args=lambda p, b, q: (p["plan_id"],)),
    Endpoint("POST", "/annual-plans", "plan.annual", "planning", "issue_annual_plan",
             "Issue an annual guidance plan from a plan in force (第五条)", tag="plans",
             args=lambda p, b, q: (b,), body=planning.AnnualPlanIssue, status=201),
    Endpoint("GET", "/plans", "plan.read", "planning", "list_plans",
             "Provincial plans and annual guidance plans", tag="plans"),
    Endpoint("POST", "/projects", "project.register", "planning", "register_project",
             "Register a project: lifelong code, pinned regulation version (第三条)",
             args=lambda p, b, q: (b,), body=planning.ProjectRegistration, status=201),
    Endpoint("GET", "/projects", "project.list", "planning", "list_projects",
             "List projects (a unit sees its own and co-built ones)",
             args=lambda p, b, q: (q,), query=planning.ProjectFilters),
    Endpoint("GET", "/projects/<code>", "project.read", "planning", "get_project",
             "A project: status, documents, catalog, open items",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("PUT", "/projects/<code>/documents/<doc_type>", "project.documents.put",
             "planning", "file_document",
             "File a document (a new version) into the project archive (第二十条)",
             args=lambda p, b, q: (p["code"], p["doc_type"], b), body=planning.DocumentFiling),
    Endpoint("PUT", "/projects/<code>/catalog", "project.catalog.put", "planning",
             "set_catalog", "Set the information-resource catalog (第二十七条)",
             args=lambda p, b, q: (p["code"], b), body=planning.Catalog),
    Endpoint("POST", "/projects/<code>/submission", "project.submit", "planning",
             "submit_application",
             "Submit the application; 422 lists every missing item (第七条, 第二十七条)",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("GET", "/projects/<code>/timeline", "project.timeline", "planning", "get_timeline",
             "Every step of the project: time, actor, what, articles",
             args=lambda p, b, q: (p["code"],)),
    Endpoint("POST", "/admin/clock", "admin.clock", "supervision", "set_clock",
             "Simulated clock: set today's date for every service", tag="operations",
             args=lambda p, b, q: (b["today"],), body=ClockSetting),
    Endpoint("PUT", "/admin/calendar/<int:year>", "admin.calendar", "supervision",
             "load_calendar_year",
             "Load a year's official working-day schedule (holidays and 调休 workdays)",
             tag="operations", args=lambda p, b, q: (p["year"], b), body=CalendarYear),
)
