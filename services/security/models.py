"""Security's own database: projects it knows of, profiles, assessments, evaluations, secrecy
reviews — and the ONLY copy of a classified project's content (docs/regulation.md §13)."""

from sqlalchemy import JSON, Boolean, Date, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.persistence import PlatformTables

metadata = MetaData()
platform = PlatformTables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class SecurityFileRow(Base):
    __tablename__ = "security_files"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_unit: Mapped[str] = mapped_column(String(64))
    co_builders = mapped_column(JSON, nullable=False, default=list)  # unit codes: they read
    classified: Mapped[bool] = mapped_column(Boolean)
    regulation_version: Mapped[str] = mapped_column(String(64))
    registered_on = mapped_column(Date, nullable=False)
    profile = mapped_column(JSON)  # protection, crypto, products
    secrecy_decision: Mapped[str | None] = mapped_column(String(16))
    secrecy_comments: Mapped[str | None] = mapped_column(Text)
    secrecy_decided_on = mapped_column(Date)
    duties_reported = mapped_column(JSON, nullable=False, default=dict)  # duty → due reported
    # the bureau's own declaration (第四条): {declared_on, by, comments}; None if self-declared
    classified_by_bureau = mapped_column(JSON)
    # approval's facts (第十七条, 第十八条): the approval date, and each approved change in the order
    # heard, [{id, replaced: [doc types it has replaced here]}]
    approved_on = mapped_column(Date)
    approved_changes = mapped_column(JSON)


class ClassifiedContentRow(Base):
    """涉密 content: goals, content, location and documents. Never published, never copied."""

    __tablename__ = "classified_contents"

    project_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    goals: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    details = mapped_column(JSON, nullable=False, default=dict)


class SecrecyInspectionRow(Base):
    """The secrecy bureau's inspection of a classified project's secrecy work and its findings
    (第四条 对项目建设使用单位保密业务进行监督管理). Never published: only the bureau and the
    owning unit read it."""

    __tablename__ = "secrecy_inspections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    inspected_on = mapped_column(Date, nullable=False)
    inspected_by: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(String(16))  # compliant | non_compliant
    findings = mapped_column(JSON, nullable=False)  # [{description, rectify_by}]
    recorded_on = mapped_column(Date, nullable=False)


class AssessmentRow(Base):
    """Risk assessments (第三十条) and cryptography evaluations (第三十一条)."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # risk_assessment | crypto_evaluation
    on_date = mapped_column(Date, nullable=False)
    result: Mapped[str] = mapped_column(Text)
    report_document: Mapped[str | None] = mapped_column(String(300))
    filed_by: Mapped[str] = mapped_column(String(200))
