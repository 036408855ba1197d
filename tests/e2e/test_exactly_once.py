"""Exactly once through faults (issue 12): every write the gateway sends carries a request id, the
owning service acts once per id, and an answer lost in transit is said so (202 + the id), so a
client's answers and the stores' effects agree.

The fault test counts EFFECTS (rows in the services' stores, finance's ledger entries, the audit
ledger's timeline steps) against ANSWERS, per request: nothing lost, nothing twice, nothing behind
an answer that said it failed.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from datetime import date
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import create_engine, text

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370500-001"
ITEM = "SDZW-ONCE-01"
RETRIES = 4  # a client that retries a 503 (nothing was done) with the same Idempotency-Key


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("once"), RPC_TIMEOUT="4") as running:
        running.plan_in_force(ITEM)
        yield running


def paying_project(stack) -> str:
    code = stack.approved(UNIT, ITEM, amount="900000.00")
    wait_for(
        lambda: (
            stack.http(
                "POST",
                f"/projects/{code}/budget",
                "finance",
                json={
                    "construction": {"total": "800000.00", "by_level": {"province": "800000.00"}},
                    "om": {"total": "0.00", "by_level": {}},
                },
            ).status_code
            == 201
        ),
        timeout=20,
        message="finance learned the approval",
    )
    r = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-ONCE",
            "supplier": "浪潮软件股份有限公司",
            "amount": "600000.00",
            "signed_on": date.today().isoformat(),
            "text_sha256": "0e" * 32,
            "products": [{"name": "数据库", "category": "base_software", "controllable": True}],
        },
    )
    assert r.status_code == 201, r.text
    return code


def rows(stack, service: str, sql: str, **params) -> list:
    engine = create_engine(stack.urls[service])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def outcome(stack, request_id: str, role: str, unit: str | None = None) -> dict:
    r = stack.http("GET", f"/requests/{request_id}", role, unit)
    assert r.status_code == 200, r.text
    return r.json()


def settled(stack, request_id: str, role: str = "unit", unit: str | None = UNIT) -> dict:
    """The outcome once every service answers and no request waits in a queue."""
    return wait_for(
        lambda: (o := outcome(stack, request_id, role, unit))["state"] != "unknown" and o,
        timeout=60,
        message=f"the outcome of {request_id}",
    )


# -- the lost answer, made on purpose --------------------------------------------------------


def test_a_write_whose_answer_is_lost_is_202_with_its_id_and_acts_once(stack):
    code = paying_project(stack)
    finance = stack.procs["finance"]
    os.kill(finance.pid, signal.SIGSTOP)  # delivered, but nobody answers in time
    try:
        r = stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            UNIT,
            json={"purpose": "construction", "amount": "10.00", "contract_no": "HT-ONCE"},
        )
    finally:
        os.kill(finance.pid, signal.SIGCONT)
    assert r.status_code == 202, r.text
    body = r.json()
    request_id = body["request_id"]
    assert r.headers["Idempotency-Key"] == request_id and body["state"] == "unknown"
    assert r.headers["Location"] == body["outcome"] == f"/api/v1/requests/{request_id}"
    assert body["message"] and body["message_zh"]

    done = wait_for(
        lambda: (o := outcome(stack, request_id, "unit", UNIT))["state"] == "succeeded" and o,
        timeout=30,
        message="the payment's outcome",
    )
    assert done["status"] == 201 and done["response"]["status"] == "paid"
    # the retry a client may make with the id it was given acts no more
    again = stack.http(
        "POST",
        f"/projects/{code}/disbursements",
        "unit",
        UNIT,
        headers={"Idempotency-Key": request_id},
        json={"purpose": "construction", "amount": "10.00", "contract_no": "HT-ONCE"},
    )
    assert again.status_code == 201 and again.json() == done["response"]
    paid = rows(
        stack, "finance", "SELECT id FROM disbursements WHERE project_code = :c AND status = 'paid'", c=code
    )
    assert len(paid) == 1
    # someone else's view of the same id: nothing (outcomes are the caller's own)
    assert outcome(stack, request_id, "unit", "U-370500-999")["state"] == "not_recorded"


def test_every_write_gets_a_request_id_and_refusals_are_outcomes(stack):
    r = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={
            "name": "结果可查",
            "kind": "construction",
            "level": "province",
            "budget": {"total": "100.00", "shares": {"province": "60.00"}},
        },
    )
    assert r.status_code == 422
    refused = outcome(stack, r.headers["Idempotency-Key"], "unit", UNIT)
    assert refused["state"] == "refused" and refused["status"] == 422
    assert refused["error"]["code"] == r.json()["error"]["code"]
    assert outcome(stack, "never-sent", "unit", UNIT)["state"] == "not_recorded"


def test_an_idempotency_key_is_never_cut(stack):
    body = {"name": "长键", "kind": "construction", "level": "province", "budget": {"total": "100.00"}}
    r = stack.http("POST", "/projects", "unit", UNIT, json=body, headers={"Idempotency-Key": "k" * 201})
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["error"]["details"]
    first = stack.http("POST", "/projects", "unit", UNIT, json=body, headers={"Idempotency-Key": "k" * 200})
    assert first.status_code == 201


def test_the_outcome_of_any_key_a_write_accepted_can_be_read(stack):
    """200 visible ASCII characters, "/", "?", "#" and "%" among them: the key names its outcome
    (percent-encoded in the path, as the 202's Location gives it)."""
    key = "a/b?c#d%2F" + "k" * 190
    r = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        headers={"Idempotency-Key": key},
        json={"name": "任意键", "kind": "construction", "level": "province", "budget": {"total": "100.00"}},
    )
    assert r.status_code == 201 and r.headers["Idempotency-Key"] == key
    done = outcome(stack, quote(key, safe=""), "unit", UNIT)
    assert done["request_id"] == key and done["state"] == "succeeded", done
    assert done["response"]["code"] == r.json()["code"]


# -- faults under a bounded load ----------------------------------------------------------------


class Faults(threading.Thread):
    """While the load runs: closes every broker connection of the vhost, and kills -9 and
    restarts services, one fault every ``every`` seconds, each once."""

    def __init__(self, stack, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.stack, self.every = stack, every
        self.log: list[str] = []

    def close_connections(self) -> None:
        admin = self.stack.admin
        vhost = quote(self.stack.vhost, safe="")
        for conn in admin._call("GET", f"/vhosts/{vhost}/connections").json():
            requests.delete(
                f"{admin.base}/connections/{quote(conn['name'], safe='')}",
                auth=admin.auth,
                timeout=10,
                headers={"X-Reason": "fault test"},
            )
        self.log.append("closed connections")

    def kill(self, service: str) -> None:
        proc = self.stack.procs.pop(service)
        proc.kill()
        proc.wait(10)
        time.sleep(0.5)
        self.stack.start(service)
        self.log.append(f"killed and restarted {service}")

    def run(self) -> None:
        for fault in (
            self.close_connections,
            lambda: self.kill("finance"),
            self.close_connections,
            lambda: self.kill("planning"),
            self.close_connections,
        ):
            time.sleep(self.every)
            fault()


def client(stack, requests_to_make, answers, lock, with_key: bool, faults: Faults) -> None:
    """Send each request until the faults are over; on 503 (nothing was done) retry, as the
    status invites; never on 202."""
    for tag, method, path, body in requests_to_make:
        if not faults.is_alive():
            break
        key = f"{tag}-key" if with_key else None
        for _ in range(RETRIES):
            headers = {"Idempotency-Key": key} if key else {}
            try:
                r = stack.http(method, path, "unit", UNIT, json=body, headers=headers)
            except requests.RequestException as exc:
                answer = ("error", None, str(exc))
            else:
                answer = (r.status_code, r.headers.get("Idempotency-Key"), r.text[:300])
            if answer[0] != 503:
                break
            time.sleep(0.5)
        with lock:
            answers[tag] = answer
        time.sleep(0.02)


def test_no_effect_lost_doubled_or_behind_a_failure_under_faults(stack):
    code = paying_project(stack)
    draft = stack.http(
        "POST",
        "/projects",
        "unit",
        UNIT,
        json={"name": "文档项目", "kind": "construction", "level": "province", "budget": {"total": "100.00"}},
    ).json()["code"]
    work: list[list[tuple]] = [[], [], []]
    for i in range(300):  # bounded: at most 300 payments, 150 registrations, 150 versions
        work[i % 3].append(
            (
                f"pay{i}",
                "POST",
                f"/projects/{code}/disbursements",
                {"purpose": "construction", "amount": f"{1 + i / 100:.2f}", "contract_no": "HT-ONCE"},
            )
        )
        if i % 2 == 0:
            work[(i + 1) % 3].append(
                (
                    f"reg{i}",
                    "POST",
                    "/projects",
                    {
                        "name": f"故障注册-{i}",
                        "kind": "construction",
                        "level": "province",
                        "budget": {"total": "100.00"},
                    },
                )
            )
            work[(i + 2) % 3].append(
                (
                    f"doc{i}",
                    "PUT",
                    f"/projects/{draft}/documents/construction_plan",
                    {"title": f"版本-{i}", "sha256": f"{i:064x}"},
                )
            )
    answers: dict[str, tuple] = {}
    lock = threading.Lock()
    faults = Faults(stack)
    clients = [
        threading.Thread(target=client, args=(stack, w, answers, lock, n == 0, faults))
        for n, w in enumerate(work)
    ]
    faults.start()
    for c in clients:
        c.start()
    for c in clients:
        c.join(300)
    faults.join(60)
    assert len(faults.log) == 5, faults.log
    wait_for(stack.ready, timeout=60, interval=0.5, message="the stack back")

    # what each request did, by its answer: 2xx → done; 202 → its settled outcome; else → not
    expected: dict[str, bool] = {}
    for tag, (status, request_id, _text) in answers.items():
        if status in (200, 201):
            expected[tag] = True
        elif status == 202:
            expected[tag] = settled(stack, request_id)["state"] == "succeeded"
        else:
            expected[tag] = False
    assert len(answers) >= 30, answers
    assert not [a for a in answers.values() if a[0] == "error" or a[0] >= 500 and a[0] != 503]

    # effects, counted in the stores
    payments = Counter(
        r.amount_fen
        for r in rows(
            stack,
            "finance",
            "SELECT amount_fen FROM disbursements WHERE project_code = :c AND status = 'paid'",
            c=code,
        )
    )
    ledger = Counter(
        r.fen
        for r in rows(
            stack,
            "finance",
            "SELECT fen FROM ledger_entries WHERE project_code = :c AND kind = 'payment'",
            c=code,
        )
    )
    projects = Counter(
        r.name for r in rows(stack, "planning", "SELECT name FROM projects WHERE name LIKE '故障注册-%'")
    )
    versions = Counter(
        r.title
        for r in rows(stack, "planning", "SELECT title FROM documents WHERE project_code = :c", c=draft)
    )

    def effects(tag: str) -> list[int]:
        i = int(tag[3:])
        if tag.startswith("pay"):
            return [payments[100 + i], ledger[100 + i]]
        if tag.startswith("reg"):
            return [projects[f"故障注册-{i}"]]
        return [versions[f"版本-{i}"]]

    lost = [t for t, done in expected.items() if done and 0 in effects(t)]
    doubled = [t for t in expected if any(n > 1 for n in effects(t))]
    behind_failure = [t for t, done in expected.items() if not done and any(effects(t))]
    assert (lost, doubled, behind_failure) == ([], [], []), (answers, faults.log)

    # the timeline (the audit ledger) holds each paid request's step once
    def timeline() -> Counter:
        return Counter(
            json.loads(r.body)["payload"]["disbursement_id"]
            for r in rows(
                stack,
                "supervision",
                "SELECT body FROM audit_ledger WHERE project_code = :c AND "
                "event_type = 'disbursement_decided'",
                c=code,
            )
            if json.loads(r.body)["payload"]["status"] == "paid"
        )

    paid = sum(payments.values())
    steps = wait_for(
        lambda: (s := timeline()) and sum(s.values()) >= paid and s,
        timeout=60,
        message="the timeline caught up",
    )
    assert all(n == 1 for n in steps.values()) and sum(steps.values()) == paid
