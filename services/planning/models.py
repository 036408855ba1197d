"""Planning's own database: the register, documents, timeline, plus the platform tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables
from shared.persistence.money import Fen

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
    budget_total = mapped_column("budget_total_fen", Fen, nullable=False)  # yuan ↔ fen
    fixed_asset_investment: Mapped[bool] = mapped_column(Boolean)
    new_civil_works: Mapped[bool] = mapped_column(Boolean)
    classified: Mapped[bool] = mapped_column(Boolean)
    national_ministry: Mapped[bool] = mapped_column(Boolean)
    co_builders = mapped_column(JSON, nullable=False)  # [{unit, scope}]
    co_builder_units: Mapped[str] = mapped_column(Text)  # "|U1|U2|": indexed visibility filter
    shares = mapped_column(JSON, nullable=False)  # {level: "decimal string"}
    schedule_start = mapped_column(Date)
    schedule_end = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    catalog = mapped_column(JSON, nullable=False)
    regulation_version: Mapped[str] = mapped_column(String(64))
    registered_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    decisions = mapped_column(JSON, nullable=False, default=list)
    approved_amount = mapped_column("approved_amount_fen", Fen)
    approved_on = mapped_column(Date)
    national = mapped_column(JSON, nullable=False, default=dict)
    sharing = mapped_column(JSON)
    status_before_suspension: Mapped[str | None] = mapped_column(String(32))
    suspensions = mapped_column(JSON, nullable=False, default=list)  # each standing suspension
    classified_material = mapped_column(JSON, nullable=False, default=dict)


class DocumentRow(Base):
    """Every version of every document (the electronic archive's register, 第二十条)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("project_code", "doc_type", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at = mapped_column(DateTime(timezone=True), nullable=False)


class CodeSequence(Base):
    """Per-year counter behind the lifelong project codes."""

    __tablename__ = "code_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    items = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16))
    approved_on = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(200))


class AnnualPlanRow(Base):
    __tablename__ = "annual_plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    plan_id: Mapped[str] = mapped_column(String(32))
    items = mapped_column(JSON, nullable=False)
    issued_on = mapped_column(Date, nullable=False)


class ChangeRequestRow(Base):
    """Adjustment applications (第十八条): filed before the change, decided by a new review."""

    __tablename__ = "change_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    changes = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_on = mapped_column(Date, nullable=False)
    decided_on = mapped_column(Date)
    comments: Mapped[str | None] = mapped_column(Text)
    # the plan and budget documents this approved change has replaced, once each (第十八条)
    documents_replaced = mapped_column(JSON)
