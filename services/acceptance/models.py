"""Acceptance's own database: the electronic archive, acceptance files, annual reports,
post-evaluations, plus the platform tables."""

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

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class KnownProjectRow(Base):
    """A project as its registration told (第三条): who owns and who co-builds it — the readers
    of its archive and file — and the regulation it is pinned to."""

    __tablename__ = "known_projects"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_unit: Mapped[str] = mapped_column(String(64))
    co_builders = mapped_column(JSON, nullable=False, default=list)
    regulation_version: Mapped[str] = mapped_column(String(64))
    # the 项目审批部门 (drc | office), from the approval (第四条, 第九条); None before it
    approving_body: Mapped[str | None] = mapped_column(String(8))
    # declared classified by the secrecy bureau (第四条): no archive here, security holds it
    classified: Mapped[bool] = mapped_column(Boolean, default=False)


class ArchiveDocumentRow(Base):
    """Every document of the project: type, hash, uploader, time (第二十条)."""

    __tablename__ = "archive_documents"
    __table_args__ = (UniqueConstraint("project_code", "doc_type", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    doc_type: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at = mapped_column(DateTime(timezone=True), nullable=False)


class AcceptanceFileRow(Base):
    __tablename__ = "acceptance_files"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64))
    regulation_version: Mapped[str] = mapped_column(String(64))
    completed_on = mapped_column(Date)
    acceptance_due = mapped_column(Date)
    deadline_ledger = mapped_column("clock_ledger", JSON, nullable=False, default=list)  # column name kept
    extension = mapped_column(JSON)
    applied_on = mapped_column(Date)
    decision = mapped_column(JSON)
    live_on = mapped_column(Date)
    self_evaluation = mapped_column(JSON)
    # facts from the other services: security's, the sharing-platform record, the contracts'
    # products (第二十八条, 第三十二条)
    security = mapped_column(JSON, nullable=False, default=dict)
    delegation = mapped_column(JSON)  # 第二十二条: the approving body let the unit organise it


class AnnualReportRow(Base):
    __tablename__ = "annual_reports"
    __table_args__ = (UniqueConstraint("project_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(Text)
    budget_execution: Mapped[str] = mapped_column(Text)
    trial_run_effects: Mapped[str | None] = mapped_column(Text)
    filed_on = mapped_column(Date, nullable=False)
    on_time: Mapped[bool] = mapped_column(Boolean)
    filed_by: Mapped[str] = mapped_column(String(200))


class PostEvaluationRow(Base):
    """A third-party post-evaluation commissioned by the office (第二十四条)."""

    __tablename__ = "post_evaluations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    evaluator: Mapped[str] = mapped_column(String(200))
    commissioned_by: Mapped[str] = mapped_column(String(200))
    commissioned_on = mapped_column(Date, nullable=False)
    report = mapped_column(JSON)
