"""Approval's own database: review cases and rounds, plus the platform tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables
from shared.persistence.money import Fen

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class ReviewCaseRow(Base):
    __tablename__ = "review_cases"
    __table_args__ = (UniqueConstraint("project_code", "submission"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    submission: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    budget_total = mapped_column("budget_total_fen", Fen, nullable=False)  # yuan ↔ fen
    fixed_asset_investment: Mapped[bool] = mapped_column(Boolean)
    classified: Mapped[bool] = mapped_column(Boolean)
    regulation_version: Mapped[str] = mapped_column(String(64))
    opened_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[str | None] = mapped_column(String(32))
    opinion = mapped_column(JSON)
    issued_on = mapped_column(Date)
    drc_decision: Mapped[str | None] = mapped_column(String(16))
    drc_investment = mapped_column("drc_investment_fen", Fen)
    drc_document_no: Mapped[str | None] = mapped_column(String(100))
    secrecy_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_on = mapped_column(Date)


class ReviewRoundRow(Base):
    __tablename__ = "review_rounds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    opened_on = mapped_column(Date, nullable=False)
    opened_by: Mapped[str] = mapped_column(String(200))
    case_ids = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16))
    closed_on = mapped_column(Date)


class ChangeReviewRow(Base):
    __tablename__ = "change_reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    changes = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(String(5000))
    requested_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_on = mapped_column(Date)
    comments: Mapped[str] = mapped_column(String(5000), default="")
    # the reviewer's approved amount of a budget change (第十八条)
    approved_amount = mapped_column("approved_amount_fen", Fen)  # yuan ↔ fen
    drc = mapped_column(JSON)  # a fixed-asset project's re-approval by the DRC (第四条)


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(5000))
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16))
    decision = mapped_column(JSON, nullable=False, default=dict)


class SecrecyDecisionRow(Base):
    """The secrecy bureau's decision on a classified project (第四条), whenever it arrives."""

    __tablename__ = "secrecy_decisions"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))
    decided_on = mapped_column(Date, nullable=False)


class CompletionRow(Base):
    """Construction declared finished (acceptance's ``construction_completed``): from then on
    the project is not under construction, so no 第十九条 suspension stops it."""

    __tablename__ = "completions"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    completed_on = mapped_column(Date, nullable=False)
