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
