"""`govproj simulate` (issue 19): a few projects driven through the whole lifecycle over the API
against a running suite complete with no error and no dead letter."""
import json
import subprocess

import pytest

from shared.cli import REPO_ROOT
from shared.testing import running_stack

pytestmark = pytest.mark.e2e

GOVPROJ = str(REPO_ROOT / ".venv" / "bin" / "govproj")


def test_five_projects_through_the_whole_lifecycle(infrastructure, tmp_path):
    with running_stack(infrastructure, tmp_path, GOVPROJ_CLOCK="simulated",
                       RPC_TIMEOUT="30") as stack:
        done = subprocess.run(
            [GOVPROJ, "simulate", "--projects", "5", "--concurrency", "3", "--seed", "7",
             "--api", stack.api, "--rabbit-api", infrastructure.rabbit_api,
             "--vhost", stack.vhost, "--json", "--quiet"],
            cwd=REPO_ROOT, env={"PATH": "/usr/local/bin:/usr/bin:/bin", **stack.env()},
            capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["completed"], result["errors"], result["dead_letters"]) == (5, 0, 0), result
    # every kind of step ran: refusals, review, DRC, money, acceptance, self-evaluation
    for command in ("POST /projects", "POST /review-rounds/{id}/closure",
                    "POST /projects/{code}/disbursements", "POST /projects/{code}/go-live",
                    "POST /projects/{code}/self-evaluation"):
        assert result["commands"][command]["n"] >= 1, command
    assert result["refusals"]["submission before the documents (第七条)"] == 5
    assert result["refusals"]["payment over the contract (第十三条, 第十七条)"] == 5
    assert result["event_lag"] and result["rss_mb"]
