"""Benchmark: supervision's audit trail, batched vs one event per transaction, same run (issue 19).

    .venv/bin/python bench/audit_trail.py [--events 3000] [--db sqlite|postgresql]

A backlog of signed events (planning's ``application_submitted``, as its publisher signs them)
waits in ``supervision.audit-trail``; supervision's audit-trail process
(``services/supervision/audit_process.py``) is started and timed until the chain's head reaches
the last one: once with ``EVENT_BATCH_SIZE=1`` (every event its own worker and transaction: the
reliable handler's way, which the audit trail used before), once with the default batch size.
Each pass on a fresh vhost and a fresh supervision database; the chain is verified after each.
Prints events/s of each and their ratio; its last line is ``BENCH {json}``:
``audit_trail_batched_vs_single_<db>`` (bench/run.py collects it). Nothing here is a test.
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote, urlsplit  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kombu import Connection  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from sqlalchemy import select  # noqa: E402

from services.supervision import audit_trail  # noqa: E402
from services.supervision.audit_chain import verify  # noqa: E402
from services.supervision.audit_process import SupervisionAuditTrail  # noqa: E402
from services.supervision.models import AuditChainHeadRow  # noqa: E402
from shared.messaging import topology  # noqa: E402
from shared.persistence import create_engine_for  # noqa: E402
from shared.persistence.migrations import upgrade  # noqa: E402
from shared.testing import (  # noqa: E402
    PostgresDatabases,
    RabbitAdmin,
    _from_environment,
    declare_topology,
    service_config,
    sign_as,
)
from shared.testing_events import submission  # noqa: E402


def events(n: int) -> list[dict]:
    return [sign_as(submission(f"SD-2026-{i:06d}"), "planning") for i in range(1, n + 1)]


def head(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(AuditChainHeadRow.seq)).scalar() or 0


def chain_ok(engine) -> bool:
    with engine.connect() as conn:
        return verify(audit_trail.records(conn), audit_trail.recorded_head(conn))["ok"]


def one_pass(infra, db: str, bodies: list[dict], batch_size: int) -> float:
    """Events/s for the backlog to be chained with this batch size (fresh vhost and database)."""
    admin = RabbitAdmin(infra.rabbit_api)
    vhost = f"govproj-bench-{uuid.uuid4().hex[:8]}"
    admin.create_vhost(vhost)
    base = urlsplit(infra.amqp_uri)
    amqp_uri = f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    declare_topology(amqp_uri)
    pg = PostgresDatabases(infra.pg_uri)
    tmp = Path(tempfile.mkdtemp(prefix="govproj-bench-"))
    url = f"sqlite:///{tmp}/supervision.db" if db == "sqlite" else pg.create(f"bench_{uuid.uuid4().hex[:6]}")
    container = None
    try:
        upgrade("supervision", url)
        with Connection(amqp_uri) as conn:  # the backlog, as planning's user publishes it
            producer = conn.Producer()
            user = conn.userid
            for body in bodies:
                producer.publish(
                    body,
                    exchange=topology.events_exchange("planning").name,
                    routing_key="application_submitted",
                    serializer="json",
                    message_id=body["message_id"],
                    user_id=user,
                )
        engine = create_engine_for(url)
        config = service_config("supervision", amqp_uri, url, EVENT_BATCH_SIZE=batch_size)
        container = ServiceContainer(SupervisionAuditTrail, config)
        start = time.monotonic()
        container.start()
        while head(engine) < len(bodies):
            time.sleep(0.05)
        rate = len(bodies) / (time.monotonic() - start)
        assert chain_ok(engine), "the chain does not verify"
        engine.dispose()
        return rate
    finally:
        if container is not None:
            container.kill()
        admin.delete_vhost(vhost)
        pg.drop_all()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    infra = _from_environment()
    if infra is None:
        print(
            "needs RabbitMQ (with management API) and PostgreSQL: GOVPROJ_TEST_* or 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    bodies = events(args.events)
    single = one_pass(infra, args.db, bodies, 1)
    batched = one_pass(infra, args.db, bodies, 100)
    print(f"audit trail, {args.events} events waiting, database: {args.db}")
    print(f"{'batch size':12} {'events/s':>9}")
    print(f"{1:12} {single:9.0f}")
    print(f"{100:12} {batched:9.0f}")
    ratio = batched / single
    print(f"ratio batched/single: {ratio:.2f}")
    print("BENCH " + json.dumps({f"audit_trail_batched_vs_single_{args.db}": round(ratio, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
