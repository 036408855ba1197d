"""Supervision's audit-trail process (issue 19): every event of every service, chained into the
audit ledger in batches, apart from supervision's commands, reads and timers.

The same service — its name, broker user, signing key and database — in a process of its own
(``govproj run`` starts it as ``supervision-audit``; Kubernetes runs it as the Deployment
``supervision-audit``). It consumes only the audit-trail queue, through the batching reliable
handler (``shared.messaging.reliable.AuditTrailHandler``): up to ``EVENT_BATCH_SIZE`` events
per transaction, one read of the chain head, the records chained and inserted together. It
serves no RPC (the main process answers ``rpc-supervision``, the ledger's reads included) and
publishes no event, so its outbox relay does not run. Its probes and metrics are those of every
process (/health/live, /health/ready, /metrics).
"""

from services.supervision import audit_trail
from services.supervision.models import platform
from shared.events import Event
from shared.messaging.reliable import audit_trail_handler
from shared.platform import Database, OperableProcess


class AuditTrailDatabase(Database):
    """Supervision's database, without an outbox relay: this process emits nothing, and
    supervision's main process relays supervision's outbox."""

    def setup(self) -> None:
        super().setup()
        self.relay_enabled = False


class SupervisionAuditTrail(OperableProcess):
    name = "supervision"
    db = AuditTrailDatabase(platform)

    @audit_trail_handler
    def on_any_event(self, events: list[Event]) -> None:
        """Every event of every service, chained into the audit ledger, a batch per transaction
        (the inbox key stays ``supervision.on_any_event``)."""
        self.db.handle_batch_once(events, audit_trail.append_batch)
