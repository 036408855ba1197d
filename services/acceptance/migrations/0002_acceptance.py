"""acceptance: archive, acceptance files, annual reports, post-evaluations."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0002"
down_revision = "acceptance_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("doc_type", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_code", "doc_type", "version"),
    )
    op.create_table(
        "acceptance_files",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("regulation_version", sa.String(64), nullable=False),
        sa.Column("completed_on", sa.Date),
        sa.Column("acceptance_due", sa.Date),
        sa.Column("clock_ledger", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("extension", sa.JSON),
        sa.Column("applied_on", sa.Date),
        sa.Column("decision", sa.JSON),
        sa.Column("live_on", sa.Date),
        sa.Column("self_evaluation", sa.JSON),
    )
    op.create_table(
        "annual_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("progress", sa.Text, nullable=False),
        sa.Column("budget_execution", sa.Text, nullable=False),
        sa.Column("trial_run_effects", sa.Text),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("on_time", sa.Boolean, nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("project_code", "year"),
    )
    op.create_table(
        "post_evaluations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("evaluator", sa.String(200), nullable=False),
        sa.Column("commissioned_by", sa.String(200), nullable=False),
        sa.Column("commissioned_on", sa.Date, nullable=False),
        sa.Column("report", sa.JSON),
    )


def downgrade() -> None:
    for table in ("post_evaluations", "annual_reports", "acceptance_files", "archive_documents"):
        op.drop_table(table)
