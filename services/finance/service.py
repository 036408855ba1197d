"""Finance service entrypoints."""
from nameko.rpc import rpc

from services.finance import application
from services.finance.models import platform
from shared.messaging.reliable import reliable_handler
from shared.platform import Database, PlatformService, query


class FinanceService(PlatformService):
    name = "finance"
    db = Database(platform)

    @reliable_handler("sharing_status_recorded")
    def on_sharing_status_recorded(self, event) -> None:
        self.db.handle_once(event, application.sharing_status_recorded)

    @rpc
    @query("sharing.read")
    def get_sharing_status(self, code: str) -> dict | None:
        return application.sharing_status(self.db, code)
