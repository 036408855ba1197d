"""``govproj``: run, migrate and check the suite; operator commands; every endpoint a person
uses. 运行、迁移与检查整套系统；运维命令；以及每个业务接口的命令（各命令 --help 均为中英双语）。

    govproj run              migrate, declare the topology, start every service and restart any
                             that exits (Ctrl-C stops)
    govproj migrate          bring every service's database to the latest revision
    govproj topology         declare exchanges, queues and bindings (with administrator rights)
    govproj manifests [--check]   regenerate the generated deploy/k8s resources from the registry
    govproj keys [--rotate PRINCIPAL]   this deployment's Ed25519 signing keys (GOVPROJ_KEYS_DIR)
    govproj federate --deployment FILE --site SITE [--upstream SITE=URI ...]
                             one agency's broker: its part of the topology, the federation
                             users of the sites reading its events, the upstreams and policies
                             federating the events it reads (README, Agencies apart)
    govproj status           each service's health over the bus; non-zero exit if one is down
    govproj probe SERVICE    one service's readiness (exit code), for Kubernetes probes
    govproj token --role ROLE [--unit CODE]     a development JWT
    govproj simulate --projects N --concurrency C [--seed S]   N projects through the whole
                             lifecycle over the API (simulated clock): throughput, latencies,
                             event lag, dead letters, memory
    govproj plan|project|review|drc|budget|contract|pay|complete|acceptance|security|
            supervision|audit|admin|clock|calendar COMMAND ...
                             every endpoint a person uses, through the gateway (`--help` on
                             each; `--json` for JSON, a table otherwise)
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
from collections.abc import Callable
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from kombu import Connection  # noqa: E402

from shared.config import (  # noqa: E402
    PROCESSES,
    SERVICES,
    amqp_uri_from_env,
    config_path,
    load_config,
    process_class,
    service_of,
)
from shared.messaging import tls  # noqa: E402
from shared.restarts import Keeper  # noqa: E402

logging.getLogger("amqp").setLevel(logging.ERROR)  # "Received method ... during closing channel"

REPO_ROOT = config_path("planning").parent.parent.parent

# argparse's own words (usage, sections, its errors) in both languages, like every other line
# govproj prints: argparse looks each up through its module's ``_`` (gettext) when it prints
ARGPARSE_WORDS = {
    "usage: ": "usage / 用法: ",
    "positional arguments": "positional arguments / 位置参数",
    "options": "options / 选项",
    "show this help message and exit": "show this help message and exit / 显示帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error / 错误: %(message)s\n",
    "the following arguments are required: %s": "the following arguments are required / 缺少以下参数: %s",
    "unrecognized arguments: %s": "unrecognized arguments / 无法识别的参数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "invalid choice / 无效的选项: %(value)r (choose from / 可选: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "invalid %(type)s value / 值无效: %(value)r",
    "expected one argument": "expected one argument / 需要一个值",
    "argument %(argument_name)s: %(message)s": "argument / 参数 %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "ambiguous option / 选项有歧义: %(option)s could match / 可匹配 %(matches)s"
    ),
    "one of the arguments %s is required": "one of the arguments %s is required / 须提供其一",
    "not allowed with argument %s": "not allowed with argument / 不能与该参数同用 %s",
}


def _bilingual_argparse() -> None:
    # typeshed's argparse stub leaves out the module's gettext alias ``_`` (there at run time):
    # hence the two ignores
    english = argparse._  # type: ignore[attr-defined]

    def words(text: str) -> str:
        return ARGPARSE_WORDS.get(text) or english(text)

    if getattr(english, "__name__", "") != "words":
        argparse._ = words  # type: ignore[attr-defined]


def _safe(uri: str) -> str:
    conn = Connection(uri)
    return f"amqp://{conn.userid}:***@{conn.hostname}:{conn.port or 5672}/{conn.virtual_host or ''}"


def broker_reachable(uri: str, timeout: float = 3.0) -> str | None:
    """None if the broker answers, else why not (one line)."""
    try:
        with tls.connection(uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return None
    except Exception as exc:  # socket errors, auth errors, ...
        return f"{type(exc).__name__}: {exc}"


def require_broker(uri: str) -> None:
    problem = broker_reachable(uri)
    if problem and "vhost" in problem.lower() and "not found" in problem.lower():
        vhost = Connection(uri).virtual_host or "/"
        sys.stderr.write(
            f"RabbitMQ answers at {_safe(uri)}, but it has no virtual host {vhost!r} "
            f"({problem}).\nRabbitMQ 可以连接，但不存在虚拟主机（vhost）{vhost!r}。\n\n"
            "Create it and give your user its rights, then try again:\n"
            f"  rabbitmqctl add_vhost {vhost}\n"
            f"  rabbitmqctl set_permissions -p {vhost} {Connection(uri).userid} '.*' '.*' '.*'\n"
            "or point AMQP_URI at an existing vhost.\n"
        )
        raise SystemExit(2)
    if problem and ("ACCESS_REFUSED" in problem or "AccessRefused" in problem):
        sys.stderr.write(
            f"RabbitMQ at {_safe(uri)} refused the user or password ({problem}).\n"
            "RabbitMQ 拒绝了用户名或密码，请检查 AMQP_URI。\n"
        )
        raise SystemExit(2)
    if problem:
        sys.stderr.write(
            f"RabbitMQ is not reachable at {_safe(uri)} ({problem}).\n"
            f"无法连接 RabbitMQ 消息服务器。\n\n"
            "Start one, then try again:\n"
            "  - installed locally:  rabbitmq-server -detached\n"
            "  - with Docker:        docker run -d -p 5672:5672 -p 15672:15672 "
            "rabbitmq:3-management\n"
            "or point AMQP_URI at a running broker, e.g. "
            "AMQP_URI=amqp://user:pass@host:5672/ make run\n"
        )
        raise SystemExit(2)


def cmd_migrate(args: argparse.Namespace) -> int:
    from shared.persistence.migrations import upgrade

    for service in args.services or SERVICES:
        url = load_config(service)["DB_URI"]
        upgrade(service, url)
        print(f"{service}: database at revision head ({url.split('@')[-1]})")
    return 0


def cmd_topology(args: argparse.Namespace) -> int:
    """Every exchange, queue and binding, declared once by an administrator: the services may
    not declare them (shared.messaging.rights) and only check they exist."""
    from shared.messaging import topology

    uri = amqp_uri_from_env()
    require_broker(uri)
    with tls.connection(uri) as conn:
        topology.declare(conn, topology.all_declarations(topology.DEFAULT_RETRY_DELAYS_MS))
    print("topology declared")
    return 0


def cmd_manifests(args: argparse.Namespace) -> int:
    from shared.messaging import manifests

    if args.check:
        stale = manifests.stale_files()
        for path in stale:
            print(
                f"{path.relative_to(REPO_ROOT)} differs from what the registry derives; "
                "run `govproj manifests`",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for path in manifests.write_files():
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """Make each principal's Ed25519 key pair where it is missing (or rotate one): development
    keys per deployment, never committed (README, Signing)."""
    from shared import keys

    directory = keys.keys_dir()
    if args.rotate:
        key = keys.generate(directory, args.rotate, rotate=True)
        assert key is not None  # rotating always makes a new key
        print(
            f"{args.rotate}: new key {key.kid}; its old public key stays trusted until you "
            f"remove it from {directory / 'public'}"
        )
        return 0
    for principal in (*SERVICES, "gateway"):
        key = keys.generate(directory, principal)
        if key:
            print(f"{principal}: key {key.kid} written to {directory}")
    return 0


def cmd_federate(args: argparse.Namespace) -> int:
    """One site's broker, as its administrator (AMQP_URI) sets it up: shared.messaging.federation."""
    from shared.messaging import federation

    uri = amqp_uri_from_env()
    require_broker(uri)
    try:
        deployment = federation.Deployment.load(args.deployment)
        bad = [item for item in args.upstream if "=" not in item]
        if bad:
            raise ValueError(f"--upstream {bad[0]}: expected SITE=URI (应为 站点=URI)")
        upstreams = dict(item.split("=", 1) for item in args.upstream)
        handed = federation.provision_site(
            uri,
            deployment,
            args.site,
            upstreams,
            os.environ.get("GOVPROJ_RABBIT_API"),
            grant=not args.no_grant,
        )
    except (federation.InvalidDeployment, OSError, ValueError) as exc:
        print(f"govproj federate: {exc}", file=sys.stderr)
        return 2
    here = deployment.site(args.site)
    print(f"{args.site}: topology of {', '.join(here.services)} declared on {_safe(uri)}")
    for downstream, link in handed.items():
        print(
            f"federation user for {downstream} created; hand this URI to {downstream}'s "
            f"administrator (a secret; replace the host by the one {downstream} reaches): "
            f"{link}"
        )
    for upstream, sources in federation.upstreams_of(deployment, args.site).items():
        state = (
            "federated"
            if upstream in upstreams
            else f"NOT YET: --upstream {upstream}=URI (the URI {upstream}'s administrator hands over)"
        )
        print(
            f"from {upstream} ({federation.upstream_name(upstream)}, policy "
            f"{federation.policy_name(upstream)}): "
            f"{', '.join(f'{s}.events' for s in sources)}: {state}"
        )
    print(f"start this site's services with BROKER_SERVICES={','.join(here.services)}")
    return 0


def broker_users(admin_uri: str) -> dict[str, dict[str, str]]:
    """Each process's broker environment for `govproj run`: its own least-privilege user, as in
    production, when this machine can create users; else (said clearly) the one given user."""
    from shared.messaging import provision, rights

    try:
        how, uris = provision.provision_users(
            admin_uri, rights.all_rights(), os.environ.get("GOVPROJ_RABBIT_API")
        )
    except Exception as exc:  # no management API, no rabbitmqctl, not an administrator
        print(
            f"could not create the per-service broker users ({type(exc).__name__}: {exc});\n"
            f"FALLING BACK TO ONE USER: every service runs as {Connection(admin_uri).userid!r}"
            ", with all its rights — unlike production, where each agency has its own user "
            "(README, Kubernetes).\n无法创建各服务的 RabbitMQ 用户，所有服务共用同一用户运行。",
            file=sys.stderr,
            flush=True,
        )
        return {}
    print(
        f"broker users {', '.join(rights.broker_user(p) for p in uris)} provisioned with "
        f"their least-privilege rights via {how}",
        flush=True,
    )
    publishers = json.dumps(rights.publisher_users())
    return {p: {"AMQP_URI": uri, "EVENT_PUBLISHER_USERS": publishers} for p, uri in uris.items()}


def cmd_run(args: argparse.Namespace) -> int:
    uri = amqp_uri_from_env()
    require_broker(uri)
    cmd_migrate(argparse.Namespace(services=None))
    cmd_topology(args)
    cmd_keys(argparse.Namespace(rotate=None))
    users = broker_users(uri)
    # each service's /health/live, /health/ready, /metrics on a port of its own (README)
    # (supervision's audit trail in a process of its own, as its own user: shared.config)
    starters: dict[str, Callable[[], subprocess.Popen]] = {
        process: functools.partial(
            start_service,
            process,
            {**(users.get(service_of(process)) or {}), "WEB_SERVER_ADDRESS": local_http_address(process)},
        )
        for process in PROCESSES
    }
    starters["gateway"] = functools.partial(start_gateway, users.get("gateway"))
    # a process that exits is restarted with backoff (shared.restarts), not the suite stopped
    keeper = Keeper(starters)
    print(
        f"started {', '.join(PROCESSES)} against {_safe(uri)}, and the gateway on "
        f"http://{os.environ.get('GATEWAY_BIND', '127.0.0.1:8080')}/api/v1; Ctrl-C stops them",
        flush=True,
    )
    print(
        "each service's /health/live, /health/ready and /metrics: "
        + ", ".join(f"{process} http://{local_http_address(process)}" for process in PROCESSES),
        flush=True,
    )
    signal.signal(signal.SIGINT, lambda *_: keeper.halt())
    signal.signal(signal.SIGTERM, lambda *_: keeper.halt())
    while not keeper.halted:
        keeper.tick()
        time.sleep(0.5)
    keeper.stop()
    print("all services stopped")
    return 0


# nameko's CLI imports pkg_resources and eventlet, each warning on every start: known, not news.
QUIET_WARNINGS = (
    "ignore:pkg_resources is deprecated:UserWarning,ignore::DeprecationWarning,ignore:Eventlet is deprecated"
)


def service_command(process: str) -> list[str]:
    """How a service's process starts: ``nameko run`` with the service's own config (a
    service's extra process, e.g. ``supervision-audit``, with its service's: shared.config)."""
    return [
        sys.executable,
        "-m",
        "shared.nameko_quiet",
        "run",
        "--config",
        str(config_path(service_of(process))),
        process_class(process),
    ]


def local_http_address(process: str) -> str:
    """Where `govproj run` serves a process's health and metrics: 127.0.0.1, port
    ``GOVPROJ_SERVICE_PORT_BASE`` (8100) + its place in PROCESSES — planning 8101, approval 8102,
    finance 8103, acceptance 8104, security 8105, supervision 8106, supervision-audit 8107."""
    base = int(os.environ.get("GOVPROJ_SERVICE_PORT_BASE", "8100"))
    return f"127.0.0.1:{base + PROCESSES.index(process) + 1}"


def start_service(service: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen:
    env = {**os.environ, **(env or {})}
    env.setdefault("PYTHONWARNINGS", QUIET_WARNINGS)
    # several services on one machine: a free port unless told (the config's default is 8000)
    env.setdefault("WEB_SERVER_ADDRESS", "127.0.0.1:0")
    return subprocess.Popen(service_command(service), cwd=REPO_ROOT, env=env, **kwargs)


def start_gateway(env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen:
    """The HTTP gateway under gunicorn (gthread workers)."""
    env = {**os.environ, **(env or {})}
    env.setdefault("PYTHONWARNINGS", QUIET_WARNINGS)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "services/gateway/gunicorn.conf.py",
            "services.gateway.wsgi:app",
        ],
        cwd=REPO_ROOT,
        env=env,
        **kwargs,
    )


def running_instances(uri: str) -> dict[str, int | None]:
    """How many instances consume each service's RPC queue (None: the queue is not declared).
    Asked of the broker, so a stopped service is named at once, not after an RPC timeout."""
    from amqp.exceptions import NotFound as QueueNotFound

    from shared.messaging.topology import rpc_queue_name

    counts: dict[str, int | None] = {}
    with tls.connection(uri) as conn:
        for service in SERVICES:
            channel = conn.channel()
            try:
                counts[service] = channel.queue_declare(rpc_queue_name(service), passive=True).consumer_count
            except QueueNotFound:
                counts[service] = None
            finally:
                if channel.is_open:
                    channel.close()
    return counts


def health_of_all(uri: str, timeout: float) -> dict[str, dict]:
    from nameko.standalone.rpc import ClusterRpcProxy

    results: dict[str, dict] = {}
    for service, count in running_instances(uri).items():
        if count is None:
            results[service] = {
                "status": "down",
                "error": (
                    f"its RPC queue rpc-{service} is not declared: run `govproj topology` "
                    "(make run does) / 服务的 RPC 队列未声明"
                ),
            }
        elif count == 0:
            results[service] = {
                "status": "down",
                "error": ("not running: no instance consumes its RPC queue / 服务未运行"),
            }
    with ClusterRpcProxy(tls.nameko_config({"AMQP_URI": uri}), timeout=timeout) as cluster:
        pending = {}
        for service in (s for s in SERVICES if s not in results):
            try:
                pending[service] = getattr(cluster, service).health.call_async()
            except Exception as exc:
                results[service] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
        for service, reply in pending.items():
            try:
                results[service] = reply.result()
            except Exception as exc:
                results[service] = {
                    "status": "down",
                    "error": type(exc).__name__ + (f": {exc}" if str(exc) else " (no answer)"),
                }
    return {service: results[service] for service in SERVICES}


def cmd_status(args: argparse.Namespace) -> int:
    uri = amqp_uri_from_env()
    require_broker(uri)
    results = health_of_all(uri, args.timeout)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for service, health in results.items():
            if health.get("status") == "ok":
                print(
                    f"{service:12} up    db={health['database']:10} "
                    f"outbox_pending={health['outbox_pending']} today={health['today']}"
                )
            else:
                print(f"{service:12} DOWN  {health.get('error', '')}")
    return 0 if all(h.get("status") == "ok" for h in results.values()) else 1


def cmd_probe(args: argparse.Namespace) -> int:
    """Readiness of one service (Kubernetes readinessProbe): its health RPC answers "ok". Runs in
    the service's pod under the service's own broker user (a reply queue of its own)."""
    from shared.messaging.rpc import ask_health

    try:
        ok = ask_health(amqp_uri_from_env(), args.service, args.timeout).get("status") == "ok"
    except Exception as exc:
        print(f"{args.service}: not ready ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    return 0 if ok else 1


def cmd_token(args: argparse.Namespace) -> int:
    from services.gateway.auth import development_token

    config = load_config("gateway")
    if config.get("JWT_MODE") != "development":
        print(
            "tokens are issued by the identity provider in production (JWT_MODE=production)"
            "\n生产环境（JWT_MODE=production）的令牌由身份提供方签发",
            file=sys.stderr,
        )
        return 2
    try:
        print(development_token(config["JWT_DEV_SECRET"], args.role, args.unit, args.sub))
    except ValueError as exc:
        print(
            f"{exc}\n角色须为 unit、office、drc、finance、audit、secrecy、evaluator、group、"
            "operator 之一；unit 角色须提供 --unit 单位代码",
            file=sys.stderr,
        )
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    _bilingual_argparse()
    parser = argparse.ArgumentParser(
        prog="govproj", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every service / 启动全部服务").set_defaults(func=cmd_run)
    migrate = sub.add_parser("migrate", help="migrate the databases / 升级数据库")
    migrate.add_argument("services", nargs="*", choices=[[], *SERVICES], default=None)
    migrate.set_defaults(func=cmd_migrate)
    sub.add_parser("topology", help="declare the broker topology / 声明消息拓扑").set_defaults(
        func=cmd_topology
    )
    keys_ = sub.add_parser(
        "keys", help="make (or rotate) this deployment's signing keys / 生成（或轮换）本部署的签名密钥"
    )
    keys_.add_argument(
        "--rotate",
        metavar="PRINCIPAL",
        choices=(*SERVICES, "gateway"),
        help="replace this principal's key / 轮换该主体的密钥",
    )
    keys_.set_defaults(func=cmd_keys)
    federate = sub.add_parser(
        "federate", help="one agency's broker, federated with the others / 各机构独立消息服务器的联邦配置"
    )
    federate.add_argument(
        "--deployment",
        required=True,
        help='JSON: {"sites": {"office": ["planning", ...], "finance": '
        '["finance"]}} / 部署：各站点运行哪些服务',
    )
    federate.add_argument(
        "--site", required=True, help="the site whose broker AMQP_URI is / AMQP_URI 所指消息服务器所属的站点"
    )
    federate.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="SITE=URI",
        help="an upstream site and the AMQP URI of this site's federation "
        "user there / 上游站点及本站点联邦用户在该处的 AMQP URI",
    )
    federate.add_argument(
        "--no-grant",
        action="store_true",
        help="leave the downstream sites' federation users (and passwords) "
        "as they are / 不改动下游站点的联邦用户（及其密码）",
    )
    federate.set_defaults(func=cmd_federate)
    manifests = sub.add_parser(
        "manifests", help="regenerate the broker's Kubernetes resources / 生成 Kubernetes 资源"
    )
    manifests.add_argument(
        "--check",
        action="store_true",
        help="only say whether the checked-in files are current / 仅检查已提交的文件是否为最新",
    )
    manifests.set_defaults(func=cmd_manifests)
    status = sub.add_parser("status", help="health of every service / 各服务运行状态")
    status.add_argument(
        "--timeout", type=float, default=5.0, help="seconds to wait for each service / 等待各服务的秒数"
    )
    status.add_argument(
        "--json", action="store_true", help="print JSON / 以 JSON 输出 (default: a table / 默认表格)"
    )
    status.set_defaults(func=cmd_status)
    probe = sub.add_parser("probe", help="is one service ready (exit 0) or not (exit 1) / 单个服务是否就绪")
    probe.add_argument("service", choices=SERVICES)
    probe.add_argument("--timeout", type=float, default=5.0, help="seconds to wait / 等待秒数")
    probe.set_defaults(func=cmd_probe)
    token = sub.add_parser("token", help="print a development JWT / 生成开发环境令牌")
    token.add_argument(
        "--role",
        required=True,
        help="unit, office, drc, finance, audit, secrecy, evaluator, group or operator / 角色",
    )
    token.add_argument("--unit", help="a unit's code, for role unit / 建设单位代码（unit 角色必填）")
    token.add_argument("--sub", help="who the token names (default: the role) / 令牌主体")
    token.set_defaults(func=cmd_token)
    from shared.simulate import add_parser as add_simulate

    add_simulate(sub)  # govproj simulate: a province's projects through the whole lifecycle
    from shared.compliance import add_parser as add_articles

    add_articles(sub)  # govproj articles: the compliance matrix (docs/compliance.md)

    from shared.cli_api import add_commands

    add_commands(sub)  # every endpoint a person uses, generated from the endpoint table
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # `govproj … --json | head`: the reader has gone — no traceback, the shell's code for it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
