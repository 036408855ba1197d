"""``govproj <group> <command>``: every endpoint a person uses, generated from the gateway's
endpoint table (services/gateway/endpoints.py) so the CLI never drifts from the API. This module
only names the commands and groups them as people think of them; path parameters become
positional arguments, body and query fields become ``--options`` drawn from the same
marshmallow schemas the gateway validates with, and the help is in Chinese and English."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from marshmallow import fields

from shared.i18n import has_chinese, zh
from shared.timekit.clock import CHINA

if TYPE_CHECKING:
    from requests import Response
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from services.gateway.endpoints import Endpoint

# group → its help, Chinese first
GROUPS: dict[str, str] = {
    "plan": "规划与年度计划 · provincial plans and annual guidance plans (第五条, 第六条)",
    "project": "项目登记、材料、申报 · the register, documents, catalog, application",
    "review": "集中评审、变更、重大事项 · centralized review, changes, incidents (第八条, 第九条)",
    "drc": "发展改革部门审批 · the DRC's fixed-asset approval (第四条)",
    "budget": "财政评审与资金 · budget review and the project's funds (第十一条, 第十七条)",
    "contract": "合同备案 · procurement contracts (第十三条)",
    "pay": "资金拨付 · disbursements, paid or refused with every failing gate",
    "complete": "建设完成、年度报告、延期 · completion, annual reports, extensions (第十六条, 第二十三条)",
    "acceptance": "竣工验收、上线、评价 · acceptance, go-live, evaluations (第二十二条–第二十四条)",
    "security": "安全与保密 · security, cryptography, classified projects (第四条, 第三十条–第三十二条)",
    "supervision": "监督：期限、问题、处理 · deadlines, findings, sanctions (第三十三条–第三十九条)",
    "audit": "审计与痕迹 · audits and the hash-chained ledger (第三十五条)",
    "admin": "运维：时钟、日历、请求结果 · operations: clock, calendar, request outcomes",
    "clock": "模拟时钟 · the simulated clock (GOVPROJ_CLOCK=simulated)",
    "calendar": "法定工作日历 · the official working-day calendar",
}


@dataclass(frozen=True)
class Command:
    group: str
    name: str
    method: str
    path: str
    zh: str
    positional: tuple[str, ...] = ()  # body fields given positionally, after the path params


C = Command
COMMANDS: tuple[Command, ...] = (
    C("plan", "draft", "POST", "/plans", "起草省级规划"),
    C("plan", "approve", "POST", "/plans/<plan_id>/approval", "省政府批准规划，规划生效"),
    C("plan", "annual", "POST", "/annual-plans", "依据生效规划下达年度指导计划"),
    C("plan", "list", "GET", "/plans", "规划与年度计划列表"),
    C("project", "register", "POST", "/projects", "登记项目（取得终身代码）"),
    C("project", "list", "GET", "/projects", "项目列表"),
    C("project", "show", "GET", "/projects/<code>", "项目详情：状态、材料、待补事项、资金、期限"),
    C(
        "project",
        "document",
        "PUT",
        "/projects/<code>/documents/<doc_type>",
        "报送材料（新版本），--file 由服务器计算 SHA-256",
    ),
    C("project", "catalog", "PUT", "/projects/<code>/catalog", "填报信息资源目录"),
    C("project", "submit", "POST", "/projects/<code>/submission", "提交申报；缺项逐一列出"),
    C("project", "timeline", "GET", "/projects/<code>/timeline", "项目全过程痕迹"),
    C(
        "project",
        "national-consent",
        "POST",
        "/projects/<code>/national-consent",
        "向国家部委申报前的省政务服务管理办公室意见",
    ),
    C("project", "national-filing", "POST", "/projects/<code>/national-approval-filing", "报备国家部委批复"),
    C("project", "sharing-status", "POST", "/projects/<code>/sharing-status", "记录共享平台接入与共享情况"),
    C("project", "change-request", "POST", "/projects/<code>/change-requests", "重大变更前提出调整申请"),
    C("project", "changes", "GET", "/projects/<code>/change-requests", "调整申请列表"),
    C("project", "incident", "POST", "/projects/<code>/incidents", "报告严重滞后或重大损失"),
    C("project", "incidents", "GET", "/projects/<code>/incidents", "重大事项及处理决定"),
    C("project", "archive", "GET", "/projects/<code>/archive", "电子档案及是否齐全"),
    C("review", "open-round", "POST", "/review-rounds", "开启集中评审批次"),
    C("review", "round", "GET", "/review-rounds/<round_id>", "评审批次及其意见"),
    C("review", "opinion", "POST", "/review-rounds/<round_id>/opinions", "对批次中的项目出具意见"),
    C("review", "close-round", "POST", "/review-rounds/<round_id>/closure", "结束批次，意见生效"),
    C("review", "cases", "GET", "/review-cases", "评审案件（每次申报一件）"),
    C(
        "review",
        "change-decision",
        "POST",
        "/projects/<code>/change-requests/<request_id>/decision",
        "对调整申请作出决定",
    ),
    C(
        "drc",
        "change-approval",
        "POST",
        "/projects/<code>/change-requests/<request_id>/drc-approval",
        "发展改革部门重新审批固定资产投资项目的调整",
    ),
    C(
        "review",
        "incident-decision",
        "POST",
        "/projects/<code>/incidents/<incident_id>/decision",
        "责令限期整改或暂停建设",
    ),
    C(
        "review",
        "incident-resumption",
        "POST",
        "/projects/<code>/incidents/<incident_id>/resumption",
        "解除暂停，恢复建设",
    ),
    C("drc", "approve", "POST", "/projects/<code>/drc-approval", "发展改革部门审批固定资产投资项目"),
    C(
        "drc",
        "take-up",
        "POST",
        "/projects/<code>/fixed-asset",
        "发展改革部门将项目纳入固定资产投资项目审批（第四条）",
    ),
    C("budget", "record", "POST", "/projects/<code>/budget", "记录财政投资评审结果"),
    C("budget", "show", "GET", "/projects/<code>/funds", "批复、已拨付、暂扣、可用资金及台账"),
    C("budget", "surplus-return", "POST", "/projects/<code>/surplus-return", "结余资金按原渠道退回"),
    C("budget", "misappropriation", "POST", "/projects/<code>/misappropriation", "报告截留、挪用资金"),
    C("contract", "file", "POST", "/projects/<code>/contracts", "采购合同备案"),
    C("contract", "list", "GET", "/projects/<code>/contracts", "已备案合同（文本摘要、备案日期）"),
    C("pay", "request", "POST", "/projects/<code>/disbursements", "申请拨付资金"),
    C("complete", "declare", "POST", "/projects/<code>/completion", "建设完成，3 个月验收期限起算"),
    C("complete", "annual-report", "POST", "/projects/<code>/annual-reports", "报送年度建设情况"),
    C("complete", "annual-reports", "GET", "/projects/<code>/annual-reports", "已报送的年度报告"),
    C("complete", "extension", "POST", "/projects/<code>/acceptance-extension", "申请延期验收"),
    C(
        "complete",
        "extension-decision",
        "POST",
        "/projects/<code>/acceptance-extension/decision",
        "批准或不批准延期",
    ),
    C(
        "acceptance",
        "apply",
        "POST",
        "/projects/<code>/acceptance-application",
        "申请竣工验收；缺少的报告逐一列出",
    ),
    C("acceptance", "decide", "POST", "/projects/<code>/acceptance-decision", "作出验收结论"),
    C("acceptance", "show", "GET", "/projects/<code>/acceptance", "验收期限、台账、结论、评价窗口"),
    C(
        "acceptance",
        "delegate",
        "POST",
        "/projects/<code>/acceptance-delegation",
        "项目审批部门委托建设单位组织验收",
    ),
    C("acceptance", "go-live", "POST", "/projects/<code>/go-live", "验收通过的项目上线运行"),
    C(
        "acceptance",
        "self-evaluation",
        "POST",
        "/projects/<code>/self-evaluation",
        "在 12–24 个月窗口内报送自评价",
    ),
    C("acceptance", "commission", "POST", "/projects/<code>/post-evaluations", "委托第三方后评价"),
    C(
        "acceptance",
        "evaluation-report",
        "POST",
        "/post-evaluations/<evaluation_id>/report",
        "受托机构报送后评价报告",
    ),
    C("security", "profile", "PUT", "/projects/<code>/security-profile", "等级保护、密码应用、关键产品"),
    C("security", "risk-assessment", "POST", "/projects/<code>/risk-assessments", "记录风险评估"),
    C(
        "security",
        "crypto-evaluation",
        "POST",
        "/projects/<code>/crypto-evaluations",
        "记录密码应用安全性评估",
    ),
    C(
        "security",
        "secrecy-review",
        "POST",
        "/projects/<code>/secrecy-review",
        "保密行政管理部门审查涉密项目",
    ),
    C(
        "security",
        "classify",
        "POST",
        "/projects/<code>/classification",
        "保密行政管理部门认定项目为涉密项目（第四条）",
    ),
    C(
        "security",
        "secrecy-inspection",
        "POST",
        "/projects/<code>/secrecy-inspections",
        "保密行政管理部门记录保密检查及发现的问题",
    ),
    C(
        "security",
        "secrecy-inspections",
        "GET",
        "/projects/<code>/secrecy-inspections",
        "保密检查记录（仅保密部门与建设单位）",
    ),
    C(
        "security",
        "classified-content",
        "PUT",
        "/projects/<code>/classified-content",
        "涉密项目的目标、内容、地点",
    ),
    C(
        "security",
        "classified-document",
        "PUT",
        "/projects/<code>/classified-documents/<doc_type>",
        "涉密项目的材料",
    ),
    C("security", "classified-catalog", "PUT", "/projects/<code>/classified-catalog", "涉密项目的资源目录"),
    C(
        "security",
        "show-classified",
        "GET",
        "/projects/<code>/classified-content",
        "涉密内容（仅建设单位与保密部门）",
    ),
    C("security", "show", "GET", "/projects/<code>/security", "项目安全档案"),
    C("supervision", "deadlines", "GET", "/deadlines", "期限及其台账"),
    C("supervision", "findings", "GET", "/findings", "发现的问题"),
    C("supervision", "sanctions", "GET", "/sanctions", "处理措施"),
    C("supervision", "overview", "GET", "/overview", "逾期、未结问题、处理措施汇总"),
    C("supervision", "scan", "POST", "/admin/scan", "立即将逾期事项转为问题"),
    C("supervision", "inspect", "POST", "/inspections", "记录检查发现的问题", ("project",)),
    C("supervision", "order", "POST", "/findings/<finding_id>/rectification-order", "责令限期整改"),
    C("supervision", "report", "POST", "/findings/<finding_id>/rectification-report", "建设单位报告整改情况"),
    C("supervision", "verify", "POST", "/findings/<finding_id>/verification", "核查整改结果"),
    C("supervision", "refusal", "POST", "/findings/<finding_id>/rectification-refusal", "记录拒不整改"),
    C("supervision", "sanction", "POST", "/sanctions", "采取处理措施", ("project",)),
    C("supervision", "lift", "POST", "/sanctions/<sanction_id>/lifting", "解除处理措施"),
    C("supervision", "refer", "POST", "/referrals", "移送纪检监察或司法机关", ("project",)),
    C("audit", "open", "POST", "/audits", "开展审计", ("project",)),
    C("audit", "finding", "POST", "/audits/<audit_id>/findings", "记录审计发现的问题"),
    C("audit", "verify-ledger", "GET", "/ledger/verification", "校验哈希链"),
    C("audit", "verify-ledger-full", "POST", "/ledger/verifications", "后台完整重新校验哈希链"),
    C("audit", "ledger-verification", "GET", "/ledger/verifications/<job_id>", "完整校验任务的进度与结果"),
    C("audit", "trail", "GET", "/projects/<code>/audit-trail", "项目在审计台账中的记录"),
    C("admin", "clock", "POST", "/admin/clock", "模拟时钟：设定今日", ("today",)),
    C("admin", "calendar", "PUT", "/admin/calendar/<int:year>", "载入年度法定工作日安排"),
    C("admin", "request", "GET", "/requests/<path:request_key>", "查询一次写请求的结果"),
    # the names the operations section of the README has always used
    C("clock", "set", "POST", "/admin/clock", "模拟时钟：设定今日", ("today",)),
    C("calendar", "load", "PUT", "/admin/calendar/<int:year>", "载入年度法定工作日安排"),
)


PATH_HELP = {
    "code": "project code / 项目代码, e.g. SD-2026-000001",
    "doc_type": "document type / 材料类型, e.g. construction_plan",
    "year": "calendar year / 年度",
    "request_key": "Idempotency-Key / 请求标识",
}


def endpoint_of(command: Command) -> Endpoint | None:
    """The command's endpoint, or None where the gateway has no such endpoint (any more)."""
    from services.gateway.endpoints import ENDPOINTS

    return next((e for e in ENDPOINTS if (e.method, e.path) == (command.method, command.path)), None)


def path_params(path: str) -> list[str]:
    import re

    return [m.group(1) for m in re.finditer(r"<(?:\w+:)?(\w+)>", path)]


# -- values from the command line, typed by the schema's field --------------------------------


def _scalar(field: fields.Field, text: str) -> bool | int | str:
    if isinstance(field, fields.Boolean):
        if text.lower() in ("true", "yes", "1", "是"):
            return True
        if text.lower() in ("false", "no", "0", "否"):
            return False
        raise argparse.ArgumentTypeError(f"{text!r}: true or false / 须为 true 或 false")
    if isinstance(field, fields.Integer):
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: a whole number / 须为整数") from None
    return text


def _json(text: str) -> Any:
    """JSON inline, or @path/to/file.json."""
    try:
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as fh:
                return json.load(fh)
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"not JSON ({exc}) / 不是有效的 JSON") from None


def converter(field: fields.Field) -> Callable[[str], Any]:
    """How an option's text becomes the field's JSON value: objects and lists of objects as
    JSON, a list of plain values as comma-separated text (or JSON), others as they are."""
    if isinstance(field, fields.List) and not isinstance(field.inner, fields.Nested | fields.Dict):

        def items(text: str) -> Any:
            if text.lstrip().startswith("["):
                return _json(text)
            return [_scalar(field.inner, t.strip()) for t in text.split(",") if t.strip()]

        return items
    if isinstance(field, fields.Nested | fields.List | fields.Dict | fields.Tuple):
        return _json
    return lambda text: _scalar(field, text)


def _metavar(field: fields.Field) -> str:
    if isinstance(field, fields.List) and not isinstance(field.inner, fields.Nested | fields.Dict):
        return "A,B,..."
    if isinstance(field, fields.Nested | fields.List | fields.Dict):
        return "JSON"
    return {fields.Date: "YYYY-MM-DD", fields.Boolean: "true|false", fields.Integer: "N"}.get(
        type(field), "TEXT"
    )


def _field_help(field: fields.Field) -> str | None:
    parts = ["required / 必填" if field.required else ""]
    what = field.metadata.get("description")
    if what:  # in both languages, as every line a person reads (shared.i18n)
        parts.append(what if has_chinese(what) or not zh(what) else f"{what} / {zh(what)}")
    choices = getattr(field.validate, "choices", None) if field.validate else None
    if choices:
        parts.append("one of / 可选: " + ", ".join(map(str, choices)))
    return "; ".join(p for p in parts if p) or None


# -- the parser ------------------------------------------------------------------------------


def common_options() -> argparse.ArgumentParser:
    api = argparse.ArgumentParser(add_help=False)
    api.add_argument(
        "--api", help="gateway base URL / 网关地址 (default $GOVPROJ_API or http://127.0.0.1:8080/api/v1)"
    )
    api.add_argument("--token", help="bearer token / 令牌 (default $GOVPROJ_TOKEN)")
    api.add_argument("--key", help="Idempotency-Key of this write / 幂等键")
    api.add_argument(
        "--json",
        action="store_true",
        help="print the answer as JSON / 以 JSON 输出 (default: a table / 默认表格)",
    )
    api.add_argument(
        "--get",
        metavar="FIELD",
        help="print only this field of the answer (a.b for nested), for scripts / 只输出回答中的此字段",
    )
    api.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="while another agency has not heard of the step before (404/409), "
        "or until --until holds, ask again up to SECONDS (default 30 with "
        "--until) / 其他部门尚未收到前一步时重试，最多等待秒数",
    )
    api.add_argument(
        "--until",
        metavar="FIELD=VALUE",
        help="ask again until the answer's FIELD is VALUE, e.g. status=approved / 重复查询，直到字段等于该值",
    )
    return api


def field_of(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else (data or {}).get(part)
    return data


def _as_text(value: Any) -> str:
    return (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, bool | dict | list) or value is None
        else str(value)
    )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """One sub-parser per group, one command per endpoint of COMMANDS."""
    common = common_options()
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in COMMANDS:
        if command.group not in groups:
            groups[command.group] = sub.add_parser(
                command.group, help=GROUPS[command.group], description=GROUPS[command.group]
            ).add_subparsers(dest="op", required=True, metavar="COMMAND")
        endpoint = endpoint_of(command)
        if endpoint is None:  # the API does not offer it: neither does the CLI
            continue
        text = f"{command.zh} · {endpoint.summary}"
        parser = groups[command.group].add_parser(
            command.name,
            parents=[common],
            help=text,
            description=text,
            epilog=f"{endpoint.method} /api/v1{endpoint.path} · roles / 角色: {', '.join(endpoint.roles)}",
        )
        for name in path_params(command.path):
            parser.add_argument(
                name, type=int if f"<int:{name}>" in command.path else str, help=PATH_HELP.get(name)
            )
        schema = endpoint.body() if endpoint.body else None
        if schema is not None:
            for name, field in schema.fields.items():
                convert = converter(field)
                if name in command.positional:
                    parser.add_argument(
                        f"field:{name}", type=convert, metavar=name.upper(), help=_field_help(field)
                    )
                else:
                    parser.add_argument(
                        f"--{name.replace('_', '-')}",
                        dest=f"field:{name}",
                        type=convert,
                        metavar=_metavar(field),
                        help=_field_help(field),
                    )
            if not command.positional:
                parser.add_argument(
                    "body",
                    nargs="?",
                    type=_json,
                    metavar="BODY",
                    help="the whole JSON body, or @file.json; options above "
                    "override its fields / 完整 JSON 请求体",
                )
        if endpoint.query is not None:
            for name, field in endpoint.query().fields.items():
                parser.add_argument(
                    f"--{name.replace('_', '-')}",
                    dest=f"query:{name}",
                    type=converter(field),
                    metavar=_metavar(field),
                    help=_field_help(field),
                )
        if endpoint.accepts_file:
            parser.add_argument(
                "--file",
                help="upload this file: the server computes its SHA-256 / 上传文件，由服务器计算 SHA-256",
            )
        parser.set_defaults(func=run_command, command_spec=command, has_body=schema is not None)


def run_command(args: argparse.Namespace) -> int:
    method, path, body, query = request_of(args)
    endpoint = endpoint_of(args.command_spec)
    assert endpoint is not None  # add_commands made a command only for an endpoint that exists
    return ApiClient(args, roles=endpoint.roles).call(
        method, path, body, query, upload=getattr(args, "file", None)
    )


def request_of(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]:
    """The HTTP request a parsed command makes: only the fields given (never nulls)."""
    command: Command = args.command_spec
    values = vars(args)
    path = command.path
    for name in path_params(command.path):
        path = path.replace(
            next(p for p in (f"<{name}>", f"<int:{name}>", f"<path:{name}>") if p in path), str(values[name])
        )
    body = None
    if args.has_body:
        body = dict(values.get("body") or {})
        body.update(
            {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("field:") and v is not None}
        )
    query = {
        k.split(":", 1)[1]: (str(v).lower() if isinstance(v, bool) else v)
        for k, v in values.items()
        if k.startswith("query:") and v is not None
    }
    return command.method, path, body, query or None


# -- talking to the gateway ------------------------------------------------------------------


class ApiClient:
    """The CLI's HTTP client: the same API and errors as any agency system gets."""

    def __init__(self, args: argparse.Namespace, roles: list[str] | None = None) -> None:
        self.roles = roles
        self.base = (args.api or os.environ.get("GOVPROJ_API") or "http://127.0.0.1:8080/api/v1").rstrip("/")
        self.token = args.token or os.environ.get("GOVPROJ_TOKEN")
        self.key, self.as_json = getattr(args, "key", None), getattr(args, "json", False)
        self.until: str | None = getattr(args, "until", None)
        self.wait = getattr(args, "wait", 0) or (30.0 if self.until else 0)
        self.get = getattr(args, "get", None)
        if not self.token:
            raise SystemExit(
                "set GOVPROJ_TOKEN (or --token); a development token: "
                "govproj token --role ROLE [--unit CODE]\n"
                "请设置 GOVPROJ_TOKEN（或 --token）；开发环境令牌："
                "govproj token --role 角色 [--unit 单位代码]"
            )

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> int:
        self.key = key or self.key
        return self.call(method, path, body, params)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        upload: str | None = None,
    ) -> int:
        import uuid

        import requests

        headers = {"Authorization": f"Bearer {self.token}"}
        if method != "GET":  # one key for every attempt: a retry never acts twice
            headers["Idempotency-Key"] = self.key or f"cli-{uuid.uuid4()}"
        deadline = time.monotonic() + self.wait
        with waiting(self.wait > 0) as tick:
            while True:
                try:
                    response = self._send(requests, method, path, body, params, headers, upload)
                except requests.RequestException as exc:
                    print(
                        f"the gateway at {self.base} is unreachable ({type(exc).__name__}); "
                        f"is `make run` up?\n无法连接网关 {self.base}，请先运行 make run",
                        file=sys.stderr,
                    )
                    return 3
                if not self._again(response) or time.monotonic() >= deadline:
                    break
                tick()
                time.sleep(0.5)
        data = response.json() if response.content else None
        if response.ok and self.until and not self._holds(data):
            print(
                f"gave up after {self.wait:g} s: {self.until} does not hold yet / "
                f"等待 {self.wait:g} 秒后条件仍未满足：{self.until}",
                file=sys.stderr,
            )
            show(data, self.as_json)
            return 4
        if response.ok:
            if self.get:
                print(_as_text(field_of(data, self.get)))
            else:
                show(data, self.as_json)
            cursor = response.headers.get("X-Next-Cursor") or (
                data.get("next") if isinstance(data, dict) else None
            )
            if cursor and not self.get:  # a full page of a list read in keyset pages
                print(f"next page / 下一页: --after={cursor}", file=sys.stderr)
            return 0
        print_error(response.status_code, (data or {}).get("error", {}))
        if (
            response.status_code == 403
            and self.roles
            and "permission" in ((data or {}).get("error", {}).get("details") or {})
        ):  # the role matrix's
            print(
                f"this command is for / 此命令适用角色: {', '.join(self.roles)} — a development "
                f"token / 开发环境令牌: govproj token --role {self.roles[0]}",
                file=sys.stderr,
            )
        return 1

    def _holds(self, data: Any) -> bool:
        assert self.until is not None  # asked only with --until
        name, _, value = self.until.partition("=")
        return _as_text(field_of(data, name)) == value

    def _again(self, response: Response) -> bool:
        """Ask again? While the step before is not known here yet (404/409), or --until waits."""
        if response.status_code in (404, 409):
            return True
        if self.until and response.ok:
            try:
                return not self._holds(response.json())
            except ValueError:
                return True
        return False

    def _send(
        self,
        requests: ModuleType,
        method: str,
        path: str,
        body: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        upload: str | None,
    ) -> Response:
        if upload:
            from rich.progress import open as progress_open

            with progress_open(
                upload,
                "rb",
                description=f"uploading / 上传 {upload}",
                console=_console(sys.stderr),
                transient=True,
                disable=not sys.stderr.isatty(),
            ) as fh:
                form = {k: v for k, v in (body or {}).items() if k == "title"}
                return requests.request(
                    method,
                    self.base + path,
                    files={"file": fh},
                    data=form,
                    params=params,
                    headers=headers,
                    timeout=300,
                )
        return requests.request(
            method, self.base + path, json=body, params=params, headers=headers, timeout=60
        )


class waiting:
    """A spinner on stderr while asking again (long work shows progress), only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.progress: Progress | None = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=_console(sys.stderr),
            transient=True,
        )
        progress.start()
        task = progress.add_task("waiting for the other agencies / 等待其他部门处理…")
        return lambda: progress.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


# -- output ----------------------------------------------------------------------------------


def _console(stream: TextIO | None = None) -> Console:
    from rich.console import Console

    return Console(
        file=stream or sys.stdout, soft_wrap=False, width=None if (stream or sys.stdout).isatty() else 140
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "…"
    return str(value)


def _rows_table(rows: list[dict[str, Any]], title: str | None = None) -> Table:
    """One row per record; nested objects are left to --json (a table of them is unreadable),
    lists of plain values are joined."""
    from rich.table import Table

    columns = [
        k
        for k in dict.fromkeys(k for row in rows for k in row)
        if not any(isinstance(row.get(k), dict) or _records(row.get(k)) for row in rows)
    ]
    # the day a record happened on and when it was recorded first; a column repeating an
    # earlier one (a timeline's ``at`` is its ``recorded_at``) once
    columns = [k for k in FIRST if k in columns] + [k for k in columns if k not in FIRST]
    columns = [
        k
        for i, k in enumerate(columns)
        if not any(all(row.get(k) == row.get(c) for row in rows) for c in columns[:i])
    ]
    rows = [
        {
            k: "、".join(map(str, v))
            if isinstance(v, list) and all(not isinstance(i, dict | list) for i in v)
            else v
            for k, v in row.items()
        }
        for row in rows
    ]
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, min_width=len(column) if column in FIRST else None)
    for row in rows:
        table.add_row(*(_readable(row.get(c)) for c in columns))
    return table


FIRST = ("business_date", "recorded_at")
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _readable(value: Any) -> str:
    """A cell as a person reads it: a recorded moment in Beijing time to the second, a
    SHA-256 digest by its first 12 characters (``--json`` keeps them whole)."""
    if isinstance(value, str) and _MOMENT.fullmatch(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and _DIGEST.fullmatch(value):
        return value[:12] + "…"
    return _cell(value)


def _records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def _nested_tables(console: Console, rows: list[dict[str, Any]]) -> None:
    """Each record's own lists of records (a deadline's ledger) as tables of their own, titled
    by the record they belong to."""
    for row in rows:
        name = row.get("id") or row.get("code") or row.get("seq") or ""
        for key, value in row.items():
            if _records(value):
                console.print(_rows_table(value, title=f"{name} · {key}"))


def show(data: Any, as_json: bool = False) -> None:
    """``--json``: the answer as it came; else tables a person reads (lists of records as rows,
    a record as field/value lines, its lists of records as tables of their own)."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if data is None:
        return
    from rich.table import Table

    console = _console()
    if isinstance(data, list):
        if data and all(isinstance(r, dict) for r in data):
            console.print(_rows_table(data))
            _nested_tables(console, data)
        else:
            console.print("\n".join(_cell(v) for v in data) or "(none / 无)")
        return
    if not isinstance(data, dict):
        console.print(_cell(data))
        return
    table = Table("field / 字段", "value / 值", show_header=False)
    nested = {}
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            nested[key] = value
        else:
            table.add_row(key, _cell(value))
    console.print(table)
    for key, rows in nested.items():
        console.print(_rows_table(rows, title=key))


def print_error(status: int, error: dict[str, Any]) -> None:
    print(
        f"{status} {error.get('code', '')}: {error.get('message', '')}\n{error.get('message_zh', '')}",
        file=sys.stderr,
    )
    if error.get("articles"):
        print("依据 / articles: " + "、".join(map(str, error["articles"])), file=sys.stderr)
    if error.get("details"):
        print(json.dumps(error["details"], ensure_ascii=False, indent=2), file=sys.stderr)
