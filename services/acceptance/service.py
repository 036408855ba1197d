"""Acceptance service entrypoints."""
from services.acceptance.models import platform
from shared.platform import Database, PlatformService


class AcceptanceService(PlatformService):
    name = "acceptance"
    db = Database(platform)
