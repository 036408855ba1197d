"""The echo baseline's service for bench/gateway.py: a nameko service whose one RPC returns its
argument, nothing else (no database, no identity check).

    python bench/echo_service.py AMQP_URI     # runs until terminated
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import signal  # noqa: E402
import sys  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import rpc  # noqa: E402

SERVICE = "bench_echo"


class Echo:
    name = SERVICE

    @rpc
    def echo(self, value):
        return value


def main() -> None:
    container = ServiceContainer(Echo, {"AMQP_URI": sys.argv[1]})
    container.start()
    signal.signal(signal.SIGTERM, lambda *_: container.stop())
    container.wait()


if __name__ == "__main__":
    main()
