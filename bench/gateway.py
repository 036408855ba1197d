"""Benchmark: gateway GET throughput and latency against baselines, same run.

    .venv/bin/python bench/gateway.py [--seconds 10] [--clients 16]

bare:     gunicorn (same worker class, workers and threads) serving a fixed JSON document.
echo:     the same gunicorn answering with ONE plain pika RPC to a nameko service that only
          echoes (bench/echo_app.py, bench/echo_service.py): the floor of any RPC gateway.
timeline: GET /api/v1/projects/{code}/timeline — JWT check, role matrix, ONE pika RPC to
          supervision (nameko), a read of the project's ledger entries, JSON out.
project:  GET /api/v1/projects/{code} — the composed view: THREE RPCs sent at once (planning's
          register, finance's funds, supervision's deadlines, findings and sanctions in one).
All are loaded by the same client threads (keep-alive HTTP/1.1) for the same time; prints
requests/s, p50/p99 latency, the CPU each process spent per request (from ``/proc``: the
gateway's gunicorn, each service, the broker — the broker's figure counts whatever else it
served meanwhile), the ratios, and as its last line ``BENCH {json}``: the ratios
``gateway_read_vs_echo_rpc`` (timeline ÷ echo, goal ≥ 0.5) and ``gateway_composed_vs_read``
(project ÷ timeline, goal ≥ 0.5), with ``gateway_read_vs_bare``. Not a test: nothing asserts a
time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.testing import Stack, _from_environment, free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def load(url: str, headers: dict[str, str], seconds: float, clients: int):
    parts = urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", parts.path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, latencies, errors[0]


def pct(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (ppid is [1], utime [11], stime [12])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_seconds(pids: list[int]) -> float:
    return sum((int(f[11]) + int(f[12])) / TICK for f in map(_stat, pids) if f)


def with_children(pid: int) -> list[int]:
    """The process and its children (gunicorn's workers)."""
    proc = Path("/proc")
    kids = [int(d.name) for d in proc.iterdir() if d.name.isdigit() and _stat(int(d.name))[1:2] == [str(pid)]]
    return [pid, *kids]


def broker_pids() -> list[int]:
    """RabbitMQ's Erlang VM on this machine (none when the broker runs elsewhere)."""
    found = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and (d / "comm").read_text().strip() == "beam.smp":
                found.append(int(d.name))
        except OSError:
            continue
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    infra = _from_environment()
    if infra is None:
        print("needs RabbitMQ (with management API) and PostgreSQL on 127.0.0.1", file=sys.stderr)
        return 2
    stack = Stack(infra, Path(tempfile.mkdtemp(prefix="govproj-bench-gw-")))
    bare_port, echo_port = free_port(), free_port()

    def gunicorn(port: int, app: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "services/gateway/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                app,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    bare = gunicorn(bare_port, "bench.bare_app:app")
    echo_service = subprocess.Popen(
        [sys.executable, "bench/echo_service.py", stack.amqp_uri],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    echo = gunicorn(echo_port, "bench.echo_app:app", BENCH_AMQP_URI=stack.amqp_uri)
    try:
        for service in ("planning", "finance", "supervision", "gateway"):
            stack.start(service)
        wait_for(lambda: _answers(stack), timeout=60, interval=0.5, message="gateway")
        code = stack.http(
            "POST",
            "/projects",
            "unit",
            "U-BENCH",
            json={"name": "基准测试项目", "kind": "om", "level": "province", "budget": {"total": "1.00"}},
        ).json()["code"]
        auth = {"Authorization": f"Bearer {stack.token('office')}"}
        urls = {
            "bare": f"http://127.0.0.1:{bare_port}/projects/{code}",
            "echo": f"http://127.0.0.1:{echo_port}/projects/{code}",
            "timeline": f"{stack.api}/projects/{code}/timeline",
            "project": f"{stack.api}/projects/{code}",
        }
        wait_for(
            lambda: stack.http("GET", f"/projects/{code}/timeline", "office").status_code == 200,
            timeout=20,
            message="the project in the ledger",
        )
        wait_for(lambda: _ok(urls["echo"]), timeout=30, interval=0.5, message="echo baseline")
        for url in urls.values():
            load(url, auth, 1, 4)  # warm: connections, caches
        groups = {
            "bare": with_children(bare.pid),
            "echo": with_children(echo.pid) + [echo_service.pid],
            "gateway": with_children(stack.procs["gateway"].pid),
            **{s: [stack.procs[s].pid] for s in ("planning", "finance", "supervision")},
            "broker": broker_pids(),
        }
        results, cpu = {}, {}
        for name, url in urls.items():
            before = {g: cpu_seconds(pids) for g, pids in groups.items()}
            results[name] = load(url, auth, args.seconds, args.clients)
            served = len(results[name][1])
            cpu[name] = {g: (cpu_seconds(pids) - before[g]) * 1000 / served for g, pids in groups.items()}
    finally:
        for proc in (bare, echo, echo_service):
            proc.terminate()
            proc.wait(30)
        stack.close()
    print(
        f"{args.clients} client threads × {args.seconds:g} s each; gunicorn gthread "
        "2 workers × 8 threads for all"
    )
    print(f"{'endpoint':9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, (rate, lat, err) in results.items():
        print(f"{name:9} {rate:8.0f} {pct(lat, 50):8.2f} {pct(lat, 99):8.2f} {err:7}")
    print("CPU ms per request, by process (the broker's includes whatever else it served):")
    print(f"{'endpoint':9} " + " ".join(f"{g:>11}" for g in cpu["bare"]) + f" {'total':>7}")
    for name, spent in cpu.items():
        print(f"{name:9} " + " ".join(f"{v:11.2f}" for v in spent.values()) + f" {sum(spent.values()):7.2f}")
    bare_rate, bare_lat, _ = results["bare"]
    for name in ("echo", "timeline", "project"):
        rate, lat, _ = results[name]
        print(
            f"ratio {name}/bare throughput: {rate / bare_rate:.2f}; "
            f"p99 ratio: {pct(lat, 99) / pct(bare_lat, 99):.1f}x"
        )
    rate = {name: r[0] for name, r in results.items()}
    ratios = {
        "gateway_read_vs_echo_rpc": round(rate["timeline"] / rate["echo"], 3),
        "gateway_composed_vs_read": round(rate["project"] / rate["timeline"], 3),
        "gateway_read_vs_bare": round(rate["timeline"] / rate["bare"], 3),
    }
    print(
        f"ratio timeline/echo: {ratios['gateway_read_vs_echo_rpc']:.2f} (goal ≥ 0.50); "
        f"project/timeline: {ratios['gateway_composed_vs_read']:.2f} (goal ≥ 0.50)"
    )
    print("BENCH " + json.dumps(ratios))
    return 0


def _ok(url: str) -> bool:
    parts = urlsplit(url)
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.request("GET", parts.path)
        return conn.getresponse().status == 200
    except OSError:
        return False


def _answers(stack) -> bool:
    try:
        return stack.http("GET", "/projects", "office").status_code == 200
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(main())
