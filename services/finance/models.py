"""Finance's own database: what its funding gates learn from other services' events, plus the
platform tables. (Budgets, contracts, disbursements and the ledger arrive with their issue.)"""
from sqlalchemy import Boolean, Date, DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class SharingStatusRow(Base):
    """The latest sharing-platform check per project (第二十九条 gate)."""

    __tablename__ = "sharing_status"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    connected: Mapped[bool] = mapped_column(Boolean)
    sharing_compliant: Mapped[bool] = mapped_column(Boolean)
    checked_on = mapped_column(Date, nullable=False)
    recorded_at = mapped_column(DateTime(timezone=True), nullable=False)
