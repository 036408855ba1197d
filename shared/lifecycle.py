"""A service's end, as Kubernetes asks for it on every rollout (issue 17): SIGTERM, then a grace
period, then SIGKILL.

``nameko run`` answers SIGTERM by calling ``ServiceRunner.stop`` in a new greenlet, whatever the
container is doing. Two things went wrong there:

- a SIGTERM while the container was still starting (connecting, declaring its consumers) ran
  ``stop`` beside ``start``: every handler's ``stop`` sent nameko's one-shot "last provider
  unregistered" event again — eventlet's ``AssertionError: Trying to re-send() an
  already-triggered event`` and a traceback (fixed in
  ``shared.messaging.reliable.AttachedQueueConsumer``) — and the half-started consumer thread
  could keep the process alive until SIGKILL;
- nothing bounded the stop by the grace period.

``GracefulContainer`` (config ``SERVICE_CONTAINER_CLS``, read by ``nameko run`` itself) makes a
stop wait for a start in progress, then stops in nameko's order — entrypoints first (no new
messages: consumers cancelled, prefetched messages go back to the queue with the channel),
in-flight workers finish and are acked (or requeued, ``shared.messaging.reliable``), then the
dependencies: the outbox relay publishes what the finished workers committed
(``shared.messaging.outbox.RelayLoop``), the database closes. Then the process exits 0.
A second SIGTERM changes nothing. If the stop outlasts ``GRACEFUL_STOP_SECONDS`` (default 25, under
Kubernetes' default 30 s grace period) the container is killed — unacknowledged messages return to
their queues, the relay's unpublished rows stay in the outbox — and the reason is logged, without
a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.containers import ServiceContainer

from shared.messaging.tls import nameko_config

log = logging.getLogger(__name__)

DEFAULT_GRACEFUL_STOP_SECONDS = 25.0


class GracefulContainer(ServiceContainer):
    def __init__(self, service_cls: Any, config: Any) -> None:
        # amqps: nameko's consumers and publishers check the broker's host name (issue 17)
        super().__init__(service_cls, nameko_config(config))
        self._start_done = Event()
        self._stop_requested = False
        self.grace = float(config.get("GRACEFUL_STOP_SECONDS") or DEFAULT_GRACEFUL_STOP_SECONDS)

    @property
    def stopping(self) -> bool:
        return self._stop_requested

    def start(self) -> None:
        if self._stop_requested:  # SIGTERM came before the runner started us: do not start
            self._start_done.send(None)
            if not self._died.ready():
                self._died.send(None)
            return
        try:
            super().start()
        finally:
            if not self._start_done.ready():
                self._start_done.send(None)

    def stop(self) -> None:
        if self._stop_requested:  # a second SIGTERM, or stop after kill: wait for the first
            self._wait_died()
            return
        self._stop_requested = True
        if not self.started:  # nothing runs yet; ``start`` will not start it
            return
        log.info(
            "stopping %s: no new messages; finishing the work in hand (at most %g s)",
            self.service_name,
            self.grace,
        )
        watchdog = eventlet.spawn_after(self.grace, self._out_of_time)
        try:
            if not self._start_done.ready():
                self._start_done.wait()  # never stop a container half-started
            super().stop()
        finally:
            watchdog.cancel()
        log.info("%s stopped", self.service_name)

    def _out_of_time(self) -> None:
        if self._died.ready():
            return
        log.error(
            "%s did not stop within %g s (GRACEFUL_STOP_SECONDS): killing it; messages "
            "not acknowledged return to their queues, unpublished outbox rows stay",
            self.service_name,
            self.grace,
        )
        self.kill()

    def _wait_died(self) -> None:
        try:
            self._died.wait()
        except Exception:  # it died with an exception: its first stop or kill reports it
            pass
