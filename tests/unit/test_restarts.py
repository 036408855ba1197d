"""`govproj run` keeps its processes up: real child processes, a settable clock for the backoff."""

import io
import signal
import subprocess
import sys

from shared.restarts import Backoff, Keeper


def test_backoff_doubles_to_its_cap_and_starts_over_after_a_stable_run():
    backoff = Backoff(first=1, cap=30, stable=60)
    assert [backoff.delay(uptime=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(uptime=61) == 1 and backoff.delay(uptime=1) == 2


def python(code: str):
    return lambda: subprocess.Popen([sys.executable, "-c", code])


def test_an_exited_process_is_restarted_after_its_backoff_and_the_others_keep_running():
    now = [100.0]
    out = io.StringIO()
    keeper = Keeper(
        {"finance": python("import sys; sys.exit(3)"), "planning": python("import time; time.sleep(60)")},
        out=out,
        clock=lambda: now[0],
    )
    try:
        first, steady = keeper.procs["finance"], keeper.procs["planning"]
        first.wait(10)
        keeper.tick()
        assert out.getvalue() == "finance exited with 3; restarting in 1 s\n"
        keeper.tick()  # its backoff is not over yet
        assert "finance" not in keeper.procs
        now[0] += 1
        keeper.tick()
        assert keeper.procs["finance"] is not first
        assert f"finance restarted (pid {keeper.procs['finance'].pid})" in out.getvalue()
        keeper.procs["finance"].wait(10)
        keeper.tick()
        assert out.getvalue().endswith("finance exited with 3; restarting in 2 s\n")
        assert keeper.procs["planning"] is steady and steady.poll() is None
        steady.send_signal(signal.SIGKILL)
        steady.wait(10)
        keeper.tick()
        assert "planning exited with -9 (SIGKILL); restarting in 1 s" in out.getvalue()
        keeper.halt()  # Ctrl-C: nothing is restarted any more
        now[0] += 60
        keeper.tick()
        assert "planning" not in keeper.procs and "finance" not in keeper.procs
    finally:
        keeper.stop(timeout=5)
    assert all(p.poll() is not None for p in keeper.procs.values())
