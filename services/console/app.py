"""The console's request handling: sign-in (an HttpOnly cookie holding the bearer token),
the language, a CSRF check on every form, routing to the pages, rendering."""

from __future__ import annotations

import hashlib
import hmac
import logging
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from services.console import PREFIX, api, forms, pages, queues, words
from services.gateway.auth import development_token
from shared import authz
from shared.authz import Identity, Unauthenticated

log = logging.getLogger("govproj.console")

TOKEN_COOKIE = "govproj_console"
LANG_COOKIE = "govproj_lang"
STATIC = Path(__file__).parent / "static"


@dataclass
class Ctx:
    """One request as the console sees it."""

    console: Console
    request: Request
    lang: str
    token: str | None = None
    identity: Identity | None = None
    api: api.Api | None = None
    status: int = 200
    headers: dict = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return csrf_for(self.token or "")

    def may(self, method: str, path: str) -> bool:
        return api.may(self.identity, method, path)

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        html = self.console.templates.get_template(template).render(ctx=self, **values)
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
        response.headers.update(self.headers)
        if self.request.method != "GET":
            # htmx: a page answered to a form keeps the address of the page it came from
            response.headers["HX-Push-Url"] = "false"
        return response

    def redirect(self, path: str) -> Response:
        response = Response(status=303, headers={"Location": path, **self.headers})
        return response

    def key(self) -> str:
        """The form's Idempotency-Key: a resubmitted form acts once."""
        return self.request.form.get("_key") or uuid.uuid4().hex


def csrf_for(token: str) -> str:
    # the cookie is HttpOnly and SameSite=Strict; forms also carry a value only the page knows
    return hmac.new(token.encode(), b"govproj-console-form", hashlib.sha256).hexdigest()[:32]


def _safe_next(value: str | None) -> str:
    """Only a console path (no open redirect)."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//") and not urlsplit(value).netloc:
        return value
    return PREFIX + "/"


Handler = Callable[..., Response]

ROUTES: list[tuple[str, Handler, tuple[str, ...]]] = [
    ("/", queues.home, ("GET",)),
    ("/projects", pages.project_list, ("GET",)),
    ("/projects/new", pages.register, ("GET", "POST")),
    ("/projects/<code>", pages.project, ("GET",)),
    ("/projects/<code>/<action>", pages.act, ("POST",)),
    ("/projects/<code>/<action>/<item>", pages.act, ("POST",)),
    ("/post-evaluations", pages.evaluation_report, ("GET", "POST")),
    ("/review", queues.review, ("GET",)),
    ("/review/rounds", queues.open_round, ("POST",)),
    ("/review/rounds/<round_id>", queues.round_page, ("GET",)),
    ("/review/rounds/<round_id>/<action>", queues.round_act, ("POST",)),
    ("/supervision", queues.supervision, ("GET",)),
    ("/audit", queues.audit, ("GET",)),
    ("/operator", queues.operator, ("GET",)),
    ("/operator/clock", queues.set_clock, ("POST",)),
]


class Console:
    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self.development = gateway.auth.mode == "development"
        self.secret = gateway.config.get("JWT_DEV_SECRET") if self.development else None
        self.templates = Environment(
            loader=PackageLoader("services.console", "templates"),
            autoescape=select_autoescape(),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters.update(money=words.money, beijing=words.beijing, day=words.day)
        self.templates.globals.update(_globals())
        self.url_map = Map(
            [
                Rule(PREFIX + path, endpoint=handler, methods=list(methods))
                for path, handler, methods in ROUTES
            ]
            + [
                Rule(PREFIX + "/login", endpoint="login", methods=["GET", "POST"]),
                Rule(PREFIX + "/logout", endpoint="logout", methods=["POST"]),
                Rule(PREFIX + "/lang/<lang>", endpoint="lang", methods=["GET"]),
                Rule(PREFIX + "/static/<name>", endpoint="static", methods=["GET"]),
            ],
            strict_slashes=True,
        )

    def handle(self, request: Request) -> Response:
        lang = request.cookies.get(LANG_COOKIE, "zh")
        ctx = Ctx(self, request, lang if lang in words.LANGS else "zh")
        try:
            handler, params = self.url_map.bind_to_environ(request.environ).match()
        except MethodNotAllowed:  # e.g. reloading a page answered to a form
            return ctx.redirect(request.path.rsplit("/", 1)[0])
        except HTTPException as exc:  # NotFound, or the redirect to a trailing slash
            if isinstance(exc, NotFound):
                return ctx.render("message.html", 404, title=ctx.t("页面不存在", "Not found"))
            return exc.get_response(request.environ)
        if handler == "static":
            return self.static(params["name"])
        if handler == "lang":
            return self.switch_language(request, params["lang"])
        if handler == "login":
            return self.login(ctx)
        if handler == "logout":
            return self.logout(ctx)
        if not self._sign_in(ctx):
            return ctx.redirect(f"{PREFIX}/login?next={quote(request.full_path.rstrip('?'))}")
        if request.method == "POST" and not hmac.compare_digest(request.form.get("_csrf", ""), ctx.csrf):
            return ctx.render(
                "message.html",
                400,
                title=ctx.t("表单已失效，请返回重新提交", "The form expired: go back and submit it again"),
            )
        return handler(ctx, **params)

    # -- who is this ---------------------------------------------------------------------
    def _sign_in(self, ctx: Ctx) -> bool:
        """The token from the sign-in cookie, or one an identity-provider proxy forwards in
        ``Authorization``; verified exactly as the API verifies it."""
        header = ctx.request.headers.get("Authorization", "")
        token = (
            header[len("Bearer ") :].strip()
            if header.startswith("Bearer ")
            else ctx.request.cookies.get(TOKEN_COOKIE)
        )
        if not token:
            return False
        try:
            ctx.identity = self.gateway.auth.identify(f"Bearer {token}")
        except Unauthenticated:
            return False
        ctx.token = token
        ctx.api = api.Api(self.gateway, token, uuid.uuid4().hex)
        return True

    def login(self, ctx: Ctx) -> Response:
        request = ctx.request
        error = None
        if request.method == "POST":
            token, error = self._token_from(ctx, request.form)
            if token:
                response = ctx.redirect(_safe_next(request.form.get("next")))
                response.set_cookie(
                    TOKEN_COOKIE,
                    token,
                    httponly=True,
                    samesite="Strict",
                    secure=request.is_secure,
                    path=PREFIX,
                )
                return response
        return ctx.render(
            "login.html",
            401 if error else 200,
            error=error,
            roles=authz.ROLES,
            development=self.development,
            next=_safe_next(request.values.get("next")),
            form=request.form,
        )

    def _token_from(self, ctx: Ctx, form) -> tuple[str | None, str | None]:
        if self.development and form.get("role"):
            try:  # the same token `govproj token` prints
                return development_token(self.secret, form["role"], form.get("unit") or None), None
            except ValueError:
                return None, ctx.t("建设单位须填写单位代码", "a construction unit needs its unit code")
        token = (form.get("token") or "").strip()
        try:
            self.gateway.auth.identify(f"Bearer {token}")
        except Unauthenticated as exc:
            return None, exc.message_zh if ctx.lang == "zh" else exc.message
        return token, None

    def logout(self, ctx: Ctx) -> Response:
        response = ctx.redirect(PREFIX + "/login")
        response.delete_cookie(TOKEN_COOKIE, path=PREFIX)
        return response

    @staticmethod
    def switch_language(request: Request, lang: str) -> Response:
        response = Response(status=303, headers={"Location": _safe_next(request.args.get("next"))})
        if lang in words.LANGS:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", path=PREFIX)
        return response

    @staticmethod
    def static(name: str) -> Response:
        path = STATIC / name
        if not path.is_file() or path.parent != STATIC:
            return Response("not found", status=404)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(
            path.read_bytes(), content_type=content_type, headers={"Cache-Control": "public, max-age=3600"}
        )


def _globals() -> dict:
    @pass_context
    def t(context, zh: str, en: str) -> str:
        return zh if context["ctx"].lang == "zh" else en

    @pass_context
    def w(context, table: str, key: str | None) -> str:
        return words.label(getattr(words, table), key, context["ctx"].lang)

    @pass_context
    def field_label(context, spec: forms.Field) -> str:
        if spec.label:
            return words.pick(spec.label, context["ctx"].lang)
        return words.field_label(spec.name, context["ctx"].lang)

    @pass_context
    def event(context, event_type: str) -> str:
        return words.event(event_type, context["ctx"].lang)

    return {
        "t": t,
        "w": w,
        "event": event,
        "field_label": field_label,
        "PREFIX": PREFIX,
        "uuid": lambda: uuid.uuid4().hex,
    }
