"""Projects: the list, registration, the project page and what can be done on it.

Each action on a project is one API endpoint (the table in services/gateway/endpoints.py gives
its permission and its request schema); the form is drawn from that schema and the answer, or
the refusal with its articles, is shown beside the form it concerns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from werkzeug.wrappers import Response

from services.console import PREFIX, api, forms
from shared import authz
from shared.policy import get_policy, policy_in_force
from shared.wire import UPLOADABLE

PAGE = 20
APPLYING = ("draft", "returned")  # the application can still be completed
FUNDED = ("approved", "in_construction")  # money can be asked for
ON_FILE = APPLYING + (
    "submitted",
    "under_review",
    "awaiting_approval",
    "approved",
    "in_construction",
    "completed",
    "accepted",
    "in_operation",
)


@dataclass(frozen=True)
class Action:
    method: str
    path: str  # the API path, {code} (and {doc_type}) filled in
    title: tuple[str, str]
    button: tuple[str, str]
    done: tuple[str, str] = ("已保存", "Saved")
    only: tuple[str, ...] = ()  # the schema's fields, in this order (default: all)
    statuses: tuple[str, ...] = ()  # when it is the project's next step (else not offered)
    owner: bool = False  # only the project's own unit acts (acts_on_project)
    fixed: tuple[str, ...] = ()  # body fields the page fills in: "project" is this one
    item: str = ""  # acts on one of the project's findings, sanctions, … ({item})
    item_statuses: tuple[str, ...] = ()  # the item's states it applies to (else not offered)
    classified: bool | None = None  # only on a classified (True) project
    labels: tuple[tuple[str, tuple[str, str]], ...] = ()  # a field's label on this form

    def api_path(self, code: str, doc_type: str = "", item: str = "") -> str:
        return self.path.format(code=code, doc_type=doc_type or "construction_plan", item=item or "x")

    def endpoint(self, code: str) -> api.Endpoint:
        return api.endpoint(self.method, self.api_path(code))

    def fields(self, code: str, rows: int = 1) -> list[forms.Field]:
        schema = self.endpoint(code).body
        if not schema:
            return []
        only = self.only or tuple(n for n in schema._declared_fields if n not in self.fixed)
        specs = forms.describe(schema, only=only, rows=rows)
        _relabel(specs, dict(self.labels))
        return specs

    def body(self, code: str, form, rows: int = 1) -> dict:
        body = forms.body_from(form, self.fields(code, rows))
        return {**body, **{name: code for name in self.fixed}}


def _relabel(specs: list[forms.Field], labels: dict) -> None:
    for spec in specs:  # "findings.0.articles" is labelled as "findings.articles"
        key = ".".join(part for part in spec.name.split(".") if not part.isdigit())
        spec.label = labels.get(key, spec.label)
        _relabel(spec.children, labels)
        for row in spec.rows:
            _relabel(row, labels)


ACTIONS: dict[str, Action] = {
    "documents": Action(
        "PUT",
        "/projects/{code}/documents/{doc_type}",
        ("上传文件", "Upload a document"),
        ("上传", "Upload"),
        ("文件已归档", "Document filed"),
        statuses=ON_FILE,
        owner=True,
    ),
    "catalog": Action(
        "PUT",
        "/projects/{code}/catalog",
        ("信息资源目录（第二十七条）", "Information-resource catalog (第二十七条)"),
        ("保存目录", "Save the catalog"),
        ("目录已保存", "Catalog saved"),
        statuses=APPLYING,
        owner=True,
    ),
    "submission": Action(
        "POST",
        "/projects/{code}/submission",
        ("提交申报", "Submit"),
        ("提交申报", "Submit the application"),
        ("已提交申报", "Application submitted"),
        statuses=APPLYING,
        owner=True,
    ),
    "drc-approval": Action(
        "POST",
        "/projects/{code}/drc-approval",
        ("发展改革委审批（第四条）", "DRC approval (第四条)"),
        ("记录审批意见", "Record the decision"),
        ("审批意见已记录", "Decision recorded"),
        statuses=("awaiting_approval",),
    ),
    "secrecy-review": Action(
        "POST",
        "/projects/{code}/secrecy-review",
        ("保密审查（第四条）", "Secrecy review (第四条)"),
        ("记录审查意见", "Record the review"),
        ("审查意见已记录", "Review recorded"),
        statuses=("submitted", "under_review", "awaiting_approval"),
        classified=True,
    ),
    # flags not only self-declared (第四条): the DRC takes a project up, the bureau declares it
    "fixed-asset": Action(
        "POST",
        "/projects/{code}/fixed-asset",
        ("纳入固定资产投资项目审批（第四条）", "Take up as a fixed-asset project (第四条)"),
        ("纳入审批", "Take it up"),
        ("已纳入固定资产投资项目审批：须经发展改革委审批", "Taken up: the DRC's approval is needed"),
        statuses=("submitted", "under_review", "awaiting_approval", "approved", "in_construction"),
    ),
    "classification": Action(
        "POST",
        "/projects/{code}/classification",
        ("认定为涉密项目（第四条）", "Declare classified (第四条)"),
        ("认定涉密", "Declare it classified"),
        ("已认定为涉密项目：内容由保密审查系统保存", "Declared classified: its content is held by security"),
        statuses=ON_FILE,
    ),
    "classified-content": Action(
        "PUT",
        "/projects/{code}/classified-content",
        ("涉密内容（第四条：仅由保密审查系统保存）", "Classified content (第四条: held by security alone)"),
        ("保存涉密内容", "Save the classified content"),
        ("涉密内容已保存", "Classified content saved"),
        statuses=ON_FILE,
        owner=True,
        classified=True,
    ),
    "budget": Action(
        "POST",
        "/projects/{code}/budget",
        ("财政投资评审结果（第十一条）", "Budget review result (第十一条)"),
        ("记录预算", "Record the budget"),
        ("预算已记录", "Budget recorded"),
        statuses=FUNDED,
    ),
    "contracts": Action(
        "POST",
        "/projects/{code}/contracts",
        ("合同备案（第十三条）", "File a contract (第十三条)"),
        ("备案", "File the contract"),
        ("合同已备案", "Contract filed"),
        statuses=FUNDED,
        owner=True,
    ),
    "disbursements": Action(
        "POST",
        "/projects/{code}/disbursements",
        ("申请拨付资金（第十七条）", "Request a payment (第十七条)"),
        ("申请拨付", "Request the payment"),
        only=("purpose", "amount", "contract_no", "level"),
        statuses=FUNDED,
        owner=True,
    ),
    "annual-reports": Action(
        "POST",
        "/projects/{code}/annual-reports",
        ("年度建设报告（第十六条）", "Annual report (第十六条)"),
        ("报送", "File the report"),
        ("年度报告已报送", "Annual report filed"),
        statuses=("in_construction", "completed"),
        owner=True,
    ),
    "completion": Action(
        "POST",
        "/projects/{code}/completion",
        ("建设完成（第二十三条）", "Construction finished (第二十三条)"),
        ("确认完工", "Declare completion"),
        ("已确认完工：三个月内申请竣工验收", "Completed: apply for acceptance within three months"),
        statuses=("in_construction",),
        owner=True,
    ),
    "acceptance-application": Action(
        "POST",
        "/projects/{code}/acceptance-application",
        ("申请竣工验收（第二十三条）", "Apply for acceptance (第二十三条)"),
        ("申请验收", "Apply"),
        ("已申请竣工验收", "Acceptance applied for"),
        statuses=("completed",),
        owner=True,
    ),
    "acceptance-decision": Action(
        "POST",
        "/projects/{code}/acceptance-decision",
        ("验收结论（第二十二条）", "Acceptance decision (第二十二条)"),
        ("记录验收结论", "Record the decision"),
        ("验收结论已记录", "Decision recorded"),
        statuses=("completed",),
    ),
    "go-live": Action(
        "POST",
        "/projects/{code}/go-live",
        ("上线运行（第二十四条）", "Go live (第二十四条)"),
        ("确认上线", "Go live"),
        ("已上线运行", "Live"),
        statuses=("accepted",),
        owner=True,
    ),
    "self-evaluation": Action(
        "POST",
        "/projects/{code}/self-evaluation",
        ("自评价（第二十四条）", "Self-evaluation (第二十四条)"),
        ("报送自评价", "File the self-evaluation"),
        ("自评价已报送", "Self-evaluation filed"),
        statuses=("in_operation",),
        owner=True,
    ),
    # -- changes and incidents during construction (第十八条, 第十九条)
    "change-requests": Action(
        "POST",
        "/projects/{code}/change-requests",
        ("重大调整申请（第十八条）", "Major change request (第十八条)"),
        ("申请调整", "Apply for the change"),
        ("调整申请已提交，待重新评审", "Change requested: a new review decides"),
        statuses=FUNDED,
        owner=True,
    ),
    "change-decision": Action(
        "POST",
        "/projects/{code}/change-requests/{item}/decision",
        ("调整申请审核（第十八条）", "Decide the change (第十八条)"),
        ("记录审核意见", "Record the decision"),
        ("调整申请已审核", "Change decided"),
        item="change",
        item_statuses=("pending",),
    ),
    "incidents": Action(
        "POST",
        "/projects/{code}/incidents",
        ("报告重大事项（第十九条）", "Report an incident (第十九条)"),
        ("报告", "Report"),
        ("已报告项目审批部门", "Reported to the approving body"),
        statuses=FUNDED,
        owner=True,
    ),
    "incident-decision": Action(
        "POST",
        "/projects/{code}/incidents/{item}/decision",
        ("处理重大事项（第十九条）", "Decide the incident (第十九条)"),
        ("记录处理决定", "Record the decision"),
        ("处理决定已记录", "Decision recorded"),
        item="incident",
        item_statuses=("open",),
    ),
    "incident-resumption": Action(
        "POST",
        "/projects/{code}/incidents/{item}/resumption",
        ("恢复建设（第十九条）", "Resume construction (第十九条)"),
        ("恢复建设", "Resume"),
        ("已恢复建设", "Construction resumed"),
        item="incident",
        item_statuses=("decided",),
    ),
    # -- the acceptance deadline's extension (第二十三条) and the post-evaluation (第二十四条)
    "acceptance-extension": Action(
        "POST",
        "/projects/{code}/acceptance-extension",
        ("申请延期验收（第二十三条）", "Apply to extend the acceptance deadline (第二十三条)"),
        ("申请延期", "Apply"),
        ("延期申请已提交", "Extension requested"),
        statuses=("completed",),
        owner=True,
    ),
    "extension-decision": Action(
        "POST",
        "/projects/{code}/acceptance-extension/decision",
        ("延期验收审核（第二十三条）", "Decide the extension (第二十三条)"),
        ("记录审核意见", "Record the decision"),
        ("延期审核意见已记录", "Extension decided"),
        statuses=("completed",),
        labels=(("granted_due", ("准予延期至", "granted until")),),
    ),
    "post-evaluations": Action(
        "POST",
        "/projects/{code}/post-evaluations",
        ("委托第三方后评价（第二十四条）", "Commission a post-evaluation (第二十四条)"),
        ("委托", "Commission"),
        ("已委托后评价", "Post-evaluation commissioned"),
        statuses=("in_operation",),
        labels=(("evaluator", ("评价机构账号", "evaluator's account")),),
    ),
    "evaluation-report": Action(
        "POST",
        "/post-evaluations/{item}/report",
        ("后评价报告（第二十四条）", "Post-evaluation report (第二十四条)"),
        ("提交报告", "File the report"),
        ("后评价报告已提交", "Report filed"),
        statuses=("in_operation",),
        item="evaluation",
        labels=(("conclusion", ("评价结论", "conclusion")),),
    ),
    # -- supervision (第三十四条–第三十九条): the office, the audit office
    "inspections": Action(
        "POST",
        "/inspections",
        ("监督检查（第三十四条）", "Inspection (第三十四条)"),
        ("记录检查发现的问题", "Record the findings"),
        ("检查发现的问题已记录", "Findings recorded"),
        fixed=("project",),
        labels=(
            ("findings", ("发现的问题", "findings")),
            ("findings.articles", ("违反条款（条号）", "articles (numbers)")),
            ("findings.description", ("问题描述", "description")),
        ),
    ),
    "rectification-order": Action(
        "POST",
        "/findings/{item}/rectification-order",
        ("责令整改（第三十四条）", "Order rectification (第三十四条)"),
        ("责令整改", "Order rectification"),
        ("已责令限期整改", "Rectification ordered"),
        item="finding",
        item_statuses=("open", "failed", "ignored", "refused_to_rectify"),
        labels=(("deadline", ("整改期限", "rectify by")),),
    ),
    "rectification-report": Action(
        "POST",
        "/findings/{item}/rectification-report",
        ("报告整改情况（第三十四条）", "Report the rectification (第三十四条)"),
        ("报告整改", "Report"),
        ("整改情况已报告", "Rectification reported"),
        item="finding",
        item_statuses=("rectification_ordered",),
        owner=True,
        labels=(("report", ("整改情况", "what was rectified")),),
    ),
    "verification": Action(
        "POST",
        "/findings/{item}/verification",
        ("核查整改（第三十四条）", "Verify the rectification (第三十四条)"),
        ("记录核查结果", "Record the verification"),
        ("核查结果已记录", "Verification recorded"),
        item="finding",
        item_statuses=("reported",),
        labels=(("resolved", ("整改合格（不勾选即为未通过）", "resolved (unticked: failed)")),),
    ),
    "sanctions": Action(
        "POST",
        "/sanctions",
        ("处理措施（第三十四条）", "Sanction (第三十四条)"),
        ("作出处理", "Impose"),
        ("处理措施已生效", "Sanction imposed"),
        fixed=("project",),
        labels=(("type", ("措施", "sanction")), ("finding", ("所涉问题", "finding"))),
    ),
    "lifting": Action(
        "POST",
        "/sanctions/{item}/lifting",
        ("解除处理措施（第三十四条）", "Lift the sanction (第三十四条)"),
        ("解除", "Lift"),
        ("处理措施已解除", "Sanction lifted"),
        item="sanction",
        item_statuses=("active",),
    ),
    "audits": Action(
        "POST",
        "/audits",
        ("审计监督（第三十五条）", "Audit engagement (第三十五条)"),
        ("开展审计", "Open the engagement"),
        ("审计项目已开展", "Engagement opened"),
        fixed=("project",),
        labels=(("scope", ("审计范围", "scope")),),
    ),
    "audit-findings": Action(
        "POST",
        "/audits/{item}/findings",
        ("审计发现（第三十五条）", "Audit finding (第三十五条)"),
        ("记录审计发现", "Record the finding"),
        ("审计发现已记录", "Audit finding recorded"),
        item="audit",
        labels=(
            ("articles", ("违反条款（条号）", "articles (numbers)")),
            ("amount", ("涉及金额（元）", "amount (yuan)")),
        ),
    ),
    "referrals": Action(
        "POST",
        "/referrals",
        ("移送处理（第三十七条—第三十九条）", "Referral (第三十七条–第三十九条)"),
        ("移送", "Refer"),
        ("已移送", "Referred"),
        fixed=("project",),
        labels=(
            ("kind", ("移送类别", "referral")),
            ("articles", ("依据条款（条号）", "articles (numbers)")),
            ("finding", ("所涉问题编号", "finding id")),
        ),
    ),
}
# project actions on one of the project's items, shown beside that item
ITEM_ACTIONS = tuple(name for name, a in ACTIONS.items() if a.item)
# the evaluator reads no project page: its report has a page of its own
ELSEWHERE = ("evaluation-report",)
# a classified project's documents and catalog are held by security alone (第四条)
CLASSIFIED_PATHS = {
    "documents": "/projects/{code}/classified-documents/{doc_type}",
    "catalog": "/projects/{code}/classified-catalog",
}


def action_for(name: str, project: dict) -> Action | None:
    action = ACTIONS.get(name)
    if action and project.get("classified") and name in CLASSIFIED_PATHS:
        action = replace(action, path=CLASSIFIED_PATHS[name])
    return action


def offered(ctx, project: dict, acceptance: dict | None = None) -> dict[str, Action]:
    """The actions this person may take on this project now: the role matrix says whether
    they may, the project's stage whether it is the next step."""
    out = {}
    for name in ACTIONS:
        if name in ELSEWHERE:
            continue
        action = action_for(name, project)
        if action.statuses and project.get("status") not in action.statuses:
            continue
        if action.classified and not project.get("classified"):
            continue
        if action.owner and not authz.acts_on_project(ctx.identity, project.get("unit", "")):
            continue
        if ctx.may(action.method, action.api_path(project["code"])):
            out[name] = action
    if "fixed-asset" in out and project.get("approving_body") == "drc":
        del out["fixed-asset"]  # the DRC approves it already (第四条)
    if "classification" in out and project.get("classified"):
        del out["classification"]  # classified already (第四条)
    if "budget" in out and (project.get("funds") or {}).get("by_purpose"):
        del out["budget"]  # recorded once (第十一条); the page shows it
    if "extension-decision" in out and not (acceptance or {}).get("extension_pending"):
        del out["extension-decision"]  # nothing asked yet
    return out


# -- pages ---------------------------------------------------------------------------------
def project_list(ctx) -> Response:
    args = ctx.request.args
    offset = int(args.get("offset", "0")) if args.get("offset", "0").isdigit() else 0
    query = {
        "status": args.get("status"),
        "unit": args.get("unit"),
        "overdue": args.get("overdue"),
        "limit": PAGE,
        "offset": offset,
    }
    answer = ctx.api.get("/projects", **query)
    return ctx.render(
        "projects.html",
        answer.status if not answer.ok else 200,
        answer=answer,
        query=query,
        page=PAGE,
        can_register=ctx.may("POST", "/projects"),
    )


def register(ctx) -> Response:
    schema = api.endpoint("POST", "/projects").body
    specs = forms.describe(schema)
    if ctx.request.method == "GET":
        return ctx.render("register.html", specs=specs, values={}, errors={}, error=None)
    answer = ctx.api.post("/projects", forms.body_from(ctx.request.form, specs), ctx.key())
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/projects/{answer.body['code']}?done=register")
    error = answer.error or {}
    return ctx.render(
        "register.html",
        answer.status,
        specs=specs,
        values=ctx.request.form,
        error=error,
        errors=forms.flatten_errors(error.get("details")),
    )


def project(ctx, code: str, status: int = 200, **outcome: Any) -> Response:
    """The project page; ``outcome``: what the last action answered (errors, a payment)."""
    answer = ctx.api.get(f"/projects/{code}")
    if not answer.ok:
        return ctx.render(
            "message.html",
            answer.status,
            error=answer.error,
            title=ctx.t("无法查看该项目", "This project cannot be shown"),
        )
    view = answer.body
    if view.get("classified") and "name" not in view:
        return ctx.render("stub.html", status, project=view)
    reads = {
        "timeline": ("GET", f"/projects/{code}/timeline"),
        "archive": ("GET", f"/projects/{code}/archive"),
        "funds": ("GET", f"/projects/{code}/funds"),
        "changes": ("GET", f"/projects/{code}/change-requests"),
        "incidents": ("GET", f"/projects/{code}/incidents"),
        "acceptance": ("GET", f"/projects/{code}/acceptance"),
    }
    if view.get("status") != "completed":
        del reads["acceptance"]  # its clock and extension matter while acceptance is due
    extra = {
        name: ctx.api.read(path) if ctx.may(method, path) else None for name, (method, path) in reads.items()
    }
    extra.setdefault("acceptance", None)
    actions = offered(ctx, view, extra["acceptance"])
    done = ACTIONS.get(ctx.request.args.get("done", ""))
    specs = {name: a.fields(code, rows=_rows(name, view)) for name, a in actions.items()}
    _choices(specs, view)
    return ctx.render(
        "project.html",
        status,
        project=view,
        actions=actions,
        done=done,
        forms=specs,
        audits=_audits(extra["timeline"], ctx.request.args.get("audit")),
        made=ctx.request.args.get("made"),
        upload_types=UPLOADABLE,
        outcome=outcome,
        missing=outcome.get("missing") or {},
        open_items={i["item"]: i for i in view.get("open_items") or []},
        defaults={
            "catalog": forms.values_of({"resources": view.get("catalog") or []}),
            "classified-content": {k: view.get(k) for k in ("goals", "content", "location") if view.get(k)},
        },
        **extra,
    )


def _rows(name: str, view: dict) -> int:
    # the catalog form shows every resource on file and one more empty row; an inspection
    # may record a few findings at once
    if name == "catalog":
        return len(view.get("catalog") or []) + 1
    return 3 if name == "inspections" else 1


def _choices(specs: dict[str, list[forms.Field]], view: dict) -> None:
    """A sanction is one of the ladder's steps of the project's regulation (第三十四条) and
    answers one of its findings: offered as choices, the API still decides."""
    for spec in specs.get("sanctions", []):
        if spec.key == "type":
            version = view.get("regulation_version")
            policy = get_policy(version) if version else policy_in_force(date.today())
            spec.kind, spec.choices = "select", tuple(policy.param("sanction_ladder", "steps"))
        elif spec.key == "finding":
            spec.kind, spec.choices = "select", tuple(f["id"] for f in view.get("findings") or [])


def _audits(timeline: dict | None, just_opened: str | None) -> list[dict]:
    """The project's audit engagements, as its timeline recorded them (第三十五条)."""
    audits = [
        {"id": e["details"]["audit_id"], "scope": e["details"].get("scope"), "on": e.get("date")}
        for e in (timeline or {}).get("events", [])
        if e.get("action") == "audit_opened" and "audit_id" in (e.get("details") or {})
    ]
    if just_opened and just_opened not in {a["id"] for a in audits}:
        audits.append({"id": just_opened, "scope": None, "on": None})
    return audits


def act(ctx, code: str, action: str, item: str = "") -> Response:
    current = ctx.api.get(f"/projects/{code}")
    if not current.ok:
        return ctx.render(
            "message.html",
            current.status,
            error=current.error,
            title=ctx.t("无法查看该项目", "This project cannot be shown"),
        )
    chosen = action_for(action, current.body)
    if chosen is None:
        return ctx.render("message.html", 404, title=ctx.t("没有这项操作", "No such action"))
    form = ctx.request.form
    if action == "documents":
        answer = _file_document(ctx, chosen, code)
    else:
        body = chosen.body(code, form, rows=_rows(action, current.body))
        call = ctx.api.put if chosen.method == "PUT" else ctx.api.post
        answer = call(chosen.api_path(code, item=item), body, ctx.key())
    if answer.ok and action == "disbursements":
        return project(ctx, code, payment=answer.body)  # paid, or refused with its gates
    if answer.ok:
        made = answer.body.get("id") if isinstance(answer.body, dict) else None
        after = f"&audit={made}" if action == "audits" else f"&made={made}" if made else ""
        return ctx.redirect(f"{PREFIX}/projects/{code}?done={action}{after}")
    error = answer.error or {}
    return project(
        ctx,
        code,
        status=answer.status,
        action=action,
        item=item,
        error=error,
        errors=forms.flatten_errors(error.get("details")),
        values=form,
        missing=_missing(error),
    )


def _file_document(ctx, action: Action, code: str):
    form = ctx.request.form
    doc_type = form.get("doc_type", "")
    if doc_type not in UPLOADABLE:
        return api.Answer(
            422,
            {
                "error": {
                    "code": "validation",
                    "message": "choose a document type",
                    "message_zh": "请选择文件类型",
                    "articles": [],
                    "details": {"doc_type": ["choose a document type / 请选择文件类型"]},
                }
            },
        )
    upload = ctx.request.files.get("file")
    title = form.get("title") or (upload.filename if upload else "")
    if upload and upload.filename:
        return ctx.api.put_file(
            action.api_path(code, doc_type), upload.stream, upload.filename, title, ctx.key()
        )
    # no file chosen: the API names what is missing
    return ctx.api.put(action.api_path(code, doc_type), {"title": title} if title else {}, ctx.key())


def _missing(error: dict) -> dict[str, dict]:
    """A refused submission's missing items by what they concern (a document type, the
    catalog, the plan item), each with its article."""
    details = error.get("details")
    items = details.get("missing") if isinstance(details, dict) else None
    return {m["item"]: m for m in items or [] if isinstance(m, dict) and "item" in m}


def evaluation_report(ctx) -> Response:
    """The commissioned evaluator's report (第二十四条): the evaluator reads no project page,
    so the post-evaluation's id (given by the office that commissioned it) names it."""
    action = ACTIONS["evaluation-report"]
    if not ctx.may(action.method, action.api_path("")):
        return ctx.render("message.html", 403, title=ctx.t("无权查看", "Not yours to see"))
    specs = action.fields("")
    form = ctx.request.form
    if ctx.request.method == "GET":
        return ctx.render("evaluation.html", specs=specs, values={}, errors={}, error=None, done=False)
    item = (form.get("evaluation") or "").strip()
    answer = (
        ctx.api.post(action.api_path("", item=item), forms.body_from(form, specs), ctx.key())
        if item
        else api.Answer(
            422,
            {
                "error": {
                    "code": "validation",
                    "message": "name the post-evaluation",
                    "message_zh": "请填写后评价编号",
                    "articles": [],
                    "details": {"evaluation": ["required / 必填"]},
                }
            },
        )
    )
    error = answer.error or {}
    return ctx.render(
        "evaluation.html",
        200 if answer.ok else answer.status,
        specs=specs,
        values={} if answer.ok else form,
        error=error or None,
        errors=forms.flatten_errors(error.get("details")),
        done=answer.ok,
        report=answer.body if answer.ok else None,
    )
