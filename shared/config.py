"""Service configuration: one ``config.yaml`` per service, ``${VAR:default}`` substituted.

We parse exactly as ``nameko run --config`` does (nameko's own YAML loader), so the CLI, the tests
and the running services read a file the same way.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import yaml

with warnings.catch_warnings():  # nameko's CLI module imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    from nameko.cli.main import setup_yaml_parser

from shared.events.registry import SERVICES  # noqa: F401  (one list of services)

# Processes beyond one per service: name → (the service whose config, broker user, signing key
# and database it runs with; its nameko class). Supervision chains every event into its audit
# ledger in a process of its own, in batches (issue 19: services/supervision/audit_process.py).
EXTRA_PROCESSES: dict[str, tuple[str, str]] = {
    "supervision-audit": ("supervision", "services.supervision.audit_process:SupervisionAuditTrail"),
}
PROCESSES = (*SERVICES, *EXTRA_PROCESSES)  # what `govproj run` and the test stacks start


def service_of(process: str) -> str:
    """The service a process belongs to (a service's own process is named after it)."""
    return EXTRA_PROCESSES[process][0] if process in EXTRA_PROCESSES else process


def processes_of(service: str) -> list[str]:
    """The processes a service runs as: its own, then its extra ones."""
    return [service, *(p for p, (owner, _) in EXTRA_PROCESSES.items() if owner == service)]


def process_class(process: str) -> str:
    """``module:Class`` of a process's nameko service."""
    if process in EXTRA_PROCESSES:
        return EXTRA_PROCESSES[process][1]
    return f"services.{process}.service:{process.capitalize()}Service"


SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"

setup_yaml_parser()


def config_path(service: str) -> Path:
    return SERVICES_DIR / service / "config.yaml"


def load_config(service: str, **overrides: Any) -> dict[str, Any]:
    """The service's config with environment substitution, then ``overrides`` on top."""
    with open(config_path(service), encoding="utf-8") as fh:
        config = yaml.safe_load(fh) or {}
    config.update(overrides)
    return config


def amqp_uri_from_env() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@localhost")
