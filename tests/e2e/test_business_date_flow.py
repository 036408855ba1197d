"""Every record shows the business date it happened on (issue 18): with the suite on a simulated
clock, the README's whole-project block runs on a simulated day and the timeline, the audit
trail, the deadline ledger and finance's ledger show that day beside the (real) recorded time;
an act on the next simulated day shows the next day — in every service that records it."""

import re
import subprocess
from datetime import date

import pytest
import requests

from services.console.app import TOKEN_COOKIE
from shared.cli import REPO_ROOT
from shared.testing import running_stack

pytestmark = pytest.mark.e2e

GOVPROJ = str(REPO_ROOT / ".venv" / "bin" / "govproj")
DAY, NEXT = "2027-03-01", "2027-03-02"  # a Monday and a Tuesday, far from the real date


def readme_block() -> str:
    section = (
        (REPO_ROOT / "README.md")
        .read_text(encoding="utf-8")
        .split("## A whole project from the command line", 1)[1]
    )
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_records_show_the_simulated_day_they_happened_on(infrastructure, tmp_path):
    block = readme_block()
    assert "today=$(TZ=Asia/Shanghai date +%F)" in block
    # the same block on a simulated day: the operator sets the clock, the dates are that day's
    block = block.replace(
        "today=$(TZ=Asia/Shanghai date +%F)",
        f"today={DAY}\nGOVPROJ_TOKEN=$($gp token --role operator) $gp clock set {DAY}",
    )
    with running_stack(infrastructure, tmp_path, GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30") as stack:
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp_path),
            **stack.env(),
            "GOVPROJ_API": stack.api,
        }
        done = subprocess.run(
            ["bash", "-e", "-c", block], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        [project] = stack.http("GET", "/projects", "office").json()["items"]
        code = project["code"]
        assert date.today().isoformat() != DAY

        # the next simulated day: one more payment asked for (after completion the sharing
        # platform's gate binds it: paid or refused, it is recorded) and next year's O&M budget
        assert stack.http("POST", "/admin/clock", "operator", json={"today": NEXT}).ok
        asked = stack.http(
            "POST",
            f"/projects/{code}/disbursements",
            "unit",
            "U-370100-001",
            json={"purpose": "construction", "amount": "1000.00", "contract_no": "HT-2026-001"},
        )
        assert asked.ok and asked.json()["business_date"] == NEXT, asked.text
        assert asked.json()["recorded_at"][:10] != NEXT
        budget = stack.http(
            "POST",
            f"/projects/{code}/budget",
            "finance",
            json={"year": 2028, "om": {"total": "10000.00", "by_level": {"province": "10000.00"}}},
        )
        assert budget.ok, budget.text

        timeline = _timeline_with(stack, code)
        assert {e["business_date"] for e in timeline} == {DAY, NEXT}
        assert all(e["recorded_at"][:10] not in (DAY, NEXT) for e in timeline)  # real time
        first = {}
        for e in timeline:
            first.setdefault(e["action"], e["business_date"])
        for step in (
            "project_registered",
            "review_opinion_issued",
            "budget_recorded",
            "contract_filed",
            "disbursement_decided",
            "project_went_live",
        ):
            assert first[step] == DAY, (step, first)
        assert [e["business_date"] for e in timeline if e["action"] == "disbursement_decided"] == [DAY, NEXT]
        # construction money, O&M money after the acceptance (第二十三条), next year's O&M
        assert [e["business_date"] for e in timeline if e["action"] == "budget_recorded"] == [DAY, DAY, NEXT]
        trail = stack.http("GET", f"/projects/{code}/audit-trail", "audit").json()
        assert {r["business_date"] for r in trail} == {DAY, NEXT}

        # finance: everything of the day on it, next year's O&M budget on the next day
        funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
        assert [(e["kind"], e["year"]) for e in funds["ledger"] if e["business_date"] == NEXT] == [
            ("budget", 2028)
        ], funds["ledger"]
        assert {e["business_date"] for e in funds["ledger"]} == {DAY, NEXT}
        assert all(e["recorded_at"][:10] not in (DAY, NEXT) for e in funds["ledger"])

        # supervision's deadline ledger: started by events of that day, on the publisher's day
        deadlines = stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        deadlines = deadlines["items"] if isinstance(deadlines, dict) else deadlines
        lines = [line for d in deadlines for line in d["ledger"]]
        assert lines and {line["business_date"] for line in lines} == {DAY}, lines
        filing = next(d for d in deadlines if d["kind"] == "contract_filing")
        assert filing["ledger"][0]["business_date"] == DAY

        # the console's pages: the project's timeline and funds ledger, the audit trail
        console = stack.api.replace("/api/v1", "/console")
        for path, role in ((f"/projects/{code}", "office"), (f"/audit?project={code}", "audit")):
            page = requests.get(console + path, timeout=30, cookies={TOKEN_COOKIE: stack.token(role)})
            assert page.ok and NEXT in page.text and "业务日期" in page.text, path

        # the CLI's tables show it too
        shown = subprocess.run(
            [GOVPROJ, "project", "timeline", code],
            cwd=REPO_ROOT,
            env={**env, "GOVPROJ_TOKEN": stack.token("office")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert shown.returncode == 0 and "business_date" in shown.stdout and NEXT in shown.stdout


def _timeline_with(stack, code: str) -> list[dict]:
    """The timeline once supervision recorded the next day's two acts (events travel)."""
    from shared.testing import wait_for

    found: list[dict] = []

    def recorded() -> bool:
        found[:] = stack.http("GET", f"/projects/{code}/timeline", "office").json()["events"]
        # the day's budgets: construction, then O&M after the acceptance (第二十三条); the next day's
        count = {
            act: sum(e["action"] == act for e in found) for act in ("disbursement_decided", "budget_recorded")
        }
        return count["disbursement_decided"] >= 2 and count["budget_recorded"] >= 3

    wait_for(recorded, timeout=60, interval=0.5, message="the next day's acts on the timeline")
    return found
