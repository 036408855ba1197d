"""Failpoints for fault tests: ``GOVPROJ_FAILPOINTS=after_commit`` makes the process die there.

A real ``os._exit`` (no cleanup, no acks), as a crash or ``kill -9`` would; off unless the
variable names the point. Used by the end-to-end fault tests, never set in deployments.
"""

from __future__ import annotations

import os


def failpoint(name: str) -> None:
    armed = os.environ.get("GOVPROJ_FAILPOINTS", "")
    if armed and name in armed.split(","):
        os._exit(86)
