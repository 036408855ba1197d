"""Operability without a broker (issue 17): the readiness rules at their edges, the gateway's
/readyz, /metrics and trace context, the envelope's traceparent, trace ids in the logs, and the
queue consumer that stops cleanly while it starts."""

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from opentelemetry import trace
from werkzeug.test import Client

from services.gateway import telemetry
from services.gateway.app import Gateway
from services.gateway.auth import development_token
from services.gateway.rpc import ServiceUnavailable
from shared import logs, tracing
from shared.config import SERVICES, load_config
from shared.events import InvalidEvent, load_event, make_event
from shared.health import age_seconds, outbox_check, verdict
from shared.messaging.reliable import AttachedQueueConsumer

CONFIG = load_config("gateway", CLOCK="real")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def stuck(**kw):
    args = dict(
        relay_enabled=True,
        relay_running=True,
        pending=1,
        oldest_age_seconds=0.0,
        stuck_after=120.0,
        last_error=None,
    )
    return outbox_check(**{**args, **kw})


def test_the_outbox_is_stuck_only_past_its_limit():
    assert stuck(oldest_age_seconds=120.0)[0]  # exactly the limit: not yet
    ok, detail = stuck(oldest_age_seconds=120.1, last_error="topology missing: finance.x")
    assert not ok and "OUTBOX_STUCK_SECONDS" in detail["reason"] and "积压" in detail["reason"]
    assert detail["last_error"] == "topology missing: finance.x"
    assert stuck(pending=0, oldest_age_seconds=None)[0]  # nothing waiting
    assert not stuck(relay_running=False, pending=0)[0]  # the relay died
    assert stuck(relay_enabled=False, relay_running=False, oldest_age_seconds=999)[0]


def test_age_of_a_naive_moment_is_taken_as_utc():
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    assert age_seconds(datetime(2027, 1, 1, 11, 59), now) == 60.0
    assert age_seconds(now + timedelta(seconds=5), now) == 0.0  # clock skew: never negative
    assert age_seconds(None, now) is None


def test_ready_only_when_every_check_passes_and_503_names_the_failing():
    assert verdict("finance", {"database": (True, "sqlite"), "outbox": (True, {})})[0] == 200
    status, body = verdict(
        "finance", {"consumers": (False, {"RpcQueue": "lost"}), "database": (True, "sqlite")}
    )
    assert status == 503 and body["failing"] == ["consumers"]
    assert body["checks"]["database"]["ok"] and body["status"] == "unavailable"


def test_a_consumer_stopped_before_it_was_ready_signals_once_per_stop_not_per_handler():
    """nameko sent its one-shot event once per handler: the second raised eventlet's
    "Trying to re-send() an already-triggered event" — the SIGTERM traceback of issue 17."""
    consumer = AttachedQueueConsumer()
    for provider in ("on_project_registered", "on_clock_set", "on_budget"):
        consumer.unregister_provider(provider)
    assert consumer._last_provider_unregistered.ready()
    assert not consumer.attached and consumer.detached_reason == "not started"


class FakeRpc:
    def __init__(self, broker=None, down=()):
        self.broker, self.down, self.contexts = broker, set(down), []

    def broker_problem(self):
        return self.broker

    def gather(self, calls, context=None, timeout=None):
        return [
            (None, ServiceUnavailable(s, "no instance is running"))
            if s in self.down
            else ({"status": "ok"}, None)
            for s, *_ in calls
        ]

    def call(self, service, method, *args, context=None, **kwargs):
        self.contexts.append(context)
        return {"project_code": args[0] if args else None, "entries": []}


def gateway(rpc) -> Client:
    return Client(Gateway({**CONFIG}, rpc=rpc))


def test_readyz_is_the_broker_and_lists_which_services_answer():
    r = gateway(FakeRpc(down={"supervision"})).get("/readyz")
    assert r.status_code == 200
    assert r.json["missing"] == {"supervision": "no instance is running"}
    assert "supervision" not in r.json["services"] and "finance" in r.json["services"]
    r = gateway(FakeRpc(broker="AMQPConnectionError: refused")).get("/readyz")
    assert r.status_code == 503 and set(r.json["missing"]) == set(SERVICES)
    assert list(r.json["broker"].values()) == ["AMQPConnectionError: refused"]


def _sample(text: str, name: str, **labels) -> float | None:
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_gateway_metrics_count_by_route_template_not_raw_path():
    client = gateway(FakeRpc())
    auth = {"Authorization": "Bearer " + development_token(CONFIG["JWT_DEV_SECRET"], "office")}
    route = "/api/v1/projects/{code}/timeline"
    before = (
        _sample(
            client.get("/metrics").get_data(as_text=True),
            "govproj_gateway_requests_total",
            route=route,
            status="200",
        )
        or 0
    )
    for code in ("SD-2026-000001", "SD-2026-000002"):
        assert client.get(f"/api/v1/projects/{code}/timeline", headers=auth).status_code == 200
    client.get("/api/v1/projects/SD-2026-000003/timeline")  # 401: no token
    text = client.get("/metrics").get_data(as_text=True)
    assert "SD-2026-00000" not in text
    assert _sample(text, "govproj_gateway_requests_total", route=route, status="200") == before + 2
    assert _sample(text, "govproj_gateway_requests_total", route="unmatched", status="401") >= 1
    assert _sample(text, "govproj_gateway_request_seconds_count", method="GET", route=route) >= 2
    assert telemetry.route_of("/api/v1/nowhere/1", None) == "unmatched"
    assert telemetry.route_of("/console/projects/SD-1", None) == "/console"
    assert telemetry.route_of("/x", "/api/v1/requests/<path:key>") == "/api/v1/requests/{key}"


def test_the_callers_trace_goes_on_into_the_rpc_context():
    tracing.configure_tracing("gateway")
    rpc = FakeRpc()
    token = development_token(CONFIG["JWT_DEV_SECRET"], "office")
    gateway(rpc).get(
        "/api/v1/projects/SD-2026-000001/timeline",
        headers={"Authorization": f"Bearer {token}", "traceparent": TRACEPARENT},
    )
    sent = rpc.contexts[-1]["traceparent"]
    assert sent.split("-")[1] == TRACEPARENT.split("-")[1]  # the same trace
    assert sent.split("-")[2] != TRACEPARENT.split("-")[2]  # the gateway's own span
    gateway(rpc).get("/api/v1/projects/SD-2026-000001/timeline", headers={"Authorization": f"Bearer {token}"})
    assert rpc.contexts[-1]["traceparent"].split("-")[1] != TRACEPARENT.split("-")[1]


def test_an_envelope_carries_a_w3c_traceparent_or_none():
    event = make_event(
        "clock_set",
        {"today": date(2027, 1, 1), "set_by": "ops"},
        project_code=None,
        regulation_version=None,
        articles=[],
        traceparent=TRACEPARENT,
    )
    assert load_event(json.loads(event.to_json())).traceparent == TRACEPARENT
    wire = {**json.loads(event.to_json()), "traceparent": "00-not-a-trace"}
    with pytest.raises(InvalidEvent) as refused:
        load_event(wire)
    assert "traceparent" in str(refused.value.details)
    bare = make_event(
        "clock_set",
        {"today": date(2027, 1, 1), "set_by": "ops"},
        project_code=None,
        regulation_version=None,
        articles=[],
    )
    assert load_event(json.loads(bare.to_json())).traceparent is None


def test_log_lines_carry_the_trace_id_of_the_work_in_hand():
    tracing.configure_tracing("test")
    formatter = logs.JsonFormatter(service="finance")
    record = logging.makeLogRecord({"msg": "paid", "levelno": logging.INFO, "levelname": "INFO", "name": "t"})
    with tracing.tracer().start_as_current_span("work", context=tracing.extract(TRACEPARENT)):
        line = json.loads(formatter.format(record))
        assert tracing.current_traceparent().split("-")[1] == line["trace_id"]
    assert line["trace_id"] == TRACEPARENT.split("-")[1]
    assert "trace_id" not in json.loads(formatter.format(record))
    assert trace.get_current_span().get_span_context().is_valid is False


def test_migrate_one_service_reads_only_its_own_database_setting(tmp_path):
    """`govproj migrate <service>` is the init container of that service's pod: it holds that
    service's database URI alone, and may start in any directory."""
    import subprocess
    import sys

    from shared.cli import REPO_ROOT

    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
        "FINANCE_DB_URI": f"sqlite:///{tmp_path / 'finance.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli", "migrate", "finance"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "finance: database at revision head" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["finance.db"]  # no other database
