"""``govproj simulate``: a province's projects driven through the whole lifecycle over the HTTP API.

N projects, C at a time, as the people who act on them would (each role's own token): the plan
approved (第五条); each project registered, its first submission refused for what is missing
(第七条), completed and submitted; reviewed in rounds (第八条, 第九条) — some returned for
revision and resubmitted, fixed-asset ones approved by the DRC too (第四条); the budget recorded
(第十一条), a contract filed (第十三条), a payment over the contract refused and one paid
(第十七条); some inspected, ordered to rectify, failing it and criticised (第三十四条); the
simulated clock moved on; completion (第二十三条), the five reports, the acceptance applied for and
decided by the approving body (第二十二条), go-live, and a year later the self-evaluation
(第二十四条). Then the dead-letter queues are read (they must be empty).

It prints throughput, p50/p99 per command, the event lag per hop (from a command's answer to the
moment the next agency shows its effect, polled every ``POLL`` seconds), dead letters and the
resident memory of each service process found on this machine (Linux ``/proc``). It needs the
suite started with ``GOVPROJ_CLOCK=simulated`` and development tokens (``JWT_MODE=development``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import requests

POLL = 0.05  # seconds between two reads while waiting for another agency
SWEEP = 0.5  # seconds between two reads of the register's list (its load is real)
# seconds another agency may take before the wait counts as an error: beyond the default retry
# ladder (1 + 5 + 30 + 120 s) of an event that overtook the one it follows
WAIT = 300.0
SUBMITTED = "planning → approval → planning: application_submitted (case open)"
RETURNED = "approval → planning: review_opinion_issued (returned)"
AWAITING_DRC = "approval → planning: review_opinion_issued (awaiting the DRC)"
APPROVED = "approval → planning: project_approved"
WENT_LIVE = "acceptance → planning: project_went_live"
PLAN_ITEMS = 500  # items per provincial plan (the plan schema's bound)
ROUND_SIZE = 500  # projects per review round (the round schema's bound)
FIVE = (
    "construction_summary",
    "financial_report",
    "audit_report",
    "security_risk_assessment",
    "crypto_application",
)
SERVICES = ("planning", "approval", "finance", "acceptance", "security", "supervision")


class Unexpected(Exception):
    """An answer the simulation did not expect: counted as an error, the project stops."""


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(eq=False)  # one object per project: a key of the sweeps' dicts
class Project:
    index: int
    unit: str
    item: str
    fixed_asset: bool  # the DRC approves it too (第四条); it is then the approving body
    revise: bool  # the first review returns it for revision (第八条)
    finding: bool  # an inspection finds a violation; criticised (第三十四条)
    code: str | None = None
    failed: str | None = None
    since: float = 0.0  # when its last command was answered (a hop's lag starts there)

    @property
    def approving_body(self) -> str:
        return "drc" if self.fixed_asset else "office"


@dataclass
class Stats:
    commands: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    hops: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refusals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def command(self, name: str, seconds: float) -> None:
        with self.lock:
            self.commands[name].append(seconds)

    def hop(self, name: str, seconds: float) -> None:
        with self.lock:
            self.hops[name].append(seconds)

    def refused(self, name: str) -> None:
        with self.lock:
            self.refusals[name] += 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Api:
    """The gateway, one HTTP session per thread, a development token per (role, unit)."""

    def __init__(self, base: str, secret: str, stats: Stats) -> None:
        self.base, self.secret, self.stats = base.rstrip("/"), secret, stats
        self.local = threading.local()
        self.tokens: dict[tuple[str, str | None], str] = {}

    def token(self, role: str, unit: str | None = None) -> str:
        from services.gateway.auth import development_token

        key = (role, unit)
        if key not in self.tokens:
            self.tokens[key] = development_token(self.secret, role, unit)
        return self.tokens[key]

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(
        self,
        name: str,
        method: str,
        path: str,
        role: str,
        unit: str | None = None,
        expect: Iterable[int] = (200, 201),
        **kwargs: Any,
    ) -> requests.Response:
        """One request, timed under ``name``; an answer not in ``expect`` is Unexpected."""
        started = time.perf_counter()
        response = self.session().request(
            method,
            self.base + path,
            timeout=60,
            **kwargs,
            headers={"Authorization": f"Bearer {self.token(role, unit)}"},
        )
        self.stats.command(name, time.perf_counter() - started)
        if response.status_code not in tuple(expect):
            raise Unexpected(f"{name} {path}: {response.status_code} {response.text[:300]}")
        return response

    def until(self, hop: str | None, since: float, ask: Callable[[], Any], what: str) -> Any:
        """Ask until ``ask`` gives a truthy answer: the time since ``since`` is the hop's lag
        (``hop`` None: a wait, not a measure)."""
        deadline = time.monotonic() + WAIT
        while True:
            answer = ask()
            if answer:
                if hop:
                    self.stats.hop(hop, time.perf_counter() - since)
                return answer
            if time.monotonic() > deadline:
                raise Unexpected(f"waited {WAIT:g} s for {what}")
            time.sleep(POLL)


class Simulation:
    def __init__(
        self,
        api: Api,
        projects: int,
        concurrency: int,
        seed: int,
        start: date,
        progress: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.api, self.n, self.c, self.start = api, projects, concurrency, start
        self.rng = random.Random(seed)
        self.progress = progress
        self.today = start
        self.projects = [
            Project(
                i,
                unit=f"U-3701{i % 100:02d}-{i // 100:03d}",
                item=f"SIM-{seed}-{i // PLAN_ITEMS:03d}-{i % PLAN_ITEMS:03d}",
                fixed_asset=self.rng.random() < 0.2 or i == 1,
                revise=self.rng.random() < 0.15 or i == 0,
                finding=self.rng.random() < 0.1 or i == 2,
            )
            for i in range(projects)
        ]  # a small run still has one of each (i = 0, 1, 2)
        self.sha = hashlib.sha256(f"simulation {seed}".encode()).hexdigest()

    # -- the flow, phase by phase (the simulated clock moves between phases) --------------------
    STEPS = 6  # the calls of each() in run(): the progress bar's total is STEPS × projects

    def run(self) -> None:
        self.set_clock(self.start, force=True)
        self.plans()
        self.each(self.apply)
        self.sweep({p: {"under_review": SUBMITTED} for p in self.live()})
        first = self.live()
        self.review(first, revise=True)
        self.sweep(
            {
                p: {"returned": RETURNED, "awaiting_approval": AWAITING_DRC, "approved": APPROVED}
                for p in first
                if not p.failed
            }
        )
        returned = [p for p in first if p.revise and not p.failed]
        self.each(lambda p: self.resubmit(p) if p in returned else None)
        self.sweep({p: {"under_review": SUBMITTED} for p in returned if not p.failed})
        self.review([p for p in returned if not p.failed], revise=False)
        self.sweep(
            {p: {"awaiting_approval": AWAITING_DRC, "approved": APPROVED} for p in returned if not p.failed}
        )
        self.each(lambda p: self.drc(p) if p.fixed_asset else None)
        self.sweep({p: {"approved": APPROVED} for p in self.live() if p.fixed_asset})
        self.each(self.money)
        self.set_clock(add_months(self.start, 5))
        self.each(self.acceptance)
        self.sweep({p: {"in_operation": WENT_LIVE} for p in self.live()})
        self.set_clock(add_months(self.today, 12))
        self.each(self.self_evaluate)

    def live(self) -> list[Project]:
        return [p for p in self.projects if not p.failed]

    def each(self, step: Callable[[Project], None]) -> None:
        def guarded(project: Project) -> None:
            try:
                step(project)
            except Unexpected as exc:
                self.fail(project, str(exc))
            except requests.RequestException as exc:
                self.fail(project, repr(exc))
            finally:
                self.progress(1)

        live = self.live()
        self.progress(len(self.projects) - len(live))  # a failed project's step is skipped
        with ThreadPoolExecutor(self.c) as pool:
            list(pool.map(guarded, live))

    def fail(self, project: Project, why: str) -> None:
        project.failed = why
        self.api.stats.error(f"{project.code or project.index}: {why}")

    def statuses(self) -> dict[str, str]:
        """Every project's status from the register's list, in keyset pages of 200 (``after``:
        each page one index range, not counted again — an offset page read and counted every
        project before it, so a sweep grew with the square of the province)."""
        out: dict[str, str] = {}
        params: dict[str, object] = {"limit": 200}
        while True:
            page = self.api.call("GET /projects", "GET", "/projects", "office", params=params).json()
            out.update({item["code"]: item["status"] for item in page["items"]})
            if not page.get("next"):
                return out
            params = {"limit": 200, "after": page["next"]}

    def sweep(self, waiting: dict[Project, dict[str, str]]) -> None:
        """Until each project shows one of the statuses it waits for (status → hop): the hop's
        lag is the time from the project's last command (``since``) to the read that saw it."""
        deadline = time.monotonic() + WAIT
        while waiting:
            statuses = self.statuses()
            seen = time.perf_counter()
            for p, wanted in list(waiting.items()):
                hop = wanted.get(statuses.get(p.code or "", ""))
                if hop:
                    self.api.stats.hop(hop, seen - p.since)
                    del waiting[p]
            if waiting and time.monotonic() > deadline:
                for p, wanted in waiting.items():
                    self.fail(
                        p,
                        f"waited {WAIT:g} s for {' or '.join(wanted)} (status {statuses.get(p.code or '')})",
                    )
                return
            if waiting:
                time.sleep(SWEEP)

    def set_clock(self, day: date, force: bool = False) -> None:
        self.api.call(
            "POST /admin/clock",
            "POST",
            "/admin/clock",
            "operator",
            json={"today": day.isoformat(), "force": force},
        )
        self.today = day

    def plans(self) -> None:
        """第五条: the office drafts the provincial plan(s), the provincial government approves."""
        items = sorted({p.item for p in self.projects})
        for start in range(0, len(items), PLAN_ITEMS):
            chunk = items[start : start + PLAN_ITEMS]
            plan = self.api.call(
                "POST /plans",
                "POST",
                "/plans",
                "office",
                json={
                    "title": "山东省政务信息系统建设规划（模拟）",
                    "start_year": self.start.year - 1,
                    "end_year": self.start.year + 5,
                    "items": [{"code": c, "title": c} for c in chunk],
                },
            ).json()["id"]
            self.api.call("POST /plans/{id}/approval", "POST", f"/plans/{plan}/approval", "group")

    def document(self, p: Project, doc: str) -> None:
        self.api.call(
            "PUT /projects/{code}/documents/{type}",
            "PUT",
            f"/projects/{p.code}/documents/{doc}",
            "unit",
            p.unit,
            json={"title": doc, "sha256": self.sha},
        )

    def submit(self, p: Project) -> None:
        self.api.call(
            "POST /projects/{code}/submission", "POST", f"/projects/{p.code}/submission", "unit", p.unit
        )
        p.since = time.perf_counter()

    def apply(self, p: Project) -> None:
        """第七条: registered, refused for what is missing, completed, submitted."""
        p.code = self.api.call(
            "POST /projects",
            "POST",
            "/projects",
            "unit",
            p.unit,
            json={
                "name": f"模拟项目 {p.index}",
                "kind": "construction",
                "level": "province",
                "plan_item": p.item,
                "fixed_asset_investment": p.fixed_asset,
                "budget": {"total": "1000000.00"},
            },
        ).json()["code"]
        refused = self.api.call(
            "POST /projects/{code}/submission",
            "POST",
            f"/projects/{p.code}/submission",
            "unit",
            p.unit,
            expect=(422,),
        )
        if "第七条" not in refused.json()["error"]["articles"]:
            raise Unexpected(f"the refusal cites {refused.json()['error']['articles']}")
        self.api.stats.refused("submission before the documents (第七条)")
        for doc in ("construction_plan", "investment_budget"):
            self.document(p, doc)
        self.api.call(
            "PUT /projects/{code}/catalog",
            "PUT",
            f"/projects/{p.code}/catalog",
            "unit",
            p.unit,
            json={
                "resources": [
                    {
                        "name": "基础数据",
                        "source": "本系统",
                        "format": "JSON",
                        "update_frequency": "每日",
                        "sharing_type": "unconditional",
                        "open_type": "none",
                    }
                ]
            },
        )
        self.submit(p)

    def review(self, projects: list[Project], revise: bool) -> None:
        """第八条, 第九条: rounds of opinions (the first returns some for revision)."""
        for start in range(0, len(projects), ROUND_SIZE):
            chunk = projects[start : start + ROUND_SIZE]
            round_id = self.api.call(
                "POST /review-rounds",
                "POST",
                "/review-rounds",
                "office",
                json={"title": "集中评审（模拟）", "projects": [p.code for p in chunk]},
            ).json()["id"]

            def opinion(p: Project, round_id: str = round_id) -> None:
                decision = "revise" if revise and p.revise else "approve"
                body = {
                    "project": p.code,
                    "decision": decision,
                    "necessity": "确有必要",
                    "feasibility": "技术可行",
                    **(
                        {"approved_amount": "1000000.00"}
                        if decision == "approve"
                        else {"comments": "补充建设内容"}
                    ),
                }
                self.api.call(
                    "POST /review-rounds/{id}/opinions",
                    "POST",
                    f"/review-rounds/{round_id}/opinions",
                    "office",
                    json=body,
                )

            with ThreadPoolExecutor(self.c) as pool:
                list(pool.map(opinion, chunk))
            self.api.call(
                "POST /review-rounds/{id}/closure", "POST", f"/review-rounds/{round_id}/closure", "office"
            )
            closed = time.perf_counter()
            for p in chunk:
                p.since = closed

    def resubmit(self, p: Project) -> None:
        """Returned for revision (第八条): the plan revised, the application submitted again."""
        self.document(p, "construction_plan")
        self.submit(p)

    def drc(self, p: Project) -> None:
        """第四条: a fixed-asset project is approved by the DRC too, after the opinion."""
        self.api.call(
            "POST /projects/{code}/drc-approval",
            "POST",
            f"/projects/{p.code}/drc-approval",
            "drc",
            json={
                "decision": "approve",
                "approved_investment": "1000000.00",
                "document_no": f"鲁发改投资〔{self.today.year}〕{p.index}号",
            },
        )
        p.since = time.perf_counter()

    def money(self, p: Project) -> None:
        """第十一条 budget, 第十三条 contract, 第十七条 a payment refused then one paid; a
        finding for some, its rectification failed, criticised (第三十四条)."""
        # finance heard of the approval long ago (its lag is not measured here): recorded
        # when it accepts the budget
        self.api.until(
            None,
            time.perf_counter(),
            lambda: (
                self.api.call(
                    "POST /projects/{code}/budget",
                    "POST",
                    f"/projects/{p.code}/budget",
                    "finance",
                    expect=(201, 404, 409, 422),
                    json={
                        # its O&M money comes after acceptance (第十一条, 第二十三条)
                        "construction": {"total": "900000.00", "by_level": {"province": "900000.00"}},
                    },
                ).status_code
                == 201
            ),
            "the budget",
        )
        contract = f"HT-{p.index}"
        self.api.call(
            "POST /projects/{code}/contracts",
            "POST",
            f"/projects/{p.code}/contracts",
            "unit",
            p.unit,
            json={
                "contract_no": contract,
                "supplier": "浪潮软件",
                "amount": "400000.00",
                "signed_on": self.today.isoformat(),
                "text_sha256": hashlib.sha256(contract.encode()).hexdigest(),
            },
        )
        over = self.api.call(
            "POST /projects/{code}/disbursements",
            "POST",
            f"/projects/{p.code}/disbursements",
            "unit",
            p.unit,
            json={"purpose": "construction", "amount": "500000.00", "contract_no": contract},
        ).json()
        if over["status"] != "refused" or "within_contract" not in [g["gate"] for g in over["failed_gates"]]:
            raise Unexpected(f"a payment over the contract was not refused: {over}")
        self.api.stats.refused("payment over the contract (第十三条, 第十七条)")
        paid = self.api.call(
            "POST /projects/{code}/disbursements",
            "POST",
            f"/projects/{p.code}/disbursements",
            "unit",
            p.unit,
            json={"purpose": "construction", "amount": "100000.00", "contract_no": contract},
        ).json()
        if paid["status"] != "paid":
            raise Unexpected(f"the payment was refused: {paid.get('failed_gates')}")
        if p.finding:
            self.sanction(p)

    def sanction(self, p: Project) -> None:
        [finding] = self.api.call(
            "POST /inspections",
            "POST",
            "/inspections",
            "office",
            json={"project": p.code, "findings": [{"articles": [17], "description": "擅自扩大建设规模"}]},
        ).json()
        fid = finding["id"]
        self.api.call(
            "POST /findings/{id}/rectification-order",
            "POST",
            f"/findings/{fid}/rectification-order",
            "office",
            json={"deadline": add_months(self.today, 1).isoformat()},
        )
        self.api.call(
            "POST /findings/{id}/rectification-report",
            "POST",
            f"/findings/{fid}/rectification-report",
            "unit",
            p.unit,
            json={"report": "已整改"},
        )
        self.api.call(
            "POST /findings/{id}/verification",
            "POST",
            f"/findings/{fid}/verification",
            "office",
            json={"resolved": False},
        )
        self.api.call(
            "POST /sanctions",
            "POST",
            "/sanctions",
            "office",
            json={"project": p.code, "type": "criticism", "finding": fid, "reason": "整改不到位"},
        )

    def acceptance(self, p: Project) -> None:
        """第二十三条 completion and the five reports, 第二十二条 the approving body's decision,
        第二十四条 go-live with the unit's O&M management rules on file (第十五条)."""
        self.api.call(
            "POST /projects/{code}/completion",
            "POST",
            f"/projects/{p.code}/completion",
            "unit",
            p.unit,
            json={"completed_on": self.today.isoformat()},
        )
        for doc in ("om_management_rules", *FIVE):  # 第十五条: O&M rules before going live
            self.document(p, doc)
        since = time.perf_counter()
        self.api.until(
            "planning → acceptance: document_filed (archive complete)",
            since,
            lambda: self.api.call(
                "GET /projects/{code}/archive", "GET", f"/projects/{p.code}/archive", "unit", p.unit
            ).json()["complete_for_acceptance"],
            "the archive",
        )
        self.api.call(
            "POST /projects/{code}/acceptance-application",
            "POST",
            f"/projects/{p.code}/acceptance-application",
            "unit",
            p.unit,
        )
        self.api.call(
            "POST /projects/{code}/acceptance-decision",
            "POST",
            f"/projects/{p.code}/acceptance-decision",
            p.approving_body,
            json={
                "passed": True,
                "report_document": "验收报告.pdf",
                "items": {"catalog_registered": True, "products_controllable": True},
            },
        )
        self.api.call(
            "POST /projects/{code}/go-live",
            "POST",
            f"/projects/{p.code}/go-live",
            "unit",
            p.unit,
            json={"live_on": self.today.isoformat()},
        )
        p.since = time.perf_counter()

    def self_evaluate(self, p: Project) -> None:
        self.api.call(
            "POST /projects/{code}/self-evaluation",
            "POST",
            f"/projects/{p.code}/self-evaluation",
            "unit",
            p.unit,
            json={"report_document": "自评价报告.pdf"},
        )


# -- what the broker and the machine say ------------------------------------------------------
def broker_queues(rabbit_api: str, vhost: str) -> list[dict]:
    parts = urllib.parse.urlsplit(rabbit_api)
    auth = (urllib.parse.unquote(parts.username or "guest"), urllib.parse.unquote(parts.password or "guest"))
    netloc = (parts.hostname or "127.0.0.1") + (f":{parts.port}" if parts.port else "")
    base = f"{parts.scheme}://{netloc}{parts.path}".rstrip("/")
    response = requests.get(
        f"{base}/queues/{urllib.parse.quote(vhost, safe='')}",
        auth=auth,
        timeout=10,
        params={"columns": "name,messages"},
    )
    response.raise_for_status()
    return response.json()


def dead_letters(rabbit_api: str, vhost: str, settle: float = 30.0) -> tuple[int, int]:
    """(dead letters, messages still waiting in delay queues for a retry), once no retry is
    pending or ``settle`` seconds passed: a retry in flight may yet be dead-lettered."""
    deadline = time.monotonic() + settle
    while True:
        queues = broker_queues(rabbit_api, vhost)
        dead = sum(q.get("messages") or 0 for q in queues if q["name"].startswith("govproj.dlq."))
        retrying = sum(q.get("messages") or 0 for q in queues if q["name"].startswith("govproj.delay."))
        if not retrying or time.monotonic() > deadline:
            return dead, retrying
        time.sleep(1)


def service_processes(api: str) -> dict[str, list[int]]:
    """The suite's processes on this machine → resident KiB each: those started for this
    gateway's address (GATEWAY_BIND in their environment), else every govproj process."""
    from shared.config import EXTRA_PROCESSES  # supervision's audit trail runs apart

    bind = urllib.parse.urlsplit(api).netloc
    found: dict[str, list[int]] = defaultdict(list)
    fallback: dict[str, list[int]] = defaultdict(list)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            name = next((p for p, (_, cls) in EXTRA_PROCESSES.items() if cls.split(":")[0] in cmd), None)
            name = name or next(
                (s for s in SERVICES if f"services.{s}." in cmd or f"services/{s}/" in cmd), None
            )
            if name is None and "gunicorn" in cmd and "services.gateway" in cmd:
                name = "gateway"
            if name is None:
                continue
            env = (proc / "environ").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        (found if f"GATEWAY_BIND={bind}".encode() in env else fallback)[name].append(rss)
    return dict(found or fallback)


class RssSampler:
    """Every ``every`` seconds while the simulation runs, the resident memory of each service
    process (``service_processes``): the largest seen per service, and a trend — one sample
    per tenth of the run's steps — so memory that grows with N shows. ``log``: each sample also
    written there as one line (to watch a long run)."""

    def __init__(self, api: str, every: float = 5.0, log: TextIO | None = None) -> None:
        self.api, self.every, self.log = api, every, log
        self.steps, self.total = 0, 1  # the progress bar's count, advanced by the simulation
        self.started = time.perf_counter()
        self.peak: dict[str, list[int]] = {}  # service → the largest KiB seen per process slot
        self.trend: list[dict] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="rss-sampler", daemon=True)

    def advance(self, n: int) -> None:
        self.steps += n

    def __enter__(self) -> RssSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.sample()  # the end, whatever the interval

    def loop(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()

    def sample(self) -> dict[str, list[int]]:
        now = service_processes(self.api)
        for name, kib in now.items():  # per process slot, largest first
            ranked, old = sorted(kib, reverse=True), self.peak.get(name, [])
            self.peak[name] = [max(pair) for pair in itertools.zip_longest(ranked, old, fillvalue=0)]
        point = {
            "seconds": round(time.perf_counter() - self.started, 1),
            "progress": round(self.steps / self.total, 3),
            "rss_mb": {k: round(max(v) / 1024, 1) for k, v in sorted(now.items())},
        }
        if not self.trend or point["progress"] >= self.trend[-1]["progress"] + 0.1 or self.stop.is_set():
            self.trend.append(point)
        if self.log is not None:
            self.log.write(json.dumps({"rss": point}, ensure_ascii=False) + "\n")
            self.log.flush()
        return now


def report(
    stats: Stats,
    projects: int,
    done: int,
    seconds: float,
    dead: int | None,
    retrying: int | None,
    rss: dict[str, list[int]],
    rss_trend: list[dict] | None = None,
) -> dict:
    return {
        "projects": projects,
        "completed": done,
        "seconds": round(seconds, 1),
        "projects_per_minute": round(done / seconds * 60, 1) if seconds else 0,
        "requests": sum(len(v) for v in stats.commands.values()),
        "requests_per_second": round(sum(len(v) for v in stats.commands.values()) / seconds, 1)
        if seconds
        else 0,
        "commands": {
            name: {
                "n": len(v),
                "p50_ms": round(statistics.median(v) * 1000, 1),
                "p99_ms": round(percentile(v, 0.99) * 1000, 1),
            }
            for name, v in sorted(stats.commands.items())
        },
        "event_lag": {
            name: {
                "n": len(v),
                "p50_ms": round(statistics.median(v) * 1000, 1),
                "p99_ms": round(percentile(v, 0.99) * 1000, 1),
            }
            for name, v in sorted(stats.hops.items())
        },
        "refusals": dict(stats.refusals),
        "errors": len(stats.errors),
        "error_samples": stats.errors[:10],
        "dead_letters": dead,
        "retrying": retrying,
        "rss_mb": {
            name: {"max": round(max(v) / 1024, 1), "processes": len(v)} for name, v in sorted(rss.items())
        },
        "rss_trend": rss_trend or [],
    }


def print_report(result: dict, out: TextIO) -> None:
    w = out.write
    w(
        f"\n{result['completed']}/{result['projects']} projects through the whole lifecycle in "
        f"{result['seconds']} s: {result['projects_per_minute']} projects/min, "
        f"{result['requests']} requests ({result['requests_per_second']}/s)\n"
    )
    w(f"{'command':58} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}\n")
    for name, s in result["commands"].items():
        w(f"{name:58} {s['n']:>6} {s['p50_ms']:>8} {s['p99_ms']:>8}\n")
    w(f"\n{'event lag per hop (answer → next agency shows it)':76} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}\n")
    for name, s in result["event_lag"].items():
        w(f"{name:76} {s['n']:>6} {s['p50_ms']:>8} {s['p99_ms']:>8}\n")
    w(
        "\nexpected refusals / 预期的拒绝: "
        + ", ".join(f"{k}: {v}" for k, v in result["refusals"].items())
        + "\n"
    )
    w(f"errors / 错误: {result['errors']}\n")
    for sample in result["error_samples"]:
        w(f"  {sample}\n")
    w(
        f"dead letters / 死信: {result['dead_letters']}"
        + (f" (still retrying: {result['retrying']})" if result["retrying"] else "")
        + "\n"
    )
    w(
        "largest RSS per service / 各服务最大内存: "
        + ", ".join(
            f"{k} {v['max']} MB" + (f" (×{v['processes']})" if v["processes"] > 1 else "")
            for k, v in result["rss_mb"].items()
        )
        + "\n"
    )
    if len(result.get("rss_trend", [])) > 1:
        w("RSS trend (MB, sampled every few seconds) / 内存走势:\n")
        for point in result["rss_trend"]:
            w(
                f"  {point['progress']:>6.0%} {point['seconds']:>8} s  "
                + ", ".join(f"{k} {v}" for k, v in point["rss_mb"].items())
                + "\n"
            )


def cmd_simulate(args: argparse.Namespace) -> int:
    import sys

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from shared.config import load_config

    config = load_config("gateway")
    if config.get("JWT_MODE") != "development":
        print(
            "the simulation needs development tokens (JWT_MODE=development) / 模拟需要开发环境令牌",
            file=sys.stderr,
        )
        return 2
    stats = Stats()
    api = Api(args.api, config["JWT_DEV_SECRET"], stats)
    vhost = args.vhost or urllib.parse.unquote(
        urllib.parse.urlsplit(os.environ.get("AMQP_URI", "amqp://localhost/")).path[1:] or "/"
    )
    started = time.perf_counter()
    sampler = RssSampler(args.api, args.rss_every, sys.stderr if args.rss_log else None)
    sampler.total = args.projects * Simulation.STEPS
    with (
        sampler,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=args.quiet,
            transient=False,
        ) as bar,
    ):
        task = bar.add_task("simulating / 模拟中", total=sampler.total)

        def advance(n: int) -> None:
            bar.advance(task, n)
            sampler.advance(n)

        sim = Simulation(
            api, args.projects, args.concurrency, args.seed, date.fromisoformat(args.start), progress=advance
        )
        try:
            sim.run()
        except Unexpected as exc:  # a step of the whole province (the clock, a round)
            stats.error(f"province: {exc}")
        seconds = time.perf_counter() - started
    done = len(sim.live()) if not any(e.startswith("province:") for e in stats.errors) else 0
    try:
        dead, retrying = dead_letters(args.rabbit_api, vhost)
    except requests.RequestException as exc:
        print(f"dead letters not read: {exc}", file=sys.stderr)
        dead, retrying = None, None
    result = report(stats, args.projects, done, seconds, dead, retrying, sampler.peak, sampler.trend)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_report(result, sys.stdout)
    return 0 if result["errors"] == 0 and dead == 0 else 1


def add_parser(sub: Any) -> None:
    sim = sub.add_parser(
        "simulate", help="drive N projects through the whole lifecycle over the API and report / 全流程模拟"
    )
    sim.add_argument("--projects", type=int, default=20, help="how many projects / 项目数")
    sim.add_argument("--concurrency", type=int, default=6, help="projects driven at once / 并发")
    sim.add_argument(
        "--seed",
        type=int,
        default=1,
        help="which projects get returned, DRC approval or a finding / 随机种子",
    )
    sim.add_argument("--start", default="2027-01-04", help="the simulated first day")
    sim.add_argument("--api", default=os.environ.get("GOVPROJ_API", "http://127.0.0.1:8080/api/v1"))
    sim.add_argument(
        "--rabbit-api",
        default=os.environ.get("GOVPROJ_RABBIT_API", "http://guest:guest@127.0.0.1:15672/api"),
        help="the broker's management API, to count dead letters",
    )
    sim.add_argument("--vhost", help="the suite's vhost (default: AMQP_URI's)")
    sim.add_argument("--json", action="store_true", help="the report as one JSON object")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.add_argument(
        "--rss-every", type=float, default=5.0, help="seconds between two samples of the services' memory"
    )
    sim.add_argument("--rss-log", action="store_true", help="each memory sample as a JSON line on stderr")
    sim.set_defaults(func=cmd_simulate)
