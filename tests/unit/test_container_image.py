"""The image and docker-compose.yml (issue 17): the base image pinned by digest, dependencies
installed from a lock file with hashes in their own layer before the code, and a compose file
that validates against the compose specification and runs what the Kubernetes manifests run."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
LOCK = (ROOT / "requirements.lock").read_text()


def instructions():
    """(INSTRUCTION, argument) per Dockerfile line, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [
        tuple(line.split(None, 1))
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_base_image_is_pinned_by_digest():
    [base] = [arg for op, arg in instructions() if op == "FROM"]
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", base)


def test_dependencies_come_from_the_lock_with_hashes_before_the_code():
    steps = instructions()
    install_lock = next(
        i for i, (op, arg) in enumerate(steps) if op == "RUN" and "-r requirements.lock" in arg
    )
    assert "--require-hashes" in steps[install_lock][1]
    copy_lock = next(
        i for i, (op, arg) in enumerate(steps) if op == "COPY" and arg.startswith("requirements.lock")
    )
    copies_of_code = [
        i for i, (op, arg) in enumerate(steps) if op == "COPY" and re.match(r"(shared|services)\b", arg)
    ]
    assert copy_lock < install_lock < min(copies_of_code)
    # the project itself adds nothing unlocked
    assert any(
        op == "RUN" and "--no-deps" in arg and "pip install" in arg and " ." in arg
        for op, arg in steps[install_lock + 1 :]
    )
    assert [arg for op, arg in steps if op == "USER"] == ["10001:10001"]


def test_the_lock_pins_every_dependency_with_hashes():
    """Regenerate after changing dependencies: pip-compile --generate-hashes --strip-extras
    --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml"""
    pinned = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, match.group(1)
            pinned[match.group(1).lower().replace("_", "-")] = match.group(2)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    missing = {_name(r) for r in project["dependencies"]} - set(pinned)
    assert not missing, f"{sorted(missing)} not in requirements.lock: regenerate it"
    assert "--index-url" not in LOCK and "file://" not in LOCK


def test_gunicorn_has_no_control_socket():
    config = (ROOT / "services" / "gateway" / "gunicorn.conf.py").read_text()
    assert re.search(r"^control_socket_disable = True$", config, re.M)


def test_compose_file_follows_the_compose_specification():
    done = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_the_whole_suite_as_kubernetes_does():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {
        "rabbitmq",
        "postgres",
        "setup",
        "gateway",
        "planning",
        "approval",
        "finance",
        "acceptance",
        "security",
        "supervision",
    } <= set(services)
    k8s = {}
    for path in (ROOT / "deploy" / "k8s" / "components").glob("*/*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Deployment":
                k8s[doc["metadata"]["name"]] = doc["spec"]["template"]["spec"]["containers"][0]
    for name, container in k8s.items():
        assert services[name]["command"] == container["command"], name
        assert services[name]["read_only"] is True
        assert services[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert "govproj migrate" in services["setup"]["command"][-1]
