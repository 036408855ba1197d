"""Finance service entrypoints."""
from services.finance.models import platform
from shared.platform import Database, PlatformService


class FinanceService(PlatformService):
    name = "finance"
    db = Database(platform)
