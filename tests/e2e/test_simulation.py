"""`govproj simulate` (issue 19): a few projects driven through the whole lifecycle over the API
against a running suite complete with no error and no dead letter; then what they left behind
reads in keyset pages and the audit ledger verifies from signed checkpoints and in full."""

import json
import subprocess

import pytest

from shared.cli import REPO_ROOT
from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

GOVPROJ = str(REPO_ROOT / ".venv" / "bin" / "govproj")


@pytest.fixture(scope="module")
def simulated(infrastructure, tmp_path_factory):
    with running_stack(
        infrastructure, tmp_path_factory.mktemp("simulate"), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30"
    ) as stack:
        done = subprocess.run(
            [
                GOVPROJ,
                "simulate",
                "--projects",
                "5",
                "--concurrency",
                "3",
                "--seed",
                "7",
                "--api",
                stack.api,
                "--rabbit-api",
                infrastructure.rabbit_api,
                "--vhost",
                stack.vhost,
                "--json",
                "--quiet",
            ],
            cwd=REPO_ROOT,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", **stack.env()},
            capture_output=True,
            text=True,
            timeout=600,
        )
        yield stack, done


def test_five_projects_through_the_whole_lifecycle(simulated):
    _, done = simulated
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["completed"], result["errors"], result["dead_letters"]) == (5, 0, 0), result
    # every kind of step ran: refusals, review, DRC, money, acceptance, self-evaluation
    for command in (
        "POST /projects",
        "POST /review-rounds/{id}/closure",
        "POST /projects/{code}/drc-approval",
        "POST /sanctions",
        "POST /projects/{code}/disbursements",
        "POST /projects/{code}/go-live",
        "POST /projects/{code}/self-evaluation",
    ):
        assert result["commands"][command]["n"] >= 1, command
    assert result["refusals"]["submission before the documents (第七条)"] == 5
    assert result["refusals"]["payment over the contract (第十三条, 第十七条)"] == 5
    assert result["event_lag"] and result["rss_mb"]


def test_lists_read_in_keyset_pages(simulated):
    """Following `next` (an object's field, or an array's X-Next-Cursor and Link) lists what
    one big page lists, once each; a cursor the list did not give is 422 naming `after`."""
    stack, _ = simulated
    code = stack.http("GET", "/projects", "office").json()["items"][0]["code"]
    whole = stack.http("GET", f"/projects/{code}/timeline", "office").json()
    assert whole["next"] is None and len(whole["events"]) > 10
    events, cursor = [], None
    while True:
        page = stack.http(
            "GET",
            f"/projects/{code}/timeline",
            "office",
            params={"limit": 4, **({"after": cursor} if cursor else {})},
        ).json()
        events += page["events"]
        cursor = page["next"]
        if cursor is None:
            break
    assert [e["seq"] for e in events] == [e["seq"] for e in whole["events"]]

    every = stack.http("GET", "/deadlines", "office", params={"limit": 500}).json()
    assert len(every) > 3
    listed, url = [], ("/deadlines", {"limit": 3})
    while url:
        r = stack.http("GET", url[0], "office", params=url[1])
        listed += r.json()
        cursor = r.headers.get("X-Next-Cursor")
        assert (cursor is None) == ("Link" not in r.headers)
        url = ("/deadlines", {"limit": 3, "after": cursor}) if cursor else None
    assert [d["id"] for d in listed] == [d["id"] for d in every]

    bad = stack.http("GET", "/deadlines", "office", params={"after": "not-a-cursor"})
    assert bad.status_code == 422
    assert "after" in bad.json()["error"]["details"], bad.text
    assert stack.http("GET", "/findings", "office", params={"limit": 0}).status_code == 422


def walk(stack, path, role, unit=None, items_at=None, limit=2, **params):
    """Every page of a list by cursor (`next`, or X-Next-Cursor beside an array with its Link)."""
    pages, cursor = [], None
    while True:
        r = stack.http(
            "GET",
            path,
            role,
            unit,
            params={**params, "limit": limit, **({"after": cursor} if cursor else {})},
        )
        assert r.status_code == 200, r.text
        pages.append(r.json())
        if items_at:
            cursor = pages[-1]["next"]
        else:
            cursor = r.headers.get("X-Next-Cursor")
            assert (cursor is None) == ("Link" not in r.headers)
        if cursor is None:
            return pages


def test_the_lists_paged_since_walk_by_cursor_and_answer_as_before_without(simulated):
    """GET /projects keeps limit, offset and total and walks by `after` (a page asked with it
    does not count the list again: total null); /plans, a project's incidents and the other
    lists of the second round walk by cursor to what one unpaged read lists, once each; a
    cursor a list did not give is 422 in both languages."""
    stack, _ = simulated
    every = stack.http("GET", "/projects", "office", params={"limit": 200}).json()
    codes = [p["code"] for p in every["items"]]
    assert every["total"] == len(codes) >= 5 and every["offset"] == 0 and every["next"] is None
    shifted = stack.http("GET", "/projects", "office", params={"limit": 2, "offset": 2}).json()
    assert [p["code"] for p in shifted["items"]] == codes[2:4] and shifted["total"] == len(codes)
    pages = walk(stack, "/projects", "office", items_at="items")
    assert [p["code"] for page in pages for p in page["items"]] == codes and len(pages) >= 3
    assert pages[0]["total"] == len(codes) and all(page["total"] is None for page in pages[1:])

    for title in ("规划甲", "规划乙"):  # three plans at least: two pages of two
        drafted = stack.http(
            "POST",
            "/plans",
            "office",
            json={
                "title": title,
                "start_year": 2030,
                "end_year": 2035,
                "items": [{"code": title, "title": title}],
            },
        )
        assert drafted.status_code == 201, drafted.text
    whole = stack.http("GET", "/plans", "office").json()
    assert set(whole) == {"plans", "annual_plans", "next"} and whole["next"] is None
    pages = walk(stack, "/plans", "office", items_at="plans")
    assert len(pages) >= 2
    assert [p["id"] for page in pages for p in page["plans"]] == [p["id"] for p in whole["plans"]]
    annual = sorted(a["id"] for page in pages for a in page["annual_plans"])
    assert annual == sorted(a["id"] for a in whole["annual_plans"])

    code = codes[0]
    unit = stack.http("GET", f"/projects/{code}", "office").json()["unit"]
    for n in range(3):
        reported = stack.http(
            "POST",
            f"/projects/{code}/incidents",
            "unit",
            unit,
            json={"kind": "serious_delay", "description": f"进度滞后 {n}"},
        )
        assert reported.status_code == 201, reported.text
    whole = stack.http("GET", f"/projects/{code}/incidents", "office")
    assert isinstance(whole.json(), list) and "X-Next-Cursor" not in whole.headers
    pages = walk(stack, f"/projects/{code}/incidents", "office")
    assert len(pages) == 2
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in whole.json()]
    contracts = stack.http("GET", f"/projects/{code}/contracts", "office").json()
    paged = walk(stack, f"/projects/{code}/contracts", "office", limit=1)
    assert [c["contract_no"] for page in paged for c in page] == [c["contract_no"] for c in contracts]

    for path in (
        "/projects",
        "/plans",
        f"/projects/{code}/change-requests",
        f"/projects/{code}/incidents",
        f"/projects/{code}/contracts",
        f"/projects/{code}/annual-reports",
        f"/projects/{code}/secrecy-inspections",
    ):
        role = "secrecy" if path.endswith("secrecy-inspections") else "office"
        bad = stack.http("GET", path, role, params={"after": "not-a-cursor"})
        assert bad.status_code == 422, (path, bad.text)
        error = bad.json()["error"]
        assert "after" in error["details"] and "游标" in str(error["details"]["after"]), (path, bad.text)


def test_the_ledger_verifies_from_its_checkpoint_and_in_full_in_the_background(simulated):
    stack, _ = simulated
    first = stack.http("GET", "/ledger/verification", "audit").json()
    assert first["ok"], first
    again = stack.http("GET", "/ledger/verification", "audit").json()
    assert again["ok"] and again["checkpoint"]["seq"] == first["length"]
    assert again["verified_records"] == again["length"] - first["length"]
    started = stack.http("POST", "/ledger/verifications", "audit")
    assert started.status_code == 201, started.text
    job = started.json()
    done = wait_for(
        lambda: (lambda j: j if j["state"] == "done" else None)(
            stack.http("GET", f"/ledger/verifications/{job['id']}", "audit").json()
        ),
        timeout=60,
        message="the full verification",
    )
    assert done["ok"] and done["progress"] == 1.0 and done["verified"] == job["length"]
    assert stack.http("POST", "/ledger/verifications", "office").status_code == 403
    assert stack.http("GET", "/ledger/verifications/nope", "audit").status_code == 404
