"""``govproj``: run, migrate and check the suite; operator commands.

    govproj run              migrate, declare the topology, start every service and restart any
                             that exits (Ctrl-C stops)
    govproj migrate          bring every service's database to the latest revision
    govproj topology         declare exchanges, queues and bindings (with administrator rights)
    govproj manifests [--check]   regenerate deploy/k8s/base/broker-*.yaml from the registry
    govproj keys [--rotate PRINCIPAL]   this deployment's Ed25519 signing keys (GOVPROJ_KEYS_DIR)
    govproj status           each service's health over the bus; non-zero exit if one is down
    govproj probe SERVICE    one service's readiness (exit code), for Kubernetes probes
    govproj token --role ROLE [--unit CODE]     a development JWT
    govproj project register|list|show|document|catalog|submit|timeline ...   (through the gateway)
    govproj supervision deadlines|findings|sanctions|overview|scan|verify-ledger|inspect|
                        order|report|verify|sanction|lift|refer ...     (through the gateway)
    govproj clock set DATE   simulated clock: set today's date for every service
    govproj calendar load YEAR --holidays D,D --workdays D,D
  Gateway commands read GOVPROJ_API and GOVPROJ_TOKEN.
"""
from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import signal
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from kombu import Connection  # noqa: E402

from shared.config import SERVICES, amqp_uri_from_env, config_path, load_config  # noqa: E402
from shared.restarts import Keeper  # noqa: E402

logging.getLogger("amqp").setLevel(logging.ERROR)  # "Received method ... during closing channel"

REPO_ROOT = config_path("planning").parent.parent.parent


def _safe(uri: str) -> str:
    conn = Connection(uri)
    return f"amqp://{conn.userid}:***@{conn.hostname}:{conn.port or 5672}/{conn.virtual_host or ''}"


def broker_reachable(uri: str, timeout: float = 3.0) -> str | None:
    """None if the broker answers, else why not (one line)."""
    try:
        with Connection(uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return None
    except Exception as exc:  # socket errors, auth errors, ...
        return f"{type(exc).__name__}: {exc}"


def require_broker(uri: str) -> None:
    problem = broker_reachable(uri)
    if problem:
        sys.stderr.write(
            f"RabbitMQ is not reachable at {_safe(uri)} ({problem}).\n"
            f"无法连接 RabbitMQ 消息服务器。\n\n"
            "Start one, then try again:\n"
            "  - installed locally:  rabbitmq-server -detached\n"
            "  - with Docker:        docker run -d -p 5672:5672 -p 15672:15672 "
            "rabbitmq:3-management\n"
            "or point AMQP_URI at a running broker, e.g. "
            "AMQP_URI=amqp://user:pass@host:5672/ make run\n")
        raise SystemExit(2)


def cmd_migrate(args) -> int:
    from shared.persistence.migrations import upgrade

    for service in args.services or SERVICES:
        url = load_config(service)["DB_URI"]
        upgrade(service, url)
        print(f"{service}: database at revision head ({url.split('@')[-1]})")
    return 0


def cmd_topology(args) -> int:
    """Every exchange, queue and binding, declared once by an administrator: the services may
    not declare them (shared.messaging.rights) and only check they exist."""
    from shared.messaging import topology

    uri = amqp_uri_from_env()
    require_broker(uri)
    with Connection(uri) as conn:
        topology.declare(conn, topology.all_declarations(topology.DEFAULT_RETRY_DELAYS_MS))
    print("topology declared")
    return 0


def cmd_manifests(args) -> int:
    from shared.messaging import manifests

    if args.check:
        stale = manifests.stale_files()
        for path in stale:
            print(f"{path.relative_to(REPO_ROOT)} differs from what the registry derives; "
                  "run `govproj manifests`", file=sys.stderr)
        return 1 if stale else 0
    for path in manifests.write_files():
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


def cmd_keys(args) -> int:
    """Make each principal's Ed25519 key pair where it is missing (or rotate one): development
    keys per deployment, never committed (README, Signing)."""
    from shared import keys

    directory = keys.keys_dir()
    if args.rotate:
        key = keys.generate(directory, args.rotate, rotate=True)
        print(f"{args.rotate}: new key {key.kid}; its old public key stays trusted until you "
              f"remove it from {directory / 'public'}")
        return 0
    for principal in (*SERVICES, "gateway"):
        key = keys.generate(directory, principal)
        if key:
            print(f"{principal}: key {key.kid} written to {directory}")
    return 0


def broker_users(admin_uri: str) -> dict[str, dict[str, str]]:
    """Each process's broker environment for `govproj run`: its own least-privilege user, as in
    production, when this machine can create users; else (said clearly) the one given user."""
    from shared.messaging import provision, rights

    try:
        how, uris = provision.provision_users(admin_uri, rights.all_rights(),
                                              os.environ.get("GOVPROJ_RABBIT_API"))
    except Exception as exc:  # no management API, no rabbitmqctl, not an administrator
        print(f"could not create the per-service broker users ({type(exc).__name__}: {exc});\n"
              f"FALLING BACK TO ONE USER: every service runs as {Connection(admin_uri).userid!r}"
              ", with all its rights — unlike production, where each agency has its own user "
              "(README, Kubernetes).\n无法创建各服务的 RabbitMQ 用户，所有服务共用同一用户运行。",
              file=sys.stderr, flush=True)
        return {}
    print(f"broker users {', '.join(rights.broker_user(p) for p in uris)} provisioned with "
          f"their least-privilege rights via {how}", flush=True)
    publishers = json.dumps(rights.publisher_users())
    return {p: {"AMQP_URI": uri, "EVENT_PUBLISHER_USERS": publishers} for p, uri in uris.items()}


def cmd_run(args) -> int:
    uri = amqp_uri_from_env()
    require_broker(uri)
    cmd_migrate(argparse.Namespace(services=None))
    cmd_topology(args)
    cmd_keys(argparse.Namespace(rotate=None))
    users = broker_users(uri)
    starters = {service: functools.partial(start_service, service, users.get(service))
                for service in SERVICES}
    starters["gateway"] = functools.partial(start_gateway, users.get("gateway"))
    # a process that exits is restarted with backoff (shared.restarts), not the suite stopped
    keeper = Keeper(starters)
    print(f"started {', '.join(SERVICES)} against {_safe(uri)}, and the gateway on "
          f"http://{os.environ.get('GATEWAY_BIND', '127.0.0.1:8080')}/api/v1; Ctrl-C stops them",
          flush=True)
    signal.signal(signal.SIGINT, lambda *_: keeper.halt())
    signal.signal(signal.SIGTERM, lambda *_: keeper.halt())
    while not keeper.halted:
        keeper.tick()
        time.sleep(0.5)
    keeper.stop()
    print("all services stopped")
    return 0


# nameko's CLI imports pkg_resources and eventlet, each warning on every start: known, not news.
QUIET_WARNINGS = ("ignore:pkg_resources is deprecated:UserWarning,"
                  "ignore::DeprecationWarning,ignore:Eventlet is deprecated")


def service_command(service: str) -> list[str]:
    """How a service process starts: ``nameko run`` with the service's own config."""
    class_name = f"{service.capitalize()}Service"
    return [sys.executable, "-m", "nameko", "run", "--config", str(config_path(service)),
            f"services.{service}.service:{class_name}"]


def start_service(service: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    env = {**os.environ, **(env or {})}
    env.setdefault("PYTHONWARNINGS", QUIET_WARNINGS)
    return subprocess.Popen(service_command(service), cwd=REPO_ROOT, env=env, **kwargs)


def start_gateway(env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """The HTTP gateway under gunicorn (gthread workers)."""
    env = {**os.environ, **(env or {})}
    env.setdefault("PYTHONWARNINGS", QUIET_WARNINGS)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "services/gateway/gunicorn.conf.py",
         "services.gateway.wsgi:app"], cwd=REPO_ROOT, env=env, **kwargs)


def health_of_all(uri: str, timeout: float) -> dict[str, dict]:
    from nameko.standalone.rpc import ClusterRpcProxy

    results: dict[str, dict] = {}
    with ClusterRpcProxy({"AMQP_URI": uri}, timeout=timeout) as cluster:
        pending = {}
        for service in SERVICES:
            try:
                pending[service] = getattr(cluster, service).health.call_async()
            except Exception as exc:
                results[service] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
        for service, reply in pending.items():
            try:
                results[service] = reply.result()
            except Exception as exc:
                results[service] = {"status": "down", "error": type(exc).__name__ + (
                    f": {exc}" if str(exc) else " (no answer)")}
    return {service: results[service] for service in SERVICES}


def cmd_status(args) -> int:
    uri = amqp_uri_from_env()
    require_broker(uri)
    results = health_of_all(uri, args.timeout)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for service, health in results.items():
            if health.get("status") == "ok":
                print(f"{service:12} up    db={health['database']:10} "
                      f"outbox_pending={health['outbox_pending']} today={health['today']}")
            else:
                print(f"{service:12} DOWN  {health.get('error', '')}")
    return 0 if all(h.get("status") == "ok" for h in results.values()) else 1


def cmd_probe(args) -> int:
    """Readiness of one service (Kubernetes readinessProbe): its health RPC answers "ok". Runs in
    the service's pod under the service's own broker user (a reply queue of its own)."""
    from shared.messaging.rpc import ask_health

    try:
        ok = ask_health(amqp_uri_from_env(), args.service, args.timeout).get("status") == "ok"
    except Exception as exc:
        print(f"{args.service}: not ready ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    return 0 if ok else 1


def cmd_token(args) -> int:
    from services.gateway.auth import development_token

    config = load_config("gateway")
    if config.get("JWT_MODE") != "development":
        print("tokens are issued by the identity provider in production (JWT_MODE=production)",
              file=sys.stderr)
        return 2
    try:
        print(development_token(config["JWT_DEV_SECRET"], args.role, args.unit, args.sub))
    except ValueError as exc:
        print(f"{exc}\n角色须为 unit、office、drc、finance、audit、secrecy、evaluator、group、"
              "operator 之一；unit 角色须提供 --unit 单位代码", file=sys.stderr)
        return 2
    return 0


class ApiClient:
    """The CLI's HTTP client: the same API and errors as any agency system gets."""

    def __init__(self, args) -> None:
        self.base = (args.api or os.environ.get("GOVPROJ_API")
                     or "http://127.0.0.1:8080/api/v1").rstrip("/")
        self.token = args.token or os.environ.get("GOVPROJ_TOKEN")
        if not self.token:
            raise SystemExit("set GOVPROJ_TOKEN (or --token); a development token: "
                             "govproj token --role ROLE [--unit CODE]\n"
                             "请设置 GOVPROJ_TOKEN（或 --token）")

    def __call__(self, method: str, path: str, body=None, params=None, key=None) -> int:
        import requests

        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        try:
            response = requests.request(method, self.base + path, json=body, params=params,
                                        headers=headers, timeout=30)
        except requests.RequestException as exc:
            print(f"the gateway at {self.base} is unreachable ({type(exc).__name__}); "
                  f"is `make run` up?\n无法连接网关 {self.base}", file=sys.stderr)
            return 3
        data = response.json() if response.content else None
        if response.ok:
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        error = (data or {}).get("error", {})
        print(f"{response.status_code} {error.get('code', '')}: {error.get('message', '')}\n"
              f"{error.get('message_zh', '')}", file=sys.stderr)
        if error.get("articles"):
            print("依据 / articles: " + "、".join(error["articles"]), file=sys.stderr)
        if error.get("details"):
            print(json.dumps(error["details"], ensure_ascii=False, indent=2), file=sys.stderr)
        return 1


def _json_arg(value: str):
    """A JSON body: inline, or @path/to/file.json."""
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as fh:
            return json.load(fh)
    return json.loads(value)


def cmd_project(args) -> int:
    api = ApiClient(args)
    op = args.op
    if op == "register":
        return api("POST", "/projects", _json_arg(args.body), key=args.key)
    if op == "list":
        params = {k: v for k, v in (("status", args.status), ("unit", args.unit),
                                    ("year", args.year), ("overdue", args.overdue),
                                    ("limit", args.limit),
                                    ("offset", args.offset)) if v is not None}
        return api("GET", "/projects", params=params)
    if op == "show":
        return api("GET", f"/projects/{args.code}")
    if op == "timeline":
        return api("GET", f"/projects/{args.code}/timeline")
    if op == "document":
        digest, title = args.sha256, args.title
        if args.file:
            import hashlib
            from pathlib import Path
            digest = hashlib.sha256(Path(args.file).read_bytes()).hexdigest()
            title = title or Path(args.file).name
        return api("PUT", f"/projects/{args.code}/documents/{args.doc_type}",
                   {"title": title, "sha256": digest}, key=args.key)
    if op == "catalog":
        return api("PUT", f"/projects/{args.code}/catalog", _json_arg(args.body), key=args.key)
    if op == "submit":
        return api("POST", f"/projects/{args.code}/submission", key=args.key)
    raise SystemExit(f"unknown operation {op}")


def _params(args, *names: str) -> dict:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def cmd_supervision(args) -> int:
    """The office's, the audit office's and the unit's supervision work (第三十三条–第三十九条)."""
    api, op = ApiClient(args), args.op
    reads = {"deadlines": ("/deadlines", ("project", "due_before", "overdue")),
             "findings": ("/findings", ("project", "status")),
             "sanctions": ("/sanctions", ("project", "status")),
             "overview": ("/overview", ()), "verify-ledger": ("/ledger/verification", ())}
    if op in reads:
        path, names = reads[op]
        return api("GET", path, params=_params(args, *names))
    writes = {
        "scan": lambda: ("/admin/scan", _params(args, "as_of")),
        "inspect": lambda: ("/inspections", {"project": args.project, "findings": [
            {"articles": args.articles, "description": args.description}]}),
        "order": lambda: (f"/findings/{args.finding}/rectification-order",
                          {"deadline": args.deadline}),
        "report": lambda: (f"/findings/{args.finding}/rectification-report",
                           {"report": args.report}),
        "verify": lambda: (f"/findings/{args.finding}/verification",
                           {"resolved": args.resolved}),
        "sanction": lambda: ("/sanctions", {"project": args.project, "type": args.type,
                                            "finding": args.finding, "reason": args.reason}),
        "lift": lambda: (f"/sanctions/{args.sanction}/lifting", {"reason": args.reason}),
        "refer": lambda: ("/referrals", {"project": args.project, "kind": args.kind,
                                         "articles": args.articles, "finding": args.finding,
                                         "description": args.description}),
    }
    path, body = writes[op]()
    return api("POST", path, body, key=args.key)


def cmd_clock(args) -> int:
    return ApiClient(args)("POST", "/admin/clock", {"today": args.date}, key=args.key)


def cmd_calendar(args) -> int:
    body = {"holidays": [d for d in args.holidays.split(",") if d],
            "workdays": [d for d in args.workdays.split(",") if d]}
    return ApiClient(args)("PUT", f"/admin/calendar/{args.year}", body, key=args.key)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govproj", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every service").set_defaults(func=cmd_run)
    migrate = sub.add_parser("migrate", help="migrate the databases")
    migrate.add_argument("services", nargs="*", choices=[[], *SERVICES], default=None)
    migrate.set_defaults(func=cmd_migrate)
    sub.add_parser("topology", help="declare the broker topology").set_defaults(func=cmd_topology)
    keys_ = sub.add_parser("keys", help="make (or rotate) this deployment's signing keys")
    keys_.add_argument("--rotate", metavar="PRINCIPAL", choices=(*SERVICES, "gateway"))
    keys_.set_defaults(func=cmd_keys)
    manifests = sub.add_parser("manifests", help="regenerate the broker's Kubernetes resources")
    manifests.add_argument("--check", action="store_true",
                           help="only say whether the checked-in files are current")
    manifests.set_defaults(func=cmd_manifests)
    status = sub.add_parser("status", help="health of every service")
    status.add_argument("--timeout", type=float, default=5.0)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    probe = sub.add_parser("probe", help="is one service ready (exit 0) or not (exit 1)")
    probe.add_argument("service", choices=SERVICES)
    probe.add_argument("--timeout", type=float, default=5.0)
    probe.set_defaults(func=cmd_probe)
    token = sub.add_parser("token", help="print a development JWT")
    token.add_argument("--role", required=True)
    token.add_argument("--unit")
    token.add_argument("--sub")
    token.set_defaults(func=cmd_token)

    api = argparse.ArgumentParser(add_help=False)
    api.add_argument("--api", help="gateway base URL (default $GOVPROJ_API or "
                                   "http://127.0.0.1:8080/api/v1)")
    api.add_argument("--token", help="bearer token (default $GOVPROJ_TOKEN)")
    api.add_argument("--key", help="Idempotency-Key for this write")
    project = sub.add_parser("project", help="projects (through the gateway)").add_subparsers(
        dest="op", required=True)
    reg = project.add_parser("register", parents=[api], help="register a project")
    reg.add_argument("body", help="JSON body, or @file.json")
    lst = project.add_parser("list", parents=[api])
    for name in ("status", "unit", "year", "limit", "offset"):
        lst.add_argument(f"--{name}")
    lst.add_argument("--overdue", choices=["true", "false"],
                     help="with (or without) a missed or past-due deadline")
    for name in ("show", "timeline", "submit"):
        project.add_parser(name, parents=[api]).add_argument("code")
    doc = project.add_parser("document", parents=[api], help="file a document")
    doc.add_argument("code")
    doc.add_argument("doc_type")
    doc.add_argument("--file", help="compute the SHA-256 of this file")
    doc.add_argument("--title")
    doc.add_argument("--sha256")
    cat = project.add_parser("catalog", parents=[api], help="set the resource catalog")
    cat.add_argument("code")
    cat.add_argument("body", help='JSON {"resources": [...]}, or @file.json')
    for p in project.choices.values():
        p.set_defaults(func=cmd_project)

    _supervision_parser(sub, api)

    clock = sub.add_parser("clock", help="simulated clock").add_subparsers(dest="op", required=True)
    clock_set = clock.add_parser("set", parents=[api])
    clock_set.add_argument("date", help="YYYY-MM-DD")
    clock_set.set_defaults(func=cmd_clock)
    calendar = sub.add_parser("calendar", help="working-day calendar").add_subparsers(
        dest="op", required=True)
    load = calendar.add_parser("load", parents=[api], help="load a year's official schedule")
    load.add_argument("year", type=int)
    load.add_argument("--holidays", default="", help="comma-separated weekdays off")
    load.add_argument("--workdays", default="", help="comma-separated adjusted working days")
    load.set_defaults(func=cmd_calendar)
    return parser


def _supervision_parser(sub, api: argparse.ArgumentParser) -> None:
    sup = sub.add_parser("supervision", help="deadlines, findings, sanctions, the ledger "
                                             "(through the gateway)").add_subparsers(
        dest="op", required=True)
    articles = {"type": int, "nargs": "+", "required": True, "help": "article numbers, e.g. 34"}
    deadlines = sup.add_parser("deadlines", parents=[api], help="deadlines with their ledger")
    deadlines.add_argument("--project")
    deadlines.add_argument("--due-before", dest="due_before", help="YYYY-MM-DD")
    deadlines.add_argument("--overdue", choices=["true", "false"])
    for name in ("findings", "sanctions"):
        p = sup.add_parser(name, parents=[api])
        p.add_argument("--project")
        p.add_argument("--status")
    sup.add_parser("overview", parents=[api], help="overdue, open findings, sanctions by "
                                                   "unit and project")
    sup.add_parser("verify-ledger", parents=[api], help="the audit office checks the chain")
    scan = sup.add_parser("scan", parents=[api], help="turn missed deadlines into findings now")
    scan.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default today)")
    inspect = sup.add_parser("inspect", parents=[api], help="record an inspection's finding")
    inspect.add_argument("project")
    inspect.add_argument("--articles", **articles)
    inspect.add_argument("--description", required=True)
    order = sup.add_parser("order", parents=[api], help="order a finding rectified (第三十四条)")
    order.add_argument("finding")
    order.add_argument("--deadline", required=True, help="YYYY-MM-DD")
    report = sup.add_parser("report", parents=[api], help="the unit reports its rectification")
    report.add_argument("finding")
    report.add_argument("--report", required=True)
    verify = sup.add_parser("verify", parents=[api], help="the office verifies a rectification")
    verify.add_argument("finding")
    verify.add_argument("--resolved", action=argparse.BooleanOptionalAction, required=True)
    sanction = sup.add_parser("sanction", parents=[api], help="apply the next sanction")
    sanction.add_argument("project")
    sanction.add_argument("--type", required=True,
                          choices=["criticism", "withhold_funds", "suspend", "terminate"])
    sanction.add_argument("--finding")
    sanction.add_argument("--reason", required=True)
    lift = sup.add_parser("lift", parents=[api], help="lift a sanction")
    lift.add_argument("sanction")
    lift.add_argument("--reason", required=True)
    refer = sup.add_parser("refer", parents=[api], help="a disciplinary or judicial referral")
    refer.add_argument("project")
    refer.add_argument("--kind", required=True, choices=["disciplinary", "judicial"])
    refer.add_argument("--articles", **articles)
    refer.add_argument("--finding")
    refer.add_argument("--description", required=True)
    for p in sup.choices.values():
        p.set_defaults(func=cmd_supervision)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
