"""Supervision's own database: findings, plus the platform tables. (Deadlines, rectification,
sanctions and the audit ledger arrive with their issue.)"""
from sqlalchemy import JSON, Date, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class FindingRow(Base):
    """A violation found: by inspection, audit, a missed deadline or another service's report."""

    __tablename__ = "findings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(64))      # e.g. event:planning
    kind: Mapped[str] = mapped_column(String(100))
    articles = mapped_column(JSON, nullable=False)
    description: Mapped[str] = mapped_column(Text)
    details = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    found_on = mapped_column(Date, nullable=False)


class SanctionRow(Base):
    """A sanction of 第三十四条, applied by the office; idempotent downstream by its id."""

    __tablename__ = "sanctions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(32))
    finding: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    imposed_by: Mapped[str] = mapped_column(String(200))
    imposed_on = mapped_column(Date, nullable=False)
    lifted_on = mapped_column(Date)
    lift_reason: Mapped[str | None] = mapped_column(Text)
