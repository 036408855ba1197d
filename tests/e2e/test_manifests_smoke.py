"""A smoke test of the Kubernetes manifests (issue 17): the dev overlay, rendered by kustomize, run
as it is written — every Deployment's init container and then its container, with their command,
args and environment (configMaps, the generated secrets, ``$(VAR)`` references expanded as the
kubelet does, mounted secrets and configMaps written where the pod would see them) — as local
processes. Only what cannot be the same on one machine is mapped: hosts and ports to this
machine's broker and database, the vhost and databases to this test's own, each principal's
broker user to the test vhost's user of that principal, and each pod's listening port to a free
one. Each process must become ready on its own readiness probe (httpGet), and the first flow
must pass through the gateway: a project registered, completed and submitted, and the review
case opened by the approval service reaching planning over the broker."""

import base64
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests
import yaml

from shared.config import PROCESSES, service_of
from shared.events.registry import SERVICES
from shared.messaging.rights import publisher_users
from shared.testing import (
    PostgresDatabases,
    RabbitAdmin,
    free_port,
    provision_vhost,
    wait_for,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEV = ROOT / "deploy" / "k8s" / "overlays" / "dev"
VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def render(overlay: Path) -> list[dict]:
    out = subprocess.run(
        [str(BIN / "kubectl"), "kustomize", str(overlay)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def expand(value: str, env: dict[str, str]) -> str:
    """The kubelet's $(VAR) expansion: a defined variable is replaced, anything else kept."""
    return VAR.sub(lambda m: env.get(m.group(1), m.group(0)), value)


class Manifests:
    def __init__(self, docs: list[dict]) -> None:
        self.docs = docs
        self.secrets = {
            d["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in d.get("data", {}).items()}
            for d in docs
            if d["kind"] == "Secret"
        }
        self.config_maps = {
            d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"
        }
        self.deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}

    def of_kind(self, kind: str) -> dict[str, dict]:
        return {d["metadata"]["name"]: d for d in self.docs if d["kind"] == kind}

    def environment(self, container: dict) -> dict[str, str]:
        """The container's environment as the kubelet builds it: envFrom first, then env in
        order, each value's $(VAR) expanded against what is defined before it."""
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                env.update(self.config_maps[source["configMapRef"]["name"]])
            else:
                env.update(self.secrets[source["secretRef"]["name"]])
        for item in container.get("env", []):
            if "value" in item:
                env[item["name"]] = expand(item["value"], env)
            elif "secretKeyRef" in item["valueFrom"]:
                ref = item["valueFrom"]["secretKeyRef"]
                env[item["name"]] = self.secrets[ref["name"]][ref["key"]]
            else:
                ref = item["valueFrom"]["configMapKeyRef"]
                env[item["name"]] = self.config_maps[ref["name"]][ref["key"]]
        return env

    def mount(self, pod: dict, container: dict, root: Path) -> None:
        """Write each mounted secret and configMap (and make each emptyDir) under ``root`` as
        the pod sees them."""
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for mount in container.get("volumeMounts", []):
            volume, target = volumes[mount["name"]], root / mount["mountPath"].lstrip("/")
            target.mkdir(parents=True, exist_ok=True)
            if "secret" in volume:
                data = self.secrets[volume["secret"]["secretName"]]
                items = volume["secret"].get("items") or [{"key": k, "path": k} for k in data]
            elif "configMap" in volume:
                data = self.config_maps[volume["configMap"]["name"]]
                items = volume["configMap"].get("items") or [{"key": k, "path": k} for k in data]
            else:
                continue  # an emptyDir: the directory is all
            for item in items:
                (target / item["path"]).write_text(data[item["key"]])
                (target / item["path"]).chmod(0o600)


class Local:
    """This machine in place of the cluster: the test's vhost (with each principal's user) and
    databases, free ports, a directory per pod."""

    def __init__(self, infrastructure, manifests: Manifests, workdir: Path) -> None:
        self.manifests = manifests
        self.workdir = workdir
        self.admin = RabbitAdmin(infrastructure.rabbit_api)
        self.vhost = f"govproj-smoke-{uuid.uuid4().hex[:10]}"
        self.broker = provision_vhost(self.admin, infrastructure.amqp_uri, self.vhost)
        self.pg = PostgresDatabases(infrastructure.pg_uri)
        prefix = f"gp_smoke_{uuid.uuid4().hex[:8]}"
        self.databases = {s: self.pg.create(f"{prefix}_{s}") for s in SERVICES}
        # who the manifests say logs in where
        self.broker_users = {
            d["spec"]["importCredentialsSecret"]["name"]: name
            for name, d in manifests.of_kind("User").items()
        }
        [cluster] = manifests.of_kind("Cluster").values()
        self.roles = {r["name"]: r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
        [vhost] = manifests.of_kind("Vhost").values()
        self.cluster_vhost = vhost["spec"]["name"]
        self.procs: dict[str, subprocess.Popen] = {}

    def amqp(self, uri: str, principal: str) -> str:
        """The pod's broker URI, checked against the manifests, then made this test's."""
        parts = urlsplit(uri)
        user, password = unquote(parts.username), unquote(parts.password)
        secret = self.manifests.secrets[f"govproj-amqp-{principal}"]
        assert (user, password) == (secret["username"], secret["password"])
        assert self.broker_users[f"govproj-amqp-{principal}"] == user  # the operator's User
        assert unquote(parts.path.lstrip("/")) == self.cluster_vhost
        return self.broker.uris[principal]

    def database(self, uri: str, service: str) -> str:
        parts = urlsplit(uri)
        secret = self.manifests.secrets[self.roles[parts.username]]
        assert parts.username == service == secret["username"]
        assert unquote(parts.password) == secret["password"]
        assert parts.path.lstrip("/") == service  # its Database resource
        assert parts.scheme == "postgresql+psycopg2"
        return self.databases[service]

    def localise(self, name: str, container: dict, env: dict[str, str], root: Path) -> dict:
        local = dict(env)
        for key, value in env.items():
            if key == "AMQP_URI":
                local[key] = self.amqp(value, service_of(name))  # supervision-audit: supervision
            elif key.endswith("_DB_URI"):
                local[key] = self.database(value, key.removesuffix("_DB_URI").lower())
            elif key == "EVENT_PUBLISHER_USERS":
                assert yaml.safe_load(value) == publisher_users()
                local[key] = json.dumps(self.broker.publisher_users())
            elif value.startswith(("/keys", "/tmp")):
                local[key] = str(root / value.lstrip("/"))
        return local

    def listen(self, container: dict, env: dict[str, str]) -> dict[str, int]:
        """Each container port on a free local one (the bind address variables follow)."""
        ports = {}
        for port in container.get("ports", []):
            ports[port["name"]] = local = free_port()
            for key in ("WEB_SERVER_ADDRESS", "GATEWAY_BIND"):
                if env.get(key, "").endswith(f":{port['containerPort']}"):
                    env[key] = f"127.0.0.1:{local}"
        return ports

    def process_env(self, env: dict[str, str]) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("GOVPROJ_TEST")},
            "PATH": f"{BIN}:{os.environ['PATH']}",
            **env,
        }

    def run_init(self, name: str, pod: dict, container: dict, root: Path) -> None:
        self.manifests.mount(pod, container, root)
        env = self.localise(name, container, self.manifests.environment(container), root)
        done = subprocess.run(
            container["command"] + container.get("args", []),
            cwd=ROOT,
            env=self.process_env(env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{name} init {container['name']}: {done.stderr}"

    def start(self, name: str, pod: dict, container: dict, root: Path) -> str:
        self.manifests.mount(pod, container, root)
        env = self.localise(name, container, self.manifests.environment(container), root)
        ports = self.listen(container, env)
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (owned by the process)
        self.procs[name] = subprocess.Popen(
            container["command"] + container.get("args", []),
            cwd=ROOT,
            env=self.process_env(env),
            stdout=log,
            stderr=log,
        )
        return {
            kind: f"http://127.0.0.1:{ports[get['port']]}{get['path']}"
            for kind in ("startup", "liveness", "readiness")
            if (get := container.get(f"{kind}Probe", {}).get("httpGet"))
        }

    def stop(self, name: str, grace: int) -> int:
        """SIGTERM, as the kubelet sends it; the exit code within the pod's grace period."""
        proc = self.procs.pop(name)
        proc.terminate()
        try:
            return proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            return -9

    def close(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.broker.release()
        self.pg.drop_all()


def ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_the_dev_overlay_runs_as_written(infrastructure, tmp_path):
    manifests = Manifests(render(DEV))
    assert set(manifests.deployments) == {*PROCESSES, "gateway"}  # supervision-audit too
    local = Local(infrastructure, manifests, tmp_path)
    try:
        probes = {}
        for name, deployment in manifests.deployments.items():
            pod = deployment["spec"]["template"]["spec"]
            root = tmp_path / name
            for init in pod.get("initContainers", []):
                local.run_init(name, pod, init, root)  # migrations before the service
            [container] = pod["containers"]
            probes[name] = local.start(name, pod, container, root)
        for name, urls in probes.items():
            wait_for(
                lambda url=urls["readiness"]: ready(url),
                timeout=120,
                interval=0.5,
                message=f"{name} ready on its readiness probe {urls['readiness']} "
                f"(log: {tmp_path / f'{name}.log'})",
            )
            assert ready(urls["liveness"]) and ready(urls["startup"]), name

        gateway = manifests.deployments["gateway"]["spec"]["template"]["spec"]["containers"][0]
        secret = manifests.environment(gateway)["JWT_DEV_SECRET"]
        api = probes["gateway"]["readiness"].rsplit("/", 1)[0] + "/api/v1"
        first_flow(api, secret)

        # a rollout's SIGTERM: every process exits 0 within its pod's grace period
        for name, deployment in manifests.deployments.items():
            grace = deployment["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
            assert local.stop(name, grace) == 0, (name, (tmp_path / f"{name}.log").read_text()[-2000:])
            assert "Traceback" not in (tmp_path / f"{name}.log").read_text(), name
    finally:
        local.close()


def first_flow(api: str, secret: str) -> None:
    from services.gateway.auth import development_token

    def call(method, path, role, unit=None, **kwargs):
        token = development_token(secret, role, unit)
        return requests.request(
            method, api + path, timeout=30, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )

    unit, item = "U-370100-001", "SMOKE-2026-01"
    plan = call(
        "POST",
        "/plans",
        "office",
        json={
            "title": "山东省政务信息系统建设规划",
            "start_year": 2020,
            "end_year": 2035,
            "items": [{"code": item, "title": "全省电子证照系统"}],
        },
    )
    assert plan.status_code == 201, plan.text
    approved = call("POST", f"/plans/{plan.json()['id']}/approval", "group")
    assert approved.status_code == 200, approved.text
    registered = call(
        "POST",
        "/projects",
        "unit",
        unit,
        json={
            "name": "全省电子证照系统",
            "kind": "construction",
            "level": "province",
            "plan_item": item,
            "budget": {"total": "500000.00"},
        },
    )
    assert registered.status_code == 201, registered.text
    code = registered.json()["code"]
    for doc in ("construction_plan", "investment_budget"):
        r = call(
            "PUT",
            f"/projects/{quote(code)}/documents/{doc}",
            "unit",
            unit,
            json={"title": doc, "sha256": "ab" * 32},
        )
        assert r.status_code in (200, 201), r.text
    r = call(
        "PUT",
        f"/projects/{code}/catalog",
        "unit",
        unit,
        json={
            "resources": [
                {
                    "name": "电子证照",
                    "source": "本系统",
                    "format": "JSON",
                    "update_frequency": "每日",
                    "sharing_type": "unconditional",
                    "open_type": "none",
                }
            ]
        },
    )
    assert r.status_code == 200, r.text
    r = call("POST", f"/projects/{code}/submission", "unit", unit)
    assert r.status_code == 200, r.text
    # planning → application_submitted → approval opens a review case → planning learns it
    wait_for(
        lambda: call("GET", f"/projects/{code}", "office").json()["status"] == "under_review",
        timeout=30,
        message="the review case to open",
    )
