"""deploy/k8s: every overlay renders with kustomize and every object validates offline — built-in
kinds against Kubernetes 1.30 (strict: unknown fields fail), custom resources against their
vendored CRD schemas with closed properties (a typo fails) — and says what the runbook promises:
probes, migrations per service, PDBs, service accounts without tokens, each pod only its own
secrets, autoscaling, monitors, TLS in production, federation per agency (issues 14, 17)."""

import base64
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.config import EXTRA_PROCESSES, service_of
from shared.events.registry import EVENT_TYPES, SERVICES, SUBSCRIPTIONS, event_type, publishers_of
from shared.messaging import federation, manifests, topology

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = Path(sys.executable).parent / "kubectl"
K8S = ROOT / "deploy" / "k8s"
CRD_DIR = K8S / "crds"
AGENCIES = tuple(manifests.AGENCIES)
OVERLAYS = ("all-in-one", "dev", "prod", *AGENCIES)
PRINCIPALS = (*SERVICES, "gateway")


def rendered(overlay: str) -> list[dict]:
    out = subprocess.run(
        [str(KUBECTL), "kustomize", str(K8S / "overlays" / overlay)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def crd_schemas():
    """A validator per (apiVersion, kind) of the vendored CRDs, built once (the schemas of
    RabbitmqCluster and Cluster are large). ObjectMeta is the API server's, not the CRD's, to
    check."""
    schemas = {}
    for path in CRD_DIR.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = _closed(version["schema"]["openAPIV3Schema"])
            schema = {**schema, "properties": {**schema["properties"], "metadata": {"type": "object"}}}
            schemas[(f"{group}/{version['name']}", kind)] = jsonschema.Draft7Validator(schema)
    return schemas


def _closed(schema):
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [_closed(item) for item in schema]
    return schema


RENDERED = {overlay: rendered(overlay) for overlay in OVERLAYS}
DOCS = RENDERED["all-in-one"]
EVENT_NAMES = sorted({t.name for t in EVENT_TYPES})
SCHEMAS = crd_schemas()


def of_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod(deployment):
    return deployment["spec"]["template"]["spec"]


def secrets_of(spec_with_containers, containers_key="containers"):
    """Every secret a pod (or its init containers) can read: env, envFrom, volumes."""
    names = set()
    for container in spec_with_containers.get(containers_key, []):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                names.add(ref["name"])
        names |= {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}
    if containers_key == "containers":
        names |= {v["secret"]["secretName"] for v in spec_with_containers.get("volumes", []) if "secret" in v}
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_every_overlay_is_valid(overlay):
    problems = []
    for doc in RENDERED[overlay]:
        key = (doc["apiVersion"], doc["kind"])
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        try:
            if key in SCHEMAS:
                SCHEMAS[key].validate(doc)
            else:
                kubernetes_validate.validate(doc, "1.30", strict=True)
        except Exception as exc:  # noqa: BLE001 — every invalid object, not just the first
            problems.append(f"{where}: {str(exc)[:300]}")
    assert not problems, "\n".join(problems)


def test_kubernetes_validate_command_line_agrees_on_the_dev_overlay(tmp_path):
    """The CLI the README names (`kubernetes-validate --strict -k 1.30`), on the built-in kinds."""
    builtin = [d for d in RENDERED["dev"] if (d["apiVersion"], d["kind"]) not in SCHEMAS]
    path = tmp_path / "builtin.yaml"
    path.write_text(yaml.safe_dump_all(builtin))
    done = subprocess.run(
        [str(KUBECTL.parent / "kubernetes-validate"), "--strict", "-k", "1.30", "--quiet", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def expected_deployments(overlay):
    """A Deployment per principal of the overlay, and one per extra process of its services
    (supervision-audit: supervision's audit trail, issue 19)."""
    principals = set(manifests.AGENCIES[overlay]) if overlay in AGENCIES else set(PRINCIPALS)
    return principals | {p for p, (service, _) in EXTRA_PROCESSES.items() if service in principals}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_is_operable(overlay):
    """Probes on the pod's own HTTP port, migrations of its own database first, a PDB, its own
    ServiceAccount without a token, /tmp on an emptyDir, hardened containers, autoscaling."""
    docs = RENDERED[overlay]
    deployments = of_kind(docs, "Deployment")
    assert set(deployments) == expected_deployments(overlay)
    accounts, pdbs = of_kind(docs, "ServiceAccount"), of_kind(docs, "PodDisruptionBudget")
    scaled, hpas = of_kind(docs, "ScaledObject"), of_kind(docs, "HorizontalPodAutoscaler")
    for name, deployment in deployments.items():
        principal = "gateway" if name == "gateway" else service_of(name)  # whose process it is
        spec = pod(deployment)
        [container] = spec["containers"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert spec["securityContext"]["runAsNonRoot"]
        for c in [container, *spec.get("initContainers", [])]:
            assert c["securityContext"]["readOnlyRootFilesystem"], (name, c["name"])
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert c["resources"]["limits"]
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes["tmp"]
        # its principal's own ServiceAccount, no API token in the pod
        assert spec["serviceAccountName"] == principal and spec["automountServiceAccountToken"] is False
        assert accounts[principal]["automountServiceAccountToken"] is False
        # a PDB that selects exactly its pods
        assert pdbs[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pdbs[name]["spec"].get("minAvailable") == 1
        port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
        probes = {kind: container[f"{kind}Probe"]["httpGet"] for kind in ("liveness", "readiness", "startup")}
        assert all(p["port"] == "http" for p in probes.values())
        if name == "gateway":
            assert container["command"][0] == "gunicorn" and port == 8080
            assert (probes["liveness"]["path"], probes["readiness"]["path"]) == ("/healthz", "/readyz")
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
            assert env["GATEWAY_BIND"] == "0.0.0.0:8080"
            assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
            assert hpas[name]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        else:
            assert container["command"][:2] == ["nameko", "run"] and port == 8000
            assert (probes["liveness"]["path"], probes["readiness"]["path"]) == (
                "/health/live",
                "/health/ready",
            )
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert env["WEB_SERVER_ADDRESS"] == "0.0.0.0:8000"
            assert f"{principal.upper()}_DB_URI" in env
            [init] = spec["initContainers"]
            assert init["command"] == ["govproj", "migrate", principal]
            assert init["image"] == container["image"]
            init_env = {e["name"] for e in init["env"]}
            assert init_env == {"DB_PASSWORD", f"{principal.upper()}_DB_URI"}
            if name in EXTRA_PROCESSES:  # the audit trail: one chain, appended a batch at a time
                assert container["command"][-1] == EXTRA_PROCESSES[name][1]
                assert name not in scaled and name not in hpas
                continue
            # more consumers as its queues fill up (RabbitMQ queue length, KEDA)
            [trigger] = scaled[name]["spec"]["triggers"]
            assert scaled[name]["spec"]["scaleTargetRef"]["name"] == name
            assert trigger["type"] == "rabbitmq" and trigger["metadata"]["mode"] == "QueueLength"
            pattern = re.compile(trigger["metadata"]["queueName"])
            assert pattern.match(f"rpc-{name}")
            own = [q for q in topology.own_queue_names(name) if q != topology.AUDIT_TRAIL_QUEUE]
            assert all(pattern.match(q) for q in own)
            # the audit trail's backlog is supervision-audit's, not a reason for more of these
            assert not pattern.match(topology.AUDIT_TRAIL_QUEUE)
            others = [q for s in SERVICES if s != name for q in topology.own_queue_names(s)]
            assert not any(pattern.match(q) for q in others)
    assert "migrate" not in {d["metadata"]["name"] for d in docs if d["kind"] == "Job"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_pod_gets_only_its_own_secrets(overlay):
    for deployment in of_kind(RENDERED[overlay], "Deployment").values():
        name = service_of(deployment["metadata"]["name"])  # supervision-audit is supervision
        spec = pod(deployment)
        own = {
            f"govproj-amqp-{name}",
            f"govproj-key-{name}",
            f"govproj-db-{name}",
            "govproj-trusted-ca",
            "govproj-jwt-dev",
            "govproj-gateway-remote-brokers",
        }
        mine = secrets_of(spec)
        assert mine <= own, (overlay, name, mine - own)
        assert not any(s.startswith("govproj-federation") for s in mine)
        if name != "gateway":
            assert f"govproj-db-{name}" in mine and f"govproj-amqp-{name}" in mine
            # the migrate init container: its database credentials, nothing else
            assert secrets_of(spec, "initContainers") == {f"govproj-db-{name}"}
        else:
            assert not any(s.startswith("govproj-db-") for s in mine)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_deny_by_default_and_monitors_scrape_everything(overlay):
    docs = RENDERED[overlay]
    policies = of_kind(docs, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    assert {
        "allow-dns",
        "govproj-apps",
        "govproj-rabbitmq",
        "govproj-postgres",
        "govproj-postgres-pooler",
    } <= set(policies)
    monitors = {**of_kind(docs, "PodMonitor"), **of_kind(docs, "ServiceMonitor")}
    assert {"govproj-services", "govproj-gateway", "govproj-rabbitmq", "govproj-postgres"} <= set(monitors)
    vhost = of_kind(docs, "Vhost")["govproj-vhost"]["spec"]
    assert vhost["deletionPolicy"] == "retain"
    assert {"govproj-postgres-nightly"} == set(of_kind(docs, "ScheduledBackup"))
    [pooler] = of_kind(docs, "Pooler").values()
    assert pooler["spec"]["pgbouncer"]["poolMode"] == "transaction"
    [cluster] = of_kind(docs, "Cluster").values()
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    databases = of_kind(docs, "Database")
    pool = int(pooler["spec"]["pgbouncer"]["parameters"]["default_pool_size"])
    assert pooler["spec"]["instances"] * len(databases) * pool <= max_connections * 0.75
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    services = {service_of(d) for d in expected_deployments(overlay) - {"gateway"}}
    assert set(roles) == set(databases) == services
    for service in services:
        assert databases[service]["spec"]["owner"] == service
        assert databases[service]["spec"]["databaseReclaimPolicy"] == "retain"
        assert roles[service]["passwordSecret"]["name"] == f"govproj-db-{service}"


def referenced_secrets(docs):
    """Every secret the overlay's objects name, by whoever names it."""
    names = set()
    for d in docs:
        if d["kind"] == "Deployment":
            names |= secrets_of(pod(d)) | secrets_of(pod(d), "initContainers")
        elif d["kind"] == "User":
            names.add(d["spec"]["importCredentialsSecret"]["name"])
        elif d["kind"] == "TriggerAuthentication":
            names |= {ref["name"] for ref in d["spec"]["secretTargetRef"]}
        elif d["kind"] == "Cluster":
            names |= {r["passwordSecret"]["name"] for r in d["spec"]["managed"]["roles"]}
            s3 = d["spec"]["backup"]["barmanObjectStore"]["s3Credentials"]
            names |= {s3["accessKeyId"]["name"], s3["secretAccessKey"]["name"]}
        elif d["kind"] == "Federation":
            names.add(d["spec"]["uriSecret"]["name"])
    return names


def test_the_dev_overlay_generates_every_secret_with_the_names_the_broker_and_database_use():
    docs = RENDERED["dev"]
    secrets = {
        name: {k: base64.b64decode(v).decode() for k, v in s["data"].items()}
        for name, s in of_kind(docs, "Secret").items()
    }
    assert referenced_secrets(docs) <= set(secrets)
    for user in of_kind(docs, "User").values():
        secret = secrets[user["spec"]["importCredentialsSecret"]["name"]]
        assert secret["username"] == user["metadata"]["name"]
    [cluster] = of_kind(docs, "Cluster").values()
    for role in cluster["spec"]["managed"]["roles"]:
        secret = of_kind(docs, "Secret")[role["passwordSecret"]["name"]]
        assert secret["type"] == "kubernetes.io/basic-auth"
        assert secrets[role["passwordSecret"]["name"]]["username"] == role["name"]
    for principal in PRINCIPALS:
        assert "PRIVATE KEY" in secrets[f"govproj-key-{principal}"]["private.pem"]
    public = of_kind(docs, "ConfigMap")["govproj-public-keys"]["data"]
    assert set(public) == {f"{p}.pem" for p in PRINCIPALS}
    keda = secrets["govproj-keda-rabbitmq"]["host"]
    assert keda.startswith(f"http://govproj-keda:{secrets['govproj-amqp-keda']['password']}@")
    env = {e["name"]: e for e in pod(of_kind(docs, "Deployment")["gateway"])["containers"][0]["env"]}
    assert env["JWT_MODE"]["value"] == "development"
    assert env["JWT_DEV_SECRET"]["valueFrom"]["secretKeyRef"]["name"] in secrets


@pytest.mark.parametrize("overlay", ["prod", *AGENCIES])
def test_production_and_agency_overlays_use_tls_and_generate_no_secret(overlay):
    docs = RENDERED[overlay]
    assert not of_kind(docs, "Secret")
    config = of_kind(docs, "ConfigMap")["govproj-config"]["data"]
    assert config["AMQP_SCHEME"] == "amqps" and config["AMQP_PORT"] == "5671"
    assert "sslmode=verify-full" in config["DB_OPTIONS"]
    assert config["SSL_CERT_FILE"] == "/etc/govproj/tls/ca.crt"
    certificates = of_kind(docs, "Certificate")
    [broker] = of_kind(docs, "RabbitmqCluster").values()
    assert broker["spec"]["tls"]["disableNonTLSListeners"] is True
    assert broker["spec"]["tls"]["secretName"] in {c["spec"]["secretName"] for c in certificates.values()}
    [cluster] = of_kind(docs, "Cluster").values()
    assert cluster["spec"]["certificates"]["serverTLSSecret"] == "govproj-postgres-server-tls"
    pg_names = certificates["govproj-postgres-server-tls"]["spec"]["dnsNames"]
    assert config["DB_HOST"].removesuffix(".govproj.svc") in pg_names
    assert config["DB_HOST"] in pg_names and config["DB_DIRECT_HOST"] in pg_names
    assert config["AMQP_HOST"] in certificates["govproj-rabbitmq-tls"]["spec"]["dnsNames"]
    for deployment in of_kind(docs, "Deployment").values():
        spec = pod(deployment)
        for c in [*spec["containers"], *spec.get("initContainers", [])]:
            assert {"name": "tls-ca", "mountPath": "/etc/govproj/tls", "readOnly": True} in c["volumeMounts"]
    if "gateway" in of_kind(docs, "Deployment"):
        [ingress] = of_kind(docs, "Ingress").values()
        [tls] = ingress["spec"]["tls"]
        assert tls["secretName"] in {c["spec"]["secretName"] for c in certificates.values()}
        assert ingress["spec"]["rules"][0]["host"] in tls["hosts"]


@pytest.mark.parametrize("agency", AGENCIES)
def test_each_agency_pulls_exactly_the_events_its_services_consume_by_federation(agency):
    """The overlay's Federation resources are what shared.messaging.federation provisions (the
    same names, upstreams, policies and users as the two-broker e2e test runs)."""
    docs = RENDERED[agency]
    own = set(manifests.AGENCIES[agency])
    deployment = manifests.DEPLOYMENT
    upstreams = federation.upstreams_of(deployment, agency)
    federations = of_kind(docs, "Federation")
    assert set(federations) == {federation.upstream_name(u) for u in upstreams}
    policies = of_kind(docs, "Policy")
    pulled = set()
    for upstream, sources in upstreams.items():
        spec = federations[federation.upstream_name(upstream)]["spec"]
        # the signature, not the broker's user_id, proves the publisher across brokers
        assert spec["trustUserId"] is False and spec["ackMode"] == "on-confirm"
        assert "expires" not in spec and "messageTTL" not in spec  # a cut link loses nothing
        assert spec["uriSecret"]["name"] == f"govproj-federation-{upstream}"
        policy = policies[federation.policy_name(upstream)]["spec"]
        assert policy["definition"] == {"federation-upstream": federation.upstream_name(upstream)}
        assert policy["applyTo"] == "exchanges"
        matched = {f"{s}.events" for s in SERVICES if re.fullmatch(policy["pattern"], f"{s}.events")}
        assert matched == {f"{s}.events" for s in sources}
        assert not own & set(sources)
        pulled |= set(sources)
    # everything its consumers read that is published elsewhere
    needed = set()
    for service in own & set(SERVICES):
        needed |= {event_type(n).source for n in SUBSCRIPTIONS.get(service, ())}
        if service == topology.AUDIT_TRAIL_CONSUMER:
            needed |= {t.source for t in EVENT_TYPES}
    assert pulled == needed - own
    config = of_kind(docs, "ConfigMap")["govproj-config"]["data"]
    # every process knows which services share its broker (the rest arrive by federation)
    assert federation.broker_services(config["BROKER_SERVICES"]) == own & set(SERVICES)
    # only its own queues: nothing piles up for a consumer that lives elsewhere
    queues = {q["spec"]["name"] for q in of_kind(docs, "Queue").values()}
    owned = {
        q.name for q in federation.site_declarations(own & set(SERVICES)) if hasattr(q, "queue_arguments")
    }
    assert queues == owned
    # the other agencies' links: exactly the rights federation_rights derives
    for downstream in federation.downstreams_of(deployment, agency):
        rights = federation.federation_rights(deployment, agency, downstream)
        permission = of_kind(docs, "Permission")[rights.user]["spec"]["permissions"]
        assert permission == {"configure": rights.configure, "write": rights.write, "read": rights.read}
        user = of_kind(docs, "User")[rights.user]
        assert user["spec"]["importCredentialsSecret"]["name"] == f"govproj-amqp-{rights.principal}"
    users = {u for u in of_kind(docs, "User") if not u.startswith("govproj-federation-")}
    assert users == {f"govproj-{p}" for p in own | {"gateway", "keda"}}


def test_every_service_runs_in_exactly_one_agency():
    placed = [p for members in manifests.AGENCIES.values() for p in members]
    assert sorted(placed) == sorted(PRINCIPALS)


def test_each_service_may_publish_only_its_own_events():
    writes = {
        (d["spec"]["userReference"]["name"], d["spec"]["permissions"]["exchange"]): d["spec"]["permissions"][
            "write"
        ]
        for d in DOCS
        if d["kind"] == "TopicPermission"
    }
    for service in SERVICES:
        exchanges = {e for (user, e) in writes if user == f"govproj-{service}"}
        assert {e for e in exchanges if e.endswith(".events")} == {f"{service}.events"}
        own = re.compile(writes[(f"govproj-{service}", f"{service}.events")])
        assert [t for t in EVENT_NAMES if own.match(t)] == publishers_of(service)
    assert not any(user == "govproj-gateway" and e.endswith(".events") for user, e in writes)


def test_broker_manifests_are_generated_from_the_registry():
    """The checked-in broker resources are exactly what the registry derives (regenerate with
    `govproj manifests`)."""
    stale = [str(p.relative_to(ROOT)) for p in manifests.stale_files()]
    assert not stale, f"{stale} differ from the registry's derivation: run `govproj manifests`"


def test_rendered_rights_are_exactly_the_derived_ones():
    from shared.messaging.rights import all_rights, publisher_users

    users = {d["metadata"]["name"] for d in DOCS if d["kind"] == "User"} - {"govproj-keda"}
    permissions = {
        (d["spec"]["userReference"]["name"], d["spec"]["vhost"]): d["spec"]["permissions"]
        for d in DOCS
        if d["kind"] == "Permission"
    }
    permissions.pop(("govproj-keda", "govproj"))
    topics = {
        (d["spec"]["userReference"]["name"], d["spec"]["permissions"]["exchange"]): d["spec"]["permissions"]
        for d in DOCS
        if d["kind"] == "TopicPermission"
    }
    derived = all_rights()
    assert users == {r.user for r in derived}
    assert permissions == {
        (r.user, "govproj"): {"configure": r.configure, "write": r.write, "read": r.read} for r in derived
    }
    assert topics == {
        (r.user, t.exchange): {"exchange": t.exchange, "write": t.write, "read": t.read}
        for r in derived
        for t in r.topics
    }
    # nobody may do everything, and every topic exchange a user writes to restricts its keys
    for r in derived:
        assert ".*" not in (r.configure, r.write, r.read)
        assert all(t.write != ".*" for t in r.topics)
    config = of_kind(DOCS, "ConfigMap")["govproj-config"]
    assert yaml.safe_load(config["data"]["EVENT_PUBLISHER_USERS"]) == publisher_users()


def test_the_topology_resources_declare_what_govproj_topology_declares():
    queues = {d["spec"]["name"]: d["spec"] for d in DOCS if d["kind"] == "Queue"}
    declared = topology.all_declarations(topology.DEFAULT_RETRY_DELAYS_MS)
    assert set(queues) == {q.name for q in declared}
    audit = queues[topology.AUDIT_TRAIL_QUEUE]
    assert audit["type"] == "quorum" and audit["deletionPolicy"] == "retain"
    bindings = {
        (d["spec"]["source"], d["spec"]["destination"], d["spec"].get("routingKey", ""))
        for d in DOCS
        if d["kind"] == "Binding"
    }
    assert ("nameko-rpc", "rpc-planning", "planning.*") in bindings
    assert ("govproj.dlx.finance", "govproj.dlq.finance", "") in bindings
    assert ("planning.events", "approval.planning.application_submitted", "application_submitted") in bindings


def test_each_deployment_signs_with_its_own_key_and_trusts_the_public_ones():
    """Issue 14: a pod holds its own principal's private key only, and every public key."""
    for deployment in (d for d in DOCS if d["kind"] == "Deployment"):
        name = service_of(deployment["metadata"]["name"])  # supervision-audit signs as supervision
        spec = pod(deployment)
        [container] = spec["containers"]
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes["signing-key"]["secret"]["secretName"] == f"govproj-key-{name}"
        assert volumes["signing-key"]["secret"]["items"] == [{"key": "private.pem", "path": f"{name}.pem"}]
        assert volumes["public-keys"]["configMap"]["name"] == "govproj-public-keys"
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert mounts["signing-key"] == "/keys/private"
        assert mounts["public-keys"] == "/keys/public"
        assert {"name": "GOVPROJ_KEYS_DIR", "value": "/keys"} in container["env"]
