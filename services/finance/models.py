"""Finance's own database: funding files learned from events, budgets and payments as an
append-only ledger in fen (with its running balances), contracts, disbursement requests (paid
and refused)."""

from sqlalchemy import (
    JSON,
    BigInteger,
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


class SharingStatusRow(Base):
    """The latest sharing-platform check per project (第二十九条 gate)."""

    __tablename__ = "sharing_status"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    connected: Mapped[bool] = mapped_column(Boolean)
    sharing_compliant: Mapped[bool] = mapped_column(Boolean)
    checked_on = mapped_column(Date, nullable=False)
    recorded_at = mapped_column(DateTime(timezone=True), nullable=False)


class AnnualReportRow(Base):
    """第十六条: the unit reports its budget execution to finance too — each report as
    acceptance's event tells it (its text is read from GET /projects/{code}/annual-reports)."""

    __tablename__ = "annual_reports"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    filed_on = mapped_column(Date, nullable=False)
    on_time: Mapped[bool] = mapped_column(Boolean)


class FundingFileRow(Base):
    """What the gates know of a project; locked by every disbursement of the project."""

    __tablename__ = "funding_files"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    regulation_version: Mapped[str | None] = mapped_column(String(64))
    owner_unit: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="construction")  # or om (第三条)
    co_builders = mapped_column(JSON, nullable=False, default=list)  # unit codes: they read
    favourable_opinion: Mapped[bool] = mapped_column(Boolean, default=False)
    fixed_asset_investment: Mapped[bool] = mapped_column(Boolean, default=False)
    drc_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    construction_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    acceptance_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    withholding_sanctions = mapped_column(JSON, nullable=False, default=list)
    suspensions = mapped_column(JSON, nullable=False, default=list)  # sanction / incident ids
    terminated: Mapped[bool] = mapped_column(Boolean, default=False)
    # 第四条: a classified project (self-declared or declared by the secrecy bureau) and the
    # bureau's review of it (confirm | refuse; None while pending)
    classified: Mapped[bool] = mapped_column(Boolean, default=False)
    secrecy_decision: Mapped[str | None] = mapped_column(String(16))


class MoneyLedgerEntryRow(Base):
    """The money ledger (in fen): append-only. Idempotent by (project, purpose, level, kind, ref)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("project_code", "purpose", "level", "kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    fen: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)  # the budget year it belongs to (第十一条)
    on_date = mapped_column(Date, nullable=False)
    at = mapped_column(DateTime(timezone=True), nullable=False)  # recorded (real time)
    business_date = mapped_column(Date)  # the day of the act (simulated day); finance_0011
    actor: Mapped[str] = mapped_column(String(200))
    articles = mapped_column(JSON, nullable=False)


class LedgerBalanceRow(Base):
    """A running balance (issue 19): the figures of ``domain.balances`` over the ledger entries of
    one project, purpose, level and budget year, moved by the transaction that writes each entry
    (``application._entry``), so a command reads a few rows instead of the project's history.
    Kept per year because a payment spends only the years up to its own (第十一条)."""

    __tablename__ = "ledger_balances"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    approved: Mapped[int] = mapped_column(BigInteger, default=0)
    disbursed: Mapped[int] = mapped_column(BigInteger, default=0)
    withheld: Mapped[int] = mapped_column(BigInteger, default=0)
    returned: Mapped[int] = mapped_column(BigInteger, default=0)
    available: Mapped[int] = mapped_column(BigInteger, default=0)
    to_recover: Mapped[int] = mapped_column(BigInteger, default=0)
    # a budget review's entry (kind ``budget``) is among them: the year's budget of this purpose
    # is recorded (第十一条, once a year)
    budget_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    # the id of its first entry: balances list purposes and levels in the order they first moved
    first_entry_id: Mapped[int] = mapped_column(Integer)


class ContractRow(Base):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("project_code", "contract_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    contract_no: Mapped[str] = mapped_column(String(100))
    supplier: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(16), default="construction")  # or om
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    signed_on = mapped_column(Date, nullable=False)
    filed_on = mapped_column(Date, nullable=False)
    products = mapped_column(JSON, nullable=False)
    filed_by: Mapped[str] = mapped_column(String(200))
    # the contract text filed (第十三条): its digest, and where the text is (optional); None
    # only for contracts filed before texts were (finance_0008)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[str | None] = mapped_column(String(300))


class DisbursementRow(Base):
    """Every request, paid or refused (a refusal is recorded too)."""

    __tablename__ = "disbursements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    contract_no: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    failed_gates = mapped_column(JSON, nullable=False)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_on = mapped_column(Date, nullable=False)
    at = mapped_column(DateTime(timezone=True), nullable=False)  # recorded (real time)
    business_date = mapped_column(Date)  # the day of the act (simulated day); finance_0011
    note: Mapped[str | None] = mapped_column(Text)
