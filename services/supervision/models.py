"""Supervision's own database: the platform tables (its domain tables arrive with its issue)."""
from sqlalchemy import MetaData

from shared.persistence import PlatformTables

metadata = MetaData()
platform = PlatformTables(metadata)
