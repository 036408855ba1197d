"""Each role's work: the home page (what is theirs to do), the office's review rounds, the
supervision overview, the audit office's ledger check, the operator's page."""

from __future__ import annotations

from datetime import date

from werkzeug.wrappers import Response

from services.console import PREFIX, api, forms, ops
from shared.timekit.calendar import official_calendar

HOME_PROJECTS = 10


def home(ctx) -> Response:
    """What is this person's to do: their projects, what is due, their role's queue."""
    reads = {
        "projects": ("/projects", {"limit": HOME_PROJECTS}),
        "deadlines": ("/deadlines", {}),
        "findings": ("/findings", {}),
        "sanctions": ("/sanctions", {}),
        "cases": ("/review-cases", {}),
        "overview": ("/overview", {}),
        "plans": ("/plans", {}),
    }
    data = {
        name: ctx.api.read(path, **query) if ctx.may("GET", path) else None
        for name, (path, query) in reads.items()
    }
    if data["deadlines"] is not None:
        data["deadlines"] = sorted(
            (d for d in data["deadlines"] if d["status"] in ("open", "suspended", "missed")),
            key=lambda d: d["due_on"],
        )
    if data["findings"] is not None:
        data["findings"] = [f for f in data["findings"] if f.get("status") != "resolved"]
    if data["sanctions"] is not None:
        data["sanctions"] = [s for s in data["sanctions"] if s.get("status") == "active"]
    cases = data["cases"] or []
    role = ctx.identity.role
    queue = {
        # the office's review queue; the DRC's and the bureau's approvals waiting for them
        "to_review": [c for c in cases if c["status"] == "open" and not c["round_id"]]
        if ctx.may("POST", "/review-rounds")
        else [],
        "waiting": [c for c in cases if role in (c.get("waiting_for") or [])],
        "plans_to_approve": [p for p in (data["plans"] or {}).get("plans", []) if p["status"] == "draft"]
        if ctx.may("POST", "/plans/x/approval")
        else [],
    }
    budget_due = None
    if ctx.may("POST", "/projects/x/budget"):  # finance: approved projects wait for it
        budget_due = ctx.api.read("/projects", status="approved", limit=HOME_PROJECTS)
    return ctx.render(
        "home.html",
        today=date.today(),
        queue=queue,
        budget_due=budget_due,
        can_register=ctx.may("POST", "/projects"),
        **data,
    )


# -- the office's centralized review (第八条, 第九条) ------------------------------------------
def review(ctx, status: int = 200, error: dict | None = None) -> Response:
    answer = ctx.api.get("/review-cases")
    if not answer.ok:
        return ctx.render("message.html", answer.status, error=answer.error, title=ctx.t("评审", "Review"))
    cases = answer.body
    rounds: dict[str, list] = {}
    for case in cases:
        if case["round_id"]:
            rounds.setdefault(case["round_id"], []).append(case)
    opening = api.endpoint("POST", "/review-rounds").body
    return ctx.render(
        "review.html",
        status,
        cases=cases,
        rounds=rounds,
        error=error,
        ready=[c for c in cases if c["status"] == "open" and not c["round_id"]],
        title_field=forms.describe(opening, only=("title",))[0],
        can_open=ctx.may("POST", "/review-rounds"),
    )


def open_round(ctx) -> Response:
    form = ctx.request.form
    body = {"title": form.get("title", "").strip(), "projects": form.getlist("projects")}
    answer = ctx.api.post("/review-rounds", body, ctx.key())
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/review/rounds/{answer.body['id']}")
    return review(ctx, answer.status, answer.error)


def round_page(ctx, round_id: str, status: int = 200, **outcome) -> Response:
    answer = ctx.api.get(f"/review-rounds/{round_id}")
    if not answer.ok:
        return ctx.render(
            "message.html", answer.status, error=answer.error, title=ctx.t("评审批次", "Review round")
        )
    path = f"/review-rounds/{round_id}/opinions"
    specs = forms.describe(
        api.endpoint("POST", path).body,
        only=("decision", "necessity", "feasibility", "approved_amount", "comments"),
    )
    return ctx.render(
        "round.html",
        status,
        round=answer.body,
        specs=specs,
        outcome=outcome,
        can_opine=ctx.may("POST", path),
        can_close=ctx.may("POST", f"/review-rounds/{round_id}/closure"),
    )


def round_act(ctx, round_id: str, action: str) -> Response:
    if action == "opinions":
        specs = forms.describe(api.endpoint("POST", f"/review-rounds/{round_id}/opinions").body)
        body = forms.body_from(ctx.request.form, specs)
        answer = ctx.api.post(f"/review-rounds/{round_id}/opinions", body, ctx.key())
    elif action == "closure":
        answer = ctx.api.post(f"/review-rounds/{round_id}/closure", {}, ctx.key())
    else:
        return ctx.render("message.html", 404, title=ctx.t("没有这项操作", "No such action"))
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/review/rounds/{round_id}")
    error = answer.error or {}
    return round_page(
        ctx,
        round_id,
        answer.status,
        error=error,
        project=ctx.request.form.get("project"),
        values=ctx.request.form,
        errors=forms.flatten_errors(error.get("details")),
    )


# -- supervision and audit -------------------------------------------------------------------
SUPERVISION_PAGE = 20
PAGED = ("findings", "sanctions", "deadlines")  # read in pages (limit/offset) by the API


def _offset(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def supervision(ctx) -> Response:
    """The overview, then overdue deadlines, findings and sanctions, each paged on its own
    (``<list>_offset``); one more than a page is asked, so the page knows whether a next
    one exists."""
    args = ctx.request.args
    offsets = {name: _offset(args.get(f"{name}_offset")) for name in PAGED}
    page = {name: {"limit": SUPERVISION_PAGE + 1, "offset": offsets[name]} for name in PAGED}
    reads = {
        "overview": ("/overview", {}),
        "findings": (
            "/findings",
            {"project": args.get("project"), "status": args.get("status"), **page["findings"]},
        ),
        "sanctions": ("/sanctions", {"project": args.get("project"), **page["sanctions"]}),
        "deadlines": ("/deadlines", {"overdue": "true", **page["deadlines"]}),
    }
    data = {
        name: ctx.api.read(path, **query) if ctx.may("GET", path) else None
        for name, (path, query) in reads.items()
    }
    more = {}
    for name in PAGED:
        rows = data[name]
        more[name] = rows is not None and len(rows) > SUPERVISION_PAGE
        if more[name]:
            data[name] = rows[:SUPERVISION_PAGE]
    return ctx.render(
        "supervision.html", filters=args, offsets=offsets, more=more, page_size=SUPERVISION_PAGE, **data
    )


def audit(ctx) -> Response:
    if not ctx.may("GET", "/ledger/verification"):
        return ctx.render("message.html", 403, title=ctx.t("无权查看", "Not yours to see"))
    code = ctx.request.args.get("project", "").strip()
    verification = ctx.api.get("/ledger/verification")
    trail = ctx.api.get(f"/projects/{code}/audit-trail") if code else None
    return ctx.render("audit.html", verification=verification, trail=trail, code=code)


# -- the operator ----------------------------------------------------------------------------
def _operator(ctx) -> bool:
    # the operations endpoints' permission (the calendar) is the operator's in the matrix
    return ctx.may("PUT", f"/admin/calendar/{date.today().year + 1}")


def operator(ctx, status: int = 200, error: dict | None = None) -> Response:
    if not _operator(ctx):
        return ctx.render("message.html", 403, title=ctx.t("无权查看", "Not yours to see"))
    gateway = ctx.console.gateway
    return ctx.render(
        "operator.html",
        status,
        health=ops.health(gateway.rpc),
        dead=ops.dead_letters(gateway.config["AMQP_URI"]),
        error=error,
        simulated=gateway.simulated_clock,
        years=official_calendar().known_years(),
    )


def set_clock(ctx) -> Response:
    answer = ctx.api.post("/admin/clock", {"today": ctx.request.form.get("today", "")}, ctx.key())
    if answer.ok:
        return ctx.redirect(f"{PREFIX}/operator")
    return operator(ctx, answer.status, answer.error)
