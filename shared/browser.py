"""A real browser for the console's tests: Playwright driving Debian's Chromium by its
executable path (no browser download), with the flags of docs/architecture.md §1.

Without /usr/bin/chromium the browser tests are skipped on a developer's machine, and fail in
CI (``CI=true``), where ``.ci/run`` installs it. The tests run under eventlet's monkey-patching
(tests/conftest.py); see ``_stop`` for the one place where that needs help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.testing import unavailable

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip (on a developer's machine) or fail (in CI) when no browser can run."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if not missing:
        return
    unavailable("browser tests need " + " and ".join(missing))


@contextmanager
def chromium() -> Iterator[object]:
    """A launched headless Chromium (a Playwright ``Browser``), closed afterwards."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    playwright = manager.start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        _stop(manager, playwright)


def _stop(manager: Any, playwright: Any) -> None:
    """Stop Playwright's driver. Its event loop runs in a greenlet that, once it has waited on
    eventlet's hub, has the hub as its parent (eventlet's ``hub.switch`` re-parents the waiting
    greenlet), so when it finishes it returns to the idle hub instead of to us, and ``stop()``
    would never return. A green thread brings us back once it has finished."""
    try:
        import eventlet
        import greenlet
        from eventlet import patcher
    except ImportError:
        playwright.stop()
        return
    if not patcher.is_monkey_patched("thread"):
        playwright.stop()
        return
    me, fiber = greenlet.getcurrent(), manager._dispatcher_fiber
    state = {"stopped": False}

    def come_back() -> None:
        while not fiber.dead:
            eventlet.sleep(0.01)
        if not state["stopped"]:
            me.switch()

    watcher = eventlet.spawn(come_back)
    playwright.stop()
    state["stopped"] = True
    watcher.kill()
