"""`make bench`: every benchmark, each in its own process, and as the LAST line one JSON object
of every ratio measured (name → value), so runs can be compared.

    .venv/bin/python bench/run.py [--runs 3] [--only pipeline|gateway|audit]

Each benchmark prints its own table and, last, ``BENCH {json}`` of its ratios (measured against
its baseline in the same run). With ``--runs N`` each is run N times; every run's ratios are
printed, and the final object holds each ratio's median. The goals (issue 19):
``pipeline_*`` (reliable ÷ bare nameko) ≥ 0.5, ``pipeline_vs_broker_*`` (reliable ÷ the
broker's streamed-confirm rate to a quorum queue) ≥ 0.25, ``gateway_read_vs_echo_rpc`` (one-RPC
read ÷ gunicorn + plain pika RPC to an echo service) ≥ 0.5, ``gateway_composed_vs_read`` ≥ 0.5;
``audit_trail_batched_vs_single_*`` (supervision's audit trail, a batch per transaction ÷ one
event per transaction) has no goal: it says what batching buys.
Nothing here is a test: no time is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BENCHES = {
    "pipeline": [
        ["bench/pipeline.py"],
        ["bench/pipeline.py", "--producers", "10"],
        ["bench/pipeline.py", "--db", "postgresql"],
    ],
    "gateway": [["bench/gateway.py"]],
    "audit": [
        ["bench/audit_trail.py"],
        ["bench/audit_trail.py", "--db", "postgresql"],
    ],
}


# the names issue 19 asks every full run to report (a run that lacks one says so and fails)
REQUIRED = {
    "pipeline": [
        "pipeline_sqlite_burst",
        "pipeline_sqlite_10_producers",
        "pipeline_postgresql",
        "pipeline_vs_broker_sqlite",
        "pipeline_vs_broker_postgresql",
    ],
    "gateway": ["gateway_read_vs_echo_rpc", "gateway_composed_vs_read"],
    "audit": [],
}


def run_one(argv: list[str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        print(f"{' '.join(argv)} failed with {proc.returncode}", file=sys.stderr)
        return {}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    return json.loads(lines[-1][len("BENCH ") :]) if lines else {}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=sorted(BENCHES))
    args = parser.parse_args()
    measured: dict[str, list[float]] = {}
    failed = False
    for group, benches in BENCHES.items():
        if args.only and group != args.only:
            continue
        for argv in benches:
            for run in range(1, args.runs + 1):
                print(f"== {' '.join(argv)} (run {run} of {args.runs})", flush=True)
                ratios = run_one(argv)
                failed |= not ratios
                for name, value in ratios.items():
                    measured.setdefault(name, []).append(value)
    if args.runs > 1:
        for name, values in measured.items():
            print(f"{name}: {', '.join(f'{v:.3f}' for v in values)}")
    missing = [
        name
        for group, names in REQUIRED.items()
        if not args.only or group == args.only
        for name in names
        if name not in measured
    ]
    if missing:  # a failed benchmark: say which ratios the object lacks instead of omitting them
        print(f"not measured: {', '.join(missing)}", file=sys.stderr)
        failed = True
    print(
        json.dumps({name: round(statistics.median(values), 3) for name, values in measured.items()}),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
