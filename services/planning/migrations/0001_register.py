"""planning: platform tables, the project register, documents, timeline."""

import sqlalchemy as sa
from alembic import op

from shared.persistence import platform_migrations

revision = "planning_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migrations.create_v1(op)
    op.create_table(
        "projects",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("plan_item", sa.String(64)),
        sa.Column("budget_total", sa.Numeric(18, 2), nullable=False),
        sa.Column("fixed_asset_investment", sa.Boolean, nullable=False),
        sa.Column("new_civil_works", sa.Boolean, nullable=False),
        sa.Column("classified", sa.Boolean, nullable=False),
        sa.Column("national_ministry", sa.Boolean, nullable=False),
        sa.Column("co_builders", sa.JSON, nullable=False),
        sa.Column("co_builder_units", sa.Text, nullable=False),
        sa.Column("shares", sa.JSON, nullable=False),
        sa.Column("schedule_start", sa.Date),
        sa.Column("schedule_end", sa.Date),
        sa.Column("location", sa.Text),
        sa.Column("goals", sa.Text),
        sa.Column("content", sa.Text),
        sa.Column("catalog", sa.JSON, nullable=False),
        sa.Column("regulation_version", sa.String(64), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("submissions", sa.Integer, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("doc_type", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_code", "doc_type", "version"),
    )
    op.create_table(
        "timeline",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_table(
        "code_sequences",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("code_sequences", "timeline", "documents", "projects"):
        op.drop_table(table)
    platform_migrations.drop_v1(op)
