import json
import logging

import pytest

from shared import logs
from shared.config import SERVICES, load_config
from shared.persistence.engine import DatabaseConfigError, normalise_url


def test_every_service_has_a_config_with_environment_defaults(monkeypatch):
    monkeypatch.delenv("AMQP_URI", raising=False)
    monkeypatch.setenv("FINANCE_DB_URI", "postgresql://db/finance")
    for service in SERVICES:
        config = load_config(service)
        assert config["AMQP_URI"] == "amqp://guest:guest@localhost"
        assert config["CLOCK"] == "real"
    assert load_config("finance")["DB_URI"] == "postgresql://db/finance"
    assert load_config("planning")["DB_URI"] == "sqlite:///var/planning.db"


def test_postgres_urls_use_the_green_driver():
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg2://")
    with pytest.raises(DatabaseConfigError):
        normalise_url("postgresql+psycopg://u@h/db")
    with pytest.raises(DatabaseConfigError):
        normalise_url("mysql://u@h/db")


def test_json_logs_carry_project_and_correlation():
    formatter = logs.JsonFormatter(service="planning")
    logs.bind(project_code="SD-2026-000001", correlation_id="abc")
    try:
        record = logging.makeLogRecord({"msg": "申请已提交 %s", "args": ("ok",), "levelname": "INFO"})
        line = json.loads(formatter.format(record))
    finally:
        logs.clear()
    assert line["message"] == "申请已提交 ok"
    assert line["project_code"] == "SD-2026-000001" and line["correlation_id"] == "abc"
    assert line["service"] == "planning"
