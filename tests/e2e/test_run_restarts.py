"""`govproj run` (what `make run` starts) keeps the suite up: a service killed with -9 is started
again with backoff and stderr says so; Ctrl-C still stops everything."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from shared.cli import REPO_ROOT
from shared.config import PROCESSES, SERVICES, process_class
from shared.testing import RabbitAdmin, free_port, wait_for

pytestmark = pytest.mark.e2e


def children(pid: int, module: str) -> list[int]:
    """The pids of ``pid``'s child processes running ``module``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and module in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def broker(infrastructure):
    admin = RabbitAdmin(infrastructure.rabbit_api)
    vhost = f"govproj-run-{uuid.uuid4().hex[:10]}"
    admin.create_vhost(vhost)
    base = urlsplit(infrastructure.amqp_uri)
    yield f"{base.scheme}://{base.netloc}/{quote(vhost, safe='')}"
    admin.delete_vhost(vhost)


def test_a_killed_service_is_restarted_and_ctrl_c_stops_everything(broker, infrastructure, tmp_path):
    env = {
        **os.environ,
        "AMQP_URI": broker,
        "LOG_LEVEL": "WARNING",
        "GOVPROJ_RABBIT_API": infrastructure.rabbit_api,
        "GATEWAY_BIND": f"127.0.0.1:{free_port()}",
        **{f"{s.upper()}_DB_URI": f"sqlite:///{tmp_path / f'{s}.db'}" for s in SERVICES},
    }
    out, err = tmp_path / "run.out", tmp_path / "run.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        run = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )

    def status() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "shared.cli", "status", "--timeout", "3"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    try:
        wait_for(
            lambda: status().returncode == 0,
            timeout=150,
            interval=1,
            message="every service up under govproj run",
        )
        [finance] = children(run.pid, "services.finance.service")
        os.kill(finance, signal.SIGKILL)
        wait_for(
            lambda: "finance exited with -9 (SIGKILL); restarting in 1 s" in err.read_text(),
            timeout=20,
            message="the restart announced",
        )
        [again] = wait_for(
            lambda: children(run.pid, "services.finance.service"), timeout=20, message="finance started again"
        )
        assert again != finance and f"finance restarted (pid {again})" in err.read_text()
        wait_for(
            lambda: "finance      up" in status().stdout,
            timeout=90,
            interval=1,
            message="finance answers its health RPC again",
        )
        assert run.poll() is None  # the others never stopped

        everyone = [  # each service's process, supervision's audit trail's, the gateway
            pid
            for p in (*PROCESSES, "gateway")
            for pid in children(run.pid, "gunicorn" if p == "gateway" else process_class(p).split(":")[0])
        ]
        assert len(everyone) == len(PROCESSES) + 1
        run.send_signal(signal.SIGINT)  # Ctrl-C
        assert run.wait(60) == 0
        assert "all services stopped" in out.read_text()
        assert "restarting" not in err.read_text().split("finance restarted")[1]
        assert not [pid for pid in everyone if alive(pid)]
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(10)
