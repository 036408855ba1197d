"""Persistence: one database per service (embedded SQLite by default, PostgreSQL when configured)."""

from shared.persistence.engine import create_engine_for, write_lock
from shared.persistence.platform_tables import PlatformTables

__all__ = ["create_engine_for", "write_lock", "PlatformTables"]
