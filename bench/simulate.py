"""Benchmark: the province simulation (issue 19), against a suite this script starts.

    .venv/bin/python bench/simulate.py [--projects 2000] [--concurrency 12] [--postgres]

Starts the whole suite as processes (``shared.testing.Stack``: six services and the gateway on a
fresh vhost, simulated clock; SQLite, or PostgreSQL databases with ``--postgres``), runs
``govproj simulate`` against it and prints its report, then as its last line ``BENCH {json}``:
``simulate_projects_per_minute``, ``simulate_minutes`` (the simulation, not the suite's start),
the dead letters and the largest RSS of any service process, sampled every 5 s while the
simulation runs (each sample also goes to stderr as a JSON line, and the report ends with the
trend: RSS per service at each tenth of the run). Goals (issue 19): 2,000 projects through the
whole lifecycle in under 10 minutes on this machine; 10,000 on PostgreSQL with RSS under 150 MB
per service.
Twelve projects at a time by default (measured on this machine while other runs shared it,
2,000 projects, 0 errors, 0 dead letters: 11.2 min with 6 before planning's read of the plan
items in force was fixed, 10.0 min with 12 after — the two changes not measured apart).
Not a test: nothing asserts a time. Needs RabbitMQ (with its management API) and, for
``--postgres``, PostgreSQL: GOVPROJ_TEST_AMQP_URI, GOVPROJ_TEST_RABBIT_API, GOVPROJ_TEST_PG or
127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.persistence.migrations import upgrade  # noqa: E402
from shared.testing import PostgresDatabases, Stack, _from_environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    infrastructure = _from_environment()
    if infrastructure is None:
        print("no broker/database: set GOVPROJ_TEST_AMQP_URI (and GOVPROJ_TEST_PG)", file=sys.stderr)
        return 2
    pg = PostgresDatabases(infrastructure.pg_uri)
    with tempfile.TemporaryDirectory(prefix="govproj-sim-") as workdir:
        stack = Stack(
            infrastructure, Path(workdir), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30", LOG_LEVEL="WARNING"
        )
        try:
            if args.postgres:
                prefix = f"gp_sim_{uuid.uuid4().hex[:8]}"
                for service in stack.urls:
                    stack.urls[service] = pg.create(f"{prefix}_{service}")
                    upgrade(service, stack.urls[service])
            stack.start_all()
            done = subprocess.run(
                [
                    str(ROOT / ".venv" / "bin" / "govproj"),
                    "simulate",
                    "--projects",
                    str(args.projects),
                    "--concurrency",
                    str(args.concurrency),
                    "--seed",
                    str(args.seed),
                    "--api",
                    stack.api,
                    "--rabbit-api",
                    infrastructure.rabbit_api,
                    "--vhost",
                    stack.vhost,
                    "--json",
                    "--quiet",
                    "--rss-log",  # a memory sample per line on stderr while it runs
                ],
                cwd=ROOT,
                env={"PATH": "/usr/local/bin:/usr/bin:/bin", **stack.env()},
                stdout=subprocess.PIPE,
                text=True,
            )
        finally:
            stack.close()
            pg.drop_all()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    from shared.simulate import print_report

    print_report(result, sys.stdout)
    print(
        "BENCH "
        + json.dumps(
            {
                "simulate_projects": args.projects,
                "simulate_database": "postgresql" if args.postgres else "sqlite",
                "simulate_projects_per_minute": result["projects_per_minute"],
                "simulate_minutes": round(result["seconds"] / 60, 2),
                "simulate_errors": result["errors"],
                "simulate_dead_letters": result["dead_letters"],
                "simulate_max_rss_mb": max((v["max"] for v in result["rss_mb"].values()), default=None),
                **{f"simulate_rss_mb_{k}": v["max"] for k, v in result["rss_mb"].items()},
            }
        )
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
