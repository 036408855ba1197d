"""Keeping `govproj run`'s processes up: a process that exits is started again after a backoff
(1 s, doubling to 30 s; from 1 s again once it has stayed up a minute), and stderr says so —
one crashed service no longer takes the whole suite down. (Kubernetes restarts pods itself;
this is for `make run` on one machine.)"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Backoff:
    first: float = 1.0
    cap: float = 30.0
    stable: float = 60.0  # up this long, a process counts as recovered
    _next: float = field(init=False)

    def __post_init__(self) -> None:
        self._next = self.first

    def delay(self, uptime: float) -> float:
        """How long to wait before restarting a process that exited after ``uptime`` seconds."""
        if uptime >= self.stable:
            self._next = self.first
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay


def describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"{returncode} ({signal.Signals(-returncode).name})"
        except ValueError:
            return str(returncode)
    return str(returncode)


class Keeper:
    """Starts each named process and restarts it whenever it exits, until ``halt()``."""

    def __init__(
        self,
        starters: dict[str, Callable[[], subprocess.Popen]],
        *,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self.starters, self.out, self.clock = starters, out or sys.stderr, clock
        self.backoffs = {name: backoff() for name in starters}
        self.procs: dict[str, subprocess.Popen] = {}
        self.started: dict[str, float] = {}
        self.due: dict[str, float] = {}  # name → when it starts again
        self.halted = False
        for name in starters:
            self._start(name)

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def _start(self, name: str) -> None:
        self.started[name] = self.clock()
        try:
            self.procs[name] = self.starters[name]()
        except OSError as exc:  # could not even be started: try again later, as a crash
            self._say(f"{name} could not start ({exc})")
            self._schedule(name, 0.0)

    def _schedule(self, name: str, uptime: float) -> float:
        delay = self.backoffs[name].delay(uptime)
        self.due[name] = self.clock() + delay
        self.procs.pop(name, None)
        return delay

    def tick(self) -> None:
        """One look at every process: schedule the restart of those that exited, restart those
        whose backoff is over."""
        for name in self.starters:
            if self.halted:
                return
            if name in self.due:
                if self.clock() >= self.due[name]:
                    del self.due[name]
                    self._start(name)
                    if name in self.procs:
                        self._say(f"{name} restarted (pid {self.procs[name].pid})")
                continue
            code = self.procs[name].poll()
            if code is not None:
                delay = self._schedule(name, self.clock() - self.started[name])
                self._say(f"{name} exited with {describe(code)}; restarting in {delay:g} s")

    def halt(self) -> None:
        """Restart nothing from now on (Ctrl-C)."""
        self.halted = True

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to every running process, SIGKILL to those still up after ``timeout``."""
        self.halt()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
