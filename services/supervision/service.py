"""Supervision service entrypoints. It also runs the suite's time: the simulated clock and the
operator-loaded calendar years are its events, which every service applies."""
from nameko.rpc import rpc

from services.supervision import operations
from services.supervision.models import platform
from shared.platform import Database, PlatformService


class SupervisionService(PlatformService):
    name = "supervision"
    db = Database(platform)

    @rpc
    def set_clock(self, today: str, actor: str) -> dict:
        return operations.set_clock(self.db, self.clock.simulated, today, actor)

    @rpc
    def load_calendar_year(self, year: int, schedule: dict, actor: str) -> dict:
        return operations.load_calendar_year(self.db, year, schedule, actor)
