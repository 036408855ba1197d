"""Benchmark: bare nameko event dispatch→handle vs our reliable pipeline, same run, same broker.

    .venv/bin/python bench/pipeline.py [--events 2000] [--db sqlite|postgresql]
                                       [--layout deployed|one-process]

bare:     nameko's standalone dispatcher (confirms) → a plain @event_handler that does nothing.
reliable: a command transaction writes the event to the outbox → the relay publishes it
          (confirms + mandatory) → finance's clock_set subscription, declared batched
          (shared.platform.subscribe): each delivery validated (envelope, signature, properties)
          on arrival, then inbox claims and database writes of a batch (what is waiting, up to
          EVENT_BATCH_SIZE) in one transaction.
broker:   what the broker itself sustains the way the relay publishes: raw durable messages to
          a quorum queue, published in batches of 200 with streamed publisher confirms, consumed
          and acked by one consumer (no database, no envelope, no signature).
Prints throughput of each, the ratios (goals: reliable ≥ 0.5 × bare, ≥ 0.25 × broker) and
latency p50/p99; its last line is ``BENCH {json}`` of the ratios, named after the
configuration (``pipeline_sqlite_burst``, ``pipeline_sqlite_10_producers``,
``pipeline_postgresql``; ``pipeline_vs_broker_<db>``), which bench/run.py collects.
Each run uses a fresh vhost and fresh databases; nothing is timed as a test assertion.

Layouts (--layout), the same measurement in both: throughput = n events ÷ the time from the
first send until the consumer has seen all n, then the paced pass; a latency is the consumer's
receive time − the event's sent (bare) or occurred (reliable) time, on the one machine clock.
deployed (the default): the consuming service runs in its own process — this script again,
          with the hidden ``--serve bare|reliable``: the BareConsumer container, or TimedFinance
          with its database — which says ``ready`` on stdout once its container has started
          (its queues consumed), then writes each latency it observes there, and stops when
          its stdin closes. The producing side stays here: nameko's event_dispatcher (bare);
          supervision's Store command transactions and the RelayLoop greenthread, which in
          production runs inside the producing service's process (reliable). This is how every
          deployment runs (each service its own process, its own pod); in one process the
          consumer takes the producer's CPU (one Python thread under eventlet), which distorts
          the ratio on a small machine.
one-process: everything in this process under eventlet, as the figures before the layouts
          were measured (to reproduce them).
The broker measurement is one process in both layouts.
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote, urlsplit  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventlet.green import subprocess  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.events import event_handler  # noqa: E402
from nameko.standalone.events import event_dispatcher  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from services.finance.service import FinanceService  # noqa: E402
from services.supervision.models import platform as supervision_tables  # noqa: E402
from shared.keys import load_signing_key  # noqa: E402
from shared.messaging.outbox import OutboxRelay, RelayLoop  # noqa: E402
from shared.messaging.reliable import batched_handler  # noqa: E402
from shared.persistence import create_engine_for  # noqa: E402
from shared.persistence.store import Store  # noqa: E402
from shared.testing import (  # noqa: E402
    TEST_KEYS_DIR,
    PostgresDatabases,
    RabbitAdmin,
    _from_environment,
    declare_topology,
    service_config,
)


@dataclass
class Result:
    throughput: float  # events/s, back to back
    saturated: list[float]  # latencies (s) while saturated: mostly queueing
    paced: list[float]  # latencies (s) at a steady rate below capacity


BARE_SEEN: list[float] = []
RELIABLE_SEEN: list[float] = []
SERVING = False  # this process is the consumer of --layout deployed (--serve): report on stdout


def _observe(seen: list[float], latencies: list[float]) -> None:
    if SERVING:  # one line per delivery or batch, read by the benchmark's ConsumerProcess
        sys.stdout.write("seen " + " ".join(f"{x:.6f}" for x in latencies) + "\n")
        sys.stdout.flush()
    else:
        seen.extend(latencies)


class BareConsumer:
    name = "bench_bare"

    @event_handler("bench_source", "tick")
    def on_tick(self, payload):
        _observe(BARE_SEEN, [time.time() - payload["sent"]])


class TimedFinance(FinanceService):
    """Finance's real clock subscription (batched: inbox claims + database writes of a batch in
    one transaction, shared.platform.subscribe), timed."""

    @batched_handler("clock_set")
    def on_clock_set(self, events):
        super().on_clock_set(events)
        now = time.time()
        _observe(RELIABLE_SEEN, [now - event.occurred_at.timestamp() for event in events])


PRODUCERS = 0  # concurrent senders (set by --producers; 0 = one burst from one sender)


class ConsumerProcess:
    """The consuming service in its own process (--layout deployed): this script with
    ``--serve``. Its stdout is read here by a greenthread: ``ready`` once its container has
    started, then ``seen <latency>…`` for each delivery or batch, appended to ``seen``."""

    def __init__(self, kind: str, amqp_uri: str, seen: list[float], db_url: str = "") -> None:
        self.seen = seen
        self.ready = False
        self.ended = False
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind]
        command += ["--amqp-uri", amqp_uri] + (["--db-url", db_url] if db_url else [])
        command += ["--keys-dir", str(TEST_KEYS_DIR)]  # its import of shared.testing made others
        self.process = subprocess.Popen(command, bufsize=-1, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.reader = eventlet.spawn(self._read)

    def _read(self) -> None:
        try:
            for line in self.process.stdout:
                word, _, rest = line.decode().partition(" ")
                if word == "seen":
                    self.seen.extend(float(x) for x in rest.split())
                elif word.strip() == "ready":
                    self.ready = True
        finally:
            self.ended = True

    def check(self) -> None:
        if self.ended:
            raise RuntimeError(f"the consumer process ended (exit code {self.process.poll()})")

    def wait_ready(self) -> None:
        _wait(lambda: self.check() or self.ready, timeout=120)

    def stop(self) -> None:
        """Close its stdin (it stops its container and exits); terminate it if it does not."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.reader.wait()


def serve(kind: str, amqp_uri: str, db_url: str, keys_dir: str) -> int:
    """The consumer of --layout deployed (run by ConsumerProcess): start the container, say
    ``ready``, report what it sees (_observe) until stdin closes, then stop."""
    global SERVING
    SERVING = True
    # the benchmark's keys (the relay signs with its supervision key), not the fresh ones
    # shared.testing generated when this process imported it
    os.environ["GOVPROJ_KEYS_DIR"] = keys_dir
    if kind == "bare":
        container = ServiceContainer(BareConsumer, {"AMQP_URI": amqp_uri})
    else:
        container = ServiceContainer(TimedFinance, service_config("finance", amqp_uri, db_url))
    container.start()  # returns once its consumers are consuming

    def until_stdin_closes() -> None:
        while os.read(sys.stdin.fileno(), 4096):  # green (monkey-patched): waits cooperatively
            pass
        container.stop()

    eventlet.spawn(until_stdin_closes)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    container.wait()
    return 0


def measure(send, seen: list[float], n: int, paced: int, rate: float, check=lambda: None) -> Result:
    """Saturation: n sends from PRODUCERS concurrent greenthreads (throughput). Paced: ``paced``
    sends at ``rate``/s (latency of a pipeline that is not queueing behind itself). ``check``
    raises if the consumer cannot finish (its process ended)."""
    seen.clear()
    start = time.time()
    if PRODUCERS == 0:  # a burst: the sender never waits for the pipeline
        for i in range(n):
            send(i)
    else:
        for _ in eventlet.GreenPool(PRODUCERS).imap(send, range(n)):
            pass
    _wait(lambda: check() or len(seen) >= n)
    throughput = n / (time.time() - start)
    saturated = list(seen)
    seen.clear()
    for i in range(paced):
        send(i)
        eventlet.sleep(1 / rate)
    _wait(lambda: check() or len(seen) >= paced)
    return Result(throughput, saturated, list(seen))


def run_bare(amqp_uri: str, n: int, paced: int, rate: float, deployed: bool) -> Result:
    if not deployed:
        return _run_bare_one_process(amqp_uri, n, paced, rate)
    consumer = ConsumerProcess("bare", amqp_uri, BARE_SEEN)
    try:
        consumer.wait_ready()
        dispatch = event_dispatcher({"AMQP_URI": amqp_uri})  # pooled connections: green-safe
        dispatch("bench_source", "tick", {"sent": time.time()})  # declare and warm up
        _wait(lambda: consumer.check() or len(BARE_SEEN) == 1)
        return measure(
            lambda i: dispatch("bench_source", "tick", {"sent": time.time()}),
            BARE_SEEN,
            n,
            paced,
            rate,
            consumer.check,
        )
    finally:
        consumer.stop()


def _run_bare_one_process(amqp_uri: str, n: int, paced: int, rate: float) -> Result:
    container = ServiceContainer(BareConsumer, {"AMQP_URI": amqp_uri})
    container.start()
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri})  # pooled connections: green-safe
    dispatch("bench_source", "tick", {"sent": time.time()})  # declare and warm up
    _wait(lambda: len(BARE_SEEN) == 1)
    result = measure(
        lambda i: dispatch("bench_source", "tick", {"sent": time.time()}), BARE_SEEN, n, paced, rate
    )
    container.stop()
    return result


def run_reliable(
    amqp_uri: str, urls: dict[str, str], n: int, paced: int, rate: float, deployed: bool
) -> Result:
    if not deployed:
        return _run_reliable_one_process(amqp_uri, urls, n, paced, rate)
    # the producing service's side: its command transactions and its relay, in this process
    relay, producer = _producer(amqp_uri, urls)
    consumer = ConsumerProcess("reliable", amqp_uri, RELIABLE_SEEN, urls["finance"])
    relay_thread = None
    try:
        consumer.wait_ready()
        relay_thread = eventlet.spawn(relay.run)
        command = _clock_command(producer)
        command(0)
        _wait(lambda: consumer.check() or len(RELIABLE_SEEN) == 1)
        result = measure(command, RELIABLE_SEEN, n, paced, rate, consumer.check)
        # every event handled once, through the inbox (the consumer has seen all of them)
        finance_engine = create_engine_for(urls["finance"])
        inbox = TimedFinance.db.tables.processed_messages
        with finance_engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(inbox)) == n + paced + 1
        finance_engine.dispose()
        return result
    finally:
        consumer.stop()
        if relay_thread is not None:
            relay.stop()
            relay_thread.wait()


def _producer(amqp_uri: str, urls: dict[str, str]) -> tuple[RelayLoop, Store]:
    """Supervision's command transactions and its relay (events signed with supervision's key,
    which finance trusts: the tests' keys, shared.testing)."""
    engine = create_engine_for(urls["supervision"])
    relay = RelayLoop(
        OutboxRelay(
            engine, supervision_tables, amqp_uri, signing_key=load_signing_key(TEST_KEYS_DIR, "supervision")
        )
    )
    return relay, Store(engine, supervision_tables, on_published=relay.wake)


def _clock_command(producer: Store):
    def command(i: int) -> None:
        with producer.transaction() as tx:
            tx.emit(
                "clock_set",
                {"today": date(2030, 1, 1) + timedelta(days=i % 300), "set_by": "bench"},
                project_code=None,
                regulation_version=None,
                articles=[],
            )

    return command


def _run_reliable_one_process(amqp_uri: str, urls: dict[str, str], n: int, paced: int, rate: float) -> Result:
    relay, producer = _producer(amqp_uri, urls)
    finance = ServiceContainer(TimedFinance, service_config("finance", amqp_uri, urls["finance"]))
    finance.start()
    relay_thread = eventlet.spawn(relay.run)
    finance_engine = create_engine_for(urls["finance"])
    inbox = TimedFinance.db.tables.processed_messages
    command = _clock_command(producer)
    command(0)
    _wait(lambda: len(RELIABLE_SEEN) == 1)
    result = measure(command, RELIABLE_SEEN, n, paced, rate)
    with finance_engine.connect() as conn:  # every event handled once, through the inbox
        assert conn.scalar(select(func.count()).select_from(inbox)) == n + paced + 1
    finance.stop()
    relay.stop()
    relay_thread.wait()
    return result


def run_broker(amqp_uri: str, n: int, size: int = 1500, batch: int = 200) -> float:
    """Messages/s through a quorum queue: durable, mandatory, confirms streamed per batch (as
    the outbox relay publishes), consumed and acked by one consumer."""
    from amqp import Message
    from kombu import Connection

    queue, body = f"bench-broker-{uuid.uuid4().hex[:6]}", b"x" * size
    received = [0]
    with Connection(amqp_uri) as pub, Connection(amqp_uri) as sub:
        channel = pub.channel()
        channel.queue_declare(queue, durable=True, auto_delete=False, arguments={"x-queue-type": "quorum"})
        channel.confirm_select()
        pending: set[int] = set()

        def on_ack(tag: int, multiple: bool) -> None:
            if multiple:
                pending.difference_update([t for t in pending if t <= tag])
            else:
                pending.discard(tag)

        channel.events["basic_ack"].add(on_ack)
        consumer = sub.channel()
        consumer.basic_qos(0, 200, False)

        def on_message(message) -> None:
            consumer.basic_ack(message.delivery_tag)
            received[0] += 1

        consumer.basic_consume(queue, callback=on_message)
        stop = [False]

        def drain() -> None:
            while not stop[0]:
                try:
                    sub.drain_events(timeout=0.2)
                except TimeoutError:
                    pass

        draining = eventlet.spawn(drain)
        start, tag = time.time(), 0
        while tag < n:
            for _ in range(min(batch, n - tag)):
                tag += 1
                pending.add(tag)
                channel.basic_publish(
                    Message(body, delivery_mode=2), exchange="", routing_key=queue, mandatory=True
                )
            while pending:
                pub.drain_events(timeout=10)
        _wait(lambda: received[0] >= n)
        rate = n / (time.time() - start)
        stop[0] = True
        draining.wait()
        channel.queue_delete(queue)
    return rate


def _wait(predicate, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise TimeoutError("benchmark did not finish")
        eventlet.sleep(0.01)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--paced", type=int, default=300, help="events in the latency pass")
    parser.add_argument("--rate", type=float, default=100, help="events/s in the latency pass")
    parser.add_argument(
        "--layout",
        choices=["deployed", "one-process"],
        default="deployed",
        help="deployed: the consuming service in its own process, as deployed; one-process: "
        "everything in this process (the figures measured before this option)",
    )
    parser.add_argument("--serve", choices=["bare", "reliable"], help=argparse.SUPPRESS)
    parser.add_argument("--amqp-uri", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--keys-dir", help=argparse.SUPPRESS)
    parser.add_argument(
        "--producers",
        type=int,
        default=0,
        help="0: one sender bursts all events; N: N concurrent senders, each "
        "waiting for its command (10 = a service's workers)",
    )
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.amqp_uri, args.db_url, args.keys_dir)
    deployed = args.layout == "deployed"
    global PRODUCERS
    PRODUCERS = args.producers
    infra = _from_environment()
    if infra is None:
        print(
            "needs RabbitMQ (with management API) and PostgreSQL on 127.0.0.1, or GOVPROJ_TEST_* variables",
            file=sys.stderr,
        )
        return 2
    admin = RabbitAdmin(infra.rabbit_api)
    vhost = f"govproj-bench-{uuid.uuid4().hex[:8]}"
    admin.create_vhost(vhost)
    base = urlsplit(infra.amqp_uri)
    amqp_uri = f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    declare_topology(amqp_uri)  # as `govproj topology` does: services only check it exists
    pg = PostgresDatabases(infra.pg_uri)
    tmp = Path(tempfile.mkdtemp(prefix="govproj-bench-"))
    try:
        from shared.persistence.migrations import upgrade

        urls = {}
        for service in ("supervision", "finance"):
            urls[service] = (
                f"sqlite:///{tmp / service}.db"
                if args.db == "sqlite"
                else pg.create(f"bench_{uuid.uuid4().hex[:6]}_{service}")
            )
            upgrade(service, urls[service])
        broker = run_broker(amqp_uri, args.events)
        bare = run_bare(amqp_uri, args.events, args.paced, args.rate, deployed)
        reliable = run_reliable(amqp_uri, urls, args.events, args.paced, args.rate, deployed)
    finally:
        admin.delete_vhost(vhost)
        pg.drop_all()
    senders = f"{PRODUCERS} concurrent senders" if PRODUCERS else "a burst from one sender"
    print(
        f"events: {args.events} from {senders}, then {args.paced} at {args.rate:.0f}/s; "
        f"database: {args.db}; layout: {args.layout}"
    )
    print(
        f"{'pipeline':10} {'events/s':>9} | {'paced p50':>9} {'p99 ms':>7} | "
        f"{'saturated p50':>13} {'p99 ms':>7} | consumer"
    )
    where = "own process" if deployed else "this process"
    for name, r in (("bare", bare), ("reliable", reliable)):
        print(
            f"{name:10} {r.throughput:9.0f} | {pct(r.paced, 50):9.1f} {pct(r.paced, 99):7.1f} | "
            f"{pct(r.saturated, 50):13.1f} {pct(r.saturated, 99):7.1f} | {where}"
        )
    print(f"{'broker':10} {broker:9.0f} | {'':9} {'':7} | {'':13} {'':7} | this process")
    ratio = reliable.throughput / bare.throughput
    vs_broker = reliable.throughput / broker
    print(f"ratio reliable/bare: {ratio:.2f}  (goal ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(
        f"ratio reliable/broker: {vs_broker:.2f}  (goal ≥ 0.25: {'met' if vs_broker >= 0.25 else 'NOT met'})"
    )
    config = (
        f"{args.db}_{PRODUCERS}_producers"
        if PRODUCERS
        else "sqlite_burst"
        if args.db == "sqlite"
        else args.db
    )
    broker_name = f"pipeline_vs_broker_{args.db}" + (f"_{PRODUCERS}_producers" if PRODUCERS else "")
    print("BENCH " + json.dumps({f"pipeline_{config}": round(ratio, 3), broker_name: round(vs_broker, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
