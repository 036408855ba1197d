"""Supervision's own database: findings, plus the platform tables. (Deadlines, rectification,
sanctions and the audit ledger arrive with their issue.)"""

from sqlalchemy import JSON, Boolean, Date, Integer, MetaData, String, Text
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
    source: Mapped[str] = mapped_column(String(64))  # e.g. event:planning
    kind: Mapped[str] = mapped_column(String(100))
    articles = mapped_column(JSON, nullable=False)
    description: Mapped[str] = mapped_column(Text)
    details = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    found_on = mapped_column(Date, nullable=False)
    rectification_deadline = mapped_column(Date)
    history = mapped_column(JSON, nullable=False, default=list)  # orders, reports, verifications


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


class AuditChainRow(Base):
    """Append-only; never updated, never deleted (the hashes would tell)."""

    __tablename__ = "audit_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(32))
    project_code: Mapped[str | None] = mapped_column(String(32), index=True)
    occurred_at: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHeadRow(Base):
    """One row: the last seq and hash. Locked by every append, so the chain has one writer."""

    __tablename__ = "audit_ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainCheckpointRow(Base):
    """A verified prefix of the chain: its last seq and hash, when, signed with supervision's
    own key (an insider with the database but not the key cannot move it). Verification goes on
    from the newest checkpoint whose signature holds, so its cost is in the new records."""

    __tablename__ = "audit_ledger_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    how: Mapped[str] = mapped_column(String(16))  # incremental | full
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))


class AuditChainVerificationRow(Base):
    """A full re-verification of the chain, run in the background: its progress and result."""

    __tablename__ = "audit_ledger_verifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # running | done
    target_seq: Mapped[int] = mapped_column(Integer)  # the head when it started
    target_hash: Mapped[str] = mapped_column(String(64))
    verified: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    problems = mapped_column(JSON)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[str] = mapped_column(String(40))
    heartbeat_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))


class SupervisedProjectRow(Base):
    """Whose project it is (from the register's events): the unit that must rectify."""

    __tablename__ = "supervised_projects"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_unit: Mapped[str] = mapped_column(String(64))
    regulation_version: Mapped[str | None] = mapped_column(String(64))
    completed_on = mapped_column(Date)  # construction finished: annual reports stop after it
    planned_end = mapped_column(Date)  # the registered schedule's end (第十九条)
    delay_reported: Mapped[str | None] = mapped_column(String(32))  # a serious_delay incident
    security_profile_on = mapped_column(Date)  # first security profile filed (第三十条, 第三十一条)
    classified: Mapped[bool] = mapped_column(Boolean, default=False)


class ProjectUnitRow(Base):
    """A unit that reads the project's records: its owner and each co-builder (第十四条)."""

    __tablename__ = "project_units"

    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # owner | co_builder


class DeadlineRow(Base):
    """One deadline of docs/regulation.md §11, with its ledger of moves (who, when, why, article)."""

    __tablename__ = "deadlines"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # kind:project[:ref]
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    article: Mapped[int] = mapped_column(Integer)
    due_on = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open|suspended|met|missed|void
    ledger = mapped_column(JSON, nullable=False, default=list)


class SuspensionRow(Base):
    """A suspension of the project's construction — a sanction's (第三十四条) or the approving
    body's (第十九条) — from its first day until it ends. The clocks stand still while any
    suspension of the project stands."""

    __tablename__ = "suspensions"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)  # sanction:SN-… | incident:IN-…
    since = mapped_column(Date, nullable=False)
    until = mapped_column(Date)


class AuditRow(Base):
    """An audit engagement (第三十五条)."""

    __tablename__ = "audits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_on = mapped_column(Date, nullable=False)


class ReferralRow(Base):
    """Disciplinary and judicial referrals (第三十七条–第三十九条)."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    articles = mapped_column(JSON, nullable=False)
    description: Mapped[str] = mapped_column(Text)
    finding: Mapped[str | None] = mapped_column(String(32))
    referred_by: Mapped[str] = mapped_column(String(200))
    referred_on = mapped_column(Date, nullable=False)
