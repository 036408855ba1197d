"""Every tier runs under eventlet, as the services do (nameko's plugin no longer patches)."""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

pytest_plugins = ["shared.testing"]
