"""deploy/k8s renders with kustomize and every object validates offline: built-in kinds against
Kubernetes 1.30 (strict: unknown fields fail), custom resources against their CRD schemas with
closed properties (a typo fails)."""
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.events.registry import EVENT_TYPES, SERVICES, publishers_of

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = Path(sys.executable).parent / "kubectl"
CRD_DIR = ROOT / "deploy" / "k8s" / "crds"


def rendered(overlay="deploy/k8s/base"):
    out = subprocess.run([str(KUBECTL), "kustomize", str(ROOT / overlay)], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def crd_schemas():
    schemas = {}
    for path in CRD_DIR.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schemas[(f"{group}/{version['name']}", kind)] = _closed(
                version["schema"]["openAPIV3Schema"])
    return schemas


def _closed(schema):
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [_closed(item) for item in schema]
    return schema


DOCS = rendered()
EVENT_NAMES = sorted({t.name for t in EVENT_TYPES})
SCHEMAS = crd_schemas()


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_object_is_valid(doc):
    key = (doc["apiVersion"], doc["kind"])
    if key in SCHEMAS:  # ObjectMeta is the API server's, not the CRD's, to check
        schema = SCHEMAS[key]
        jsonschema.validate(doc, {**schema, "properties": {**schema["properties"],
                                                           "metadata": {"type": "object"}}})
    else:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_every_service_has_a_hardened_deployment():
    deployments = {d["metadata"]["name"]: d for d in DOCS if d["kind"] == "Deployment"}
    assert set(deployments) == {"planning", "approval", "finance", "acceptance", "security",
                                "supervision", "gateway"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"]
        assert container["securityContext"]["readOnlyRootFilesystem"]
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["limits"] and container["readinessProbe"]
        if name == "gateway":
            assert container["command"][0] == "gunicorn"
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        else:
            assert container["command"][:2] == ["nameko", "run"]
            assert f"{name.upper()}_DB_URI" in {e["name"] for e in container["env"]}


def test_each_service_may_publish_only_its_own_events():
    writes = {(d["spec"]["userReference"]["name"], d["spec"]["permissions"]["exchange"]):
              d["spec"]["permissions"]["write"] for d in DOCS if d["kind"] == "TopicPermission"}
    for service in SERVICES:
        exchanges = {e for (user, e) in writes if user == f"govproj-{service}"}
        assert {e for e in exchanges if e.endswith(".events")} == {f"{service}.events"}
        own = re.compile(writes[(f"govproj-{service}", f"{service}.events")])
        assert [t for t in EVENT_NAMES if own.match(t)] == publishers_of(service)
    assert not any(user == "govproj-gateway" and e.endswith(".events") for user, e in writes)


def test_broker_manifests_are_generated_from_the_registry():
    """The checked-in broker resources are exactly what the registry derives (regenerate with
    `govproj manifests`)."""
    from shared.messaging import manifests

    stale = [str(p.relative_to(ROOT)) for p in manifests.stale_files()]
    assert not stale, f"{stale} differ from the registry's derivation: run `govproj manifests`"


def test_rendered_rights_are_exactly_the_derived_ones():
    from shared.messaging.rights import all_rights, publisher_users

    users = {d["metadata"]["name"] for d in DOCS if d["kind"] == "User"}
    permissions = {(d["spec"]["userReference"]["name"], d["spec"]["vhost"]):
                   d["spec"]["permissions"] for d in DOCS if d["kind"] == "Permission"}
    topics = {(d["spec"]["userReference"]["name"], d["spec"]["permissions"]["exchange"]):
              d["spec"]["permissions"] for d in DOCS if d["kind"] == "TopicPermission"}
    derived = all_rights()
    assert users == {r.user for r in derived}
    assert permissions == {(r.user, "govproj"): {"configure": r.configure, "write": r.write,
                                                 "read": r.read} for r in derived}
    assert topics == {(r.user, t.exchange): {"exchange": t.exchange, "write": t.write,
                                             "read": t.read} for r in derived for t in r.topics}
    # nobody may do everything, and every topic exchange a user writes to restricts its keys
    for r in derived:
        assert ".*" not in (r.configure, r.write, r.read)
        assert all(t.write != ".*" for t in r.topics)
    [config] = [d for d in DOCS if d["kind"] == "ConfigMap"]
    assert yaml.safe_load(config["data"]["EVENT_PUBLISHER_USERS"]) == publisher_users()


def test_the_topology_resources_declare_what_govproj_topology_declares():
    from shared.messaging import topology

    queues = {d["spec"]["name"]: d["spec"] for d in DOCS if d["kind"] == "Queue"}
    declared = topology.all_declarations(topology.DEFAULT_RETRY_DELAYS_MS)
    assert set(queues) == {q.name for q in declared}
    audit = queues[topology.AUDIT_TRAIL_QUEUE]
    assert audit["type"] == "quorum" and audit["deletionPolicy"] == "retain"
    bindings = {(d["spec"]["source"], d["spec"]["destination"], d["spec"].get("routingKey", ""))
                for d in DOCS if d["kind"] == "Binding"}
    assert ("nameko-rpc", "rpc-planning", "planning.*") in bindings
    assert ("govproj.dlx.finance", "govproj.dlq.finance", "") in bindings
    assert ("planning.events", "approval.planning.application_submitted",
            "application_submitted") in bindings


def test_each_deployment_signs_with_its_own_key_and_trusts_the_public_ones():
    """Issue 14: a pod holds its own principal's private key only, and every public key."""
    for deployment in (d for d in DOCS if d["kind"] == "Deployment"):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["signing-key"]["secret"]["secretName"] == f"govproj-key-{name}"
        assert volumes["signing-key"]["secret"]["items"] == [
            {"key": "private.pem", "path": f"{name}.pem"}]
        assert volumes["public-keys"]["configMap"]["name"] == "govproj-public-keys"
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert mounts == {"signing-key": "/keys/private", "public-keys": "/keys/public"}
        assert {"name": "GOVPROJ_KEYS_DIR", "value": "/keys"} in container["env"]
