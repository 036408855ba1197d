"""Run a service's Alembic migrations against its own database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.config import SERVICES_DIR
from shared.persistence.engine import normalise_url

ENV_DIR = Path(__file__).resolve().parent / "alembic"


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ENV_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(SERVICES_DIR / service / "migrations"))
    cfg.attributes["service"] = service
    cfg.attributes["url"] = normalise_url(url)
    return cfg


def upgrade(service: str, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)
