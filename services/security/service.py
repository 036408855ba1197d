"""Security service entrypoints."""
from services.security.models import platform
from shared.platform import Database, PlatformService


class SecurityService(PlatformService):
    name = "security"
    db = Database(platform)
