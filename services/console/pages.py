"""Projects: the list, registration, the project page and what can be done on it.

Each action on a project is one API endpoint (the table in services/gateway/endpoints.py gives
its permission and its request schema); the form is drawn from that schema and the answer, or
the refusal with its articles, is shown beside the form it concerns."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from werkzeug.wrappers import Response

from services.console import PREFIX, api, forms
from shared import authz
from shared.wire import UPLOADABLE

PAGE = 20
APPLYING = ("draft", "returned")          # the application can still be completed
FUNDED = ("approved", "in_construction")  # money can be asked for
ON_FILE = APPLYING + ("submitted", "under_review", "awaiting_approval", "approved",
                      "in_construction", "completed", "accepted", "in_operation")


@dataclass(frozen=True)
class Action:
    method: str
    path: str                       # the API path, {code} (and {doc_type}) filled in
    title: tuple[str, str]
    button: tuple[str, str]
    done: tuple[str, str] = ("已保存", "Saved")
    only: tuple[str, ...] = ()      # the schema's fields, in this order (default: all)
    statuses: tuple[str, ...] = ()  # when it is the project's next step (else not offered)
    owner: bool = False             # only the project's own unit acts (acts_on_project)

    def api_path(self, code: str, doc_type: str = "") -> str:
        return self.path.format(code=code, doc_type=doc_type or "construction_plan")

    def endpoint(self, code: str) -> api.Endpoint:
        return api.endpoint(self.method, self.api_path(code))

    def fields(self, code: str, rows: int = 1) -> list[forms.Field]:
        schema = self.endpoint(code).body
        return forms.describe(schema, only=self.only, rows=rows) if schema else []


ACTIONS: dict[str, Action] = {
    "documents": Action("PUT", "/projects/{code}/documents/{doc_type}",
                        ("上传文件", "Upload a document"), ("上传", "Upload"),
                        ("文件已归档", "Document filed"),
                        statuses=ON_FILE, owner=True),
    "catalog": Action("PUT", "/projects/{code}/catalog",
                      ("信息资源目录（第二十七条）", "Information-resource catalog (第二十七条)"),
                      ("保存目录", "Save the catalog"), ("目录已保存", "Catalog saved"),
                      statuses=APPLYING, owner=True),
    "submission": Action("POST", "/projects/{code}/submission", ("提交申报", "Submit"),
                         ("提交申报", "Submit the application"),
                         ("已提交申报", "Application submitted"), statuses=APPLYING,
                         owner=True),
    "drc-approval": Action("POST", "/projects/{code}/drc-approval",
                           ("发展改革委审批（第四条）", "DRC approval (第四条)"),
                           ("记录审批意见", "Record the decision"),
                           ("审批意见已记录", "Decision recorded"),
                           statuses=("awaiting_approval",)),
    "secrecy-review": Action("POST", "/projects/{code}/secrecy-review",
                             ("保密审查（第四条）", "Secrecy review (第四条)"),
                             ("记录审查意见", "Record the review"),
                             ("审查意见已记录", "Review recorded"),
                             statuses=("submitted", "under_review", "awaiting_approval")),
    "budget": Action("POST", "/projects/{code}/budget",
                     ("财政投资评审结果（第十一条）", "Budget review result (第十一条)"),
                     ("记录预算", "Record the budget"),
                     ("预算已记录", "Budget recorded"), statuses=FUNDED),
    "contracts": Action("POST", "/projects/{code}/contracts",
                        ("合同备案（第十三条）", "File a contract (第十三条)"),
                        ("备案", "File the contract"),
                        ("合同已备案", "Contract filed"), statuses=FUNDED, owner=True),
    "disbursements": Action("POST", "/projects/{code}/disbursements",
                            ("申请拨付资金（第十七条）", "Request a payment (第十七条)"),
                            ("申请拨付", "Request the payment"),
                            only=("purpose", "amount", "contract_no", "level"),
                            statuses=FUNDED, owner=True),
    "annual-reports": Action("POST", "/projects/{code}/annual-reports",
                             ("年度建设报告（第十六条）", "Annual report (第十六条)"),
                             ("报送", "File the report"), ("年度报告已报送", "Annual report filed"),
                             statuses=("in_construction", "completed"), owner=True),
    "completion": Action("POST", "/projects/{code}/completion",
                         ("建设完成（第二十三条）", "Construction finished (第二十三条)"),
                         ("确认完工", "Declare completion"),
                         ("已确认完工：三个月内申请竣工验收", "Completed: apply for acceptance "
                          "within three months"), statuses=("in_construction",), owner=True),
    "acceptance-application": Action(
        "POST", "/projects/{code}/acceptance-application",
        ("申请竣工验收（第二十三条）", "Apply for acceptance (第二十三条)"),
        ("申请验收", "Apply"), ("已申请竣工验收", "Acceptance applied for"),
        statuses=("completed",), owner=True),
    "acceptance-decision": Action("POST", "/projects/{code}/acceptance-decision",
                                  ("验收结论（第二十二条）", "Acceptance decision (第二十二条)"),
                                  ("记录验收结论", "Record the decision"),
                                  ("验收结论已记录", "Decision recorded"),
                                  statuses=("completed",)),
    "go-live": Action("POST", "/projects/{code}/go-live",
                      ("上线运行（第二十四条）", "Go live (第二十四条)"), ("确认上线", "Go live"),
                      ("已上线运行", "Live"), statuses=("accepted",), owner=True),
    "self-evaluation": Action("POST", "/projects/{code}/self-evaluation",
                              ("自评价（第二十四条）", "Self-evaluation (第二十四条)"),
                              ("报送自评价", "File the self-evaluation"),
                              ("自评价已报送", "Self-evaluation filed"),
                              statuses=("in_operation",), owner=True),
}
# a classified project's documents and catalog are held by security alone (第四条)
CLASSIFIED_PATHS = {"documents": "/projects/{code}/classified-documents/{doc_type}",
                    "catalog": "/projects/{code}/classified-catalog"}


def action_for(name: str, project: dict) -> Action | None:
    action = ACTIONS.get(name)
    if action and project.get("classified") and name in CLASSIFIED_PATHS:
        action = replace(action, path=CLASSIFIED_PATHS[name])
    return action


def offered(ctx, project: dict) -> dict[str, Action]:
    """The actions this person may take on this project now: the role matrix says whether
    they may, the project's stage whether it is the next step."""
    out = {}
    for name in ACTIONS:
        action = action_for(name, project)
        if action.statuses and project.get("status") not in action.statuses:
            continue
        if action.owner and not authz.acts_on_project(ctx.identity, project.get("unit", "")):
            continue
        if ctx.may(action.method, action.api_path(project["code"])):
            out[name] = action
    if "budget" in out and (project.get("funds") or {}).get("by_purpose"):
        del out["budget"]   # recorded once (第十一条); the page shows it
    return out


# -- pages ---------------------------------------------------------------------------------
def project_list(ctx) -> Response:
    args = ctx.request.args
    offset = int(args.get("offset", "0")) if args.get("offset", "0").isdigit() else 0
    query = {"status": args.get("status"), "unit": args.get("unit"),
             "overdue": args.get("overdue"), "limit": PAGE, "offset": offset}
    answer = ctx.api.get("/projects", **query)
    return ctx.render("projects.html", answer.status if not answer.ok else 200,
                      answer=answer, query=query, page=PAGE,
                      can_register=ctx.may("POST", "/projects"))


def register(ctx) -> Response:
    schema = api.endpoint("POST", "/projects").body
    specs = forms.describe(schema)
    if ctx.request.method == "GET":
        return ctx.render("register.html", specs=specs, values={}, errors={}, error=None)
    answer = ctx.api.post("/projects", forms.body_from(ctx.request.form, specs), ctx.key())
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/projects/{answer.body['code']}?done=register")
    error = answer.error or {}
    return ctx.render("register.html", answer.status, specs=specs,
                      values=ctx.request.form, error=error,
                      errors=forms.flatten_errors(error.get("details")))


def project(ctx, code: str, status: int = 200, **outcome: Any) -> Response:
    """The project page; ``outcome``: what the last action answered (errors, a payment)."""
    answer = ctx.api.get(f"/projects/{code}")
    if not answer.ok:
        return ctx.render("message.html", answer.status, error=answer.error,
                          title=ctx.t("无法查看该项目", "This project cannot be shown"))
    view = answer.body
    if view.get("classified") and "name" not in view:
        return ctx.render("stub.html", status, project=view)
    reads = {
        "timeline": ("GET", f"/projects/{code}/timeline"),
        "archive": ("GET", f"/projects/{code}/archive"),
        "funds": ("GET", f"/projects/{code}/funds"),
    }
    extra = {name: ctx.api.read(path) if ctx.may(method, path) else None
             for name, (method, path) in reads.items()}
    actions = offered(ctx, view)
    done = ACTIONS.get(ctx.request.args.get("done", ""))
    return ctx.render(
        "project.html", status, project=view, actions=actions, done=done,
        forms={name: a.fields(code, rows=_rows(name, view)) for name, a in actions.items()},
        upload_types=UPLOADABLE, outcome=outcome, missing=outcome.get("missing") or {},
        open_items={i["item"]: i for i in view.get("open_items") or []},
        defaults={"catalog": forms.values_of({"resources": view.get("catalog") or []})},
        **extra)


def _rows(name: str, view: dict) -> int:
    # the catalog form shows every resource on file and one more empty row
    return len(view.get("catalog") or []) + 1 if name == "catalog" else 1


def act(ctx, code: str, action: str) -> Response:
    current = ctx.api.get(f"/projects/{code}")
    if not current.ok:
        return ctx.render("message.html", current.status, error=current.error,
                          title=ctx.t("无法查看该项目", "This project cannot be shown"))
    chosen = action_for(action, current.body)
    if chosen is None:
        return ctx.render("message.html", 404, title=ctx.t("没有这项操作", "No such action"))
    form = ctx.request.form
    if action == "documents":
        answer = _file_document(ctx, chosen, code)
    else:
        body = forms.body_from(form, chosen.fields(code, rows=_rows(action, current.body)))
        call = ctx.api.put if chosen.method == "PUT" else ctx.api.post
        answer = call(chosen.api_path(code), body, ctx.key())
    if answer.ok and action == "disbursements":
        return project(ctx, code, payment=answer.body)   # paid, or refused with its gates
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/projects/{code}?done={action}")
    error = answer.error or {}
    return project(ctx, code, status=answer.status, action=action, error=error,
                   errors=forms.flatten_errors(error.get("details")), values=form,
                   missing=_missing(error))


def _file_document(ctx, action: Action, code: str):
    form = ctx.request.form
    doc_type = form.get("doc_type", "")
    if doc_type not in UPLOADABLE:
        return api.Answer(422, {"error": {
            "code": "validation", "message": "choose a document type",
            "message_zh": "请选择文件类型", "articles": [], "details": {
                "doc_type": ["choose a document type / 请选择文件类型"]}}})
    upload = ctx.request.files.get("file")
    title = form.get("title") or (upload.filename if upload else "")
    if upload and upload.filename:
        return ctx.api.put_file(action.api_path(code, doc_type), upload.stream,
                                upload.filename, title, ctx.key())
    # no file chosen: the API names what is missing
    return ctx.api.put(action.api_path(code, doc_type), {"title": title} if title else {},
                       ctx.key())


def _missing(error: dict) -> dict[str, dict]:
    """A refused submission's missing items by what they concern (a document type, the
    catalog, the plan item), each with its article."""
    details = error.get("details")
    items = details.get("missing") if isinstance(details, dict) else None
    return {m["item"]: m for m in items or [] if isinstance(m, dict) and "item" in m}
