"""security: files, classified contents, assessments."""

import sqlalchemy as sa
from alembic import op

revision = "security_0002"
down_revision = "security_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_files",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("owner_unit", sa.String(64), nullable=False),
        sa.Column("classified", sa.Boolean, nullable=False),
        sa.Column("regulation_version", sa.String(64), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("profile", sa.JSON),
        sa.Column("secrecy_decision", sa.String(16)),
        sa.Column("secrecy_comments", sa.Text),
        sa.Column("secrecy_decided_on", sa.Date),
        sa.Column("duties_reported", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.create_table(
        "classified_contents",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("goals", sa.Text),
        sa.Column("content", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("details", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("report_document", sa.String(300)),
        sa.Column("filed_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("assessments", "classified_contents", "security_files"):
        op.drop_table(table)
