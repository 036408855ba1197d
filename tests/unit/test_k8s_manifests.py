"""deploy/k8s renders with kustomize and every object validates offline: built-in kinds against
Kubernetes 1.30 (strict: unknown fields fail), custom resources against their CRD schemas with
closed properties (a typo fails)."""
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

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
    topic = {d["metadata"]["name"]: d["spec"]["permissions"]["exchange"]
             for d in DOCS if d["kind"] == "TopicPermission"}
    assert topic == {f"govproj-{s}": f"{s}.events" for s in
                     ("planning", "approval", "finance", "acceptance", "security", "supervision")}
