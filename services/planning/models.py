"""Planning's own database: the register, plus the platform tables (outbox, inbox, ...)."""
from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class ProjectRow(Base):
    __tablename__ = "projects"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    plan_item: Mapped[str | None] = mapped_column(String(64))
    budget_total = mapped_column(Numeric(18, 2), nullable=False)
    fixed_asset_investment: Mapped[bool] = mapped_column(Boolean)
    new_civil_works: Mapped[bool] = mapped_column(Boolean)
    classified: Mapped[bool] = mapped_column(Boolean)
    regulation_version: Mapped[str] = mapped_column(String(64))
    registered_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    submissions: Mapped[int] = mapped_column(Integer, default=0)


class CodeSequence(Base):
    """Per-year counter behind the lifelong project codes."""

    __tablename__ = "code_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
