"""supervision: rectification on findings, deadlines, audits, referrals, supervised projects."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0005"
down_revision = "supervision_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.alter_column("status", type_=sa.String(32))
        batch.add_column(sa.Column("rectification_deadline", sa.Date))
        batch.add_column(sa.Column("history", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "supervised_projects",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("owner_unit", sa.String(64), nullable=False),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("article", sa.Integer, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("ledger", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "audits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("finding", sa.String(32)),
        sa.Column("referred_by", sa.String(200), nullable=False),
        sa.Column("referred_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    for table in ("referrals", "audits", "deadlines", "supervised_projects"):
        op.drop_table(table)
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("history")
        batch.drop_column("rectification_deadline")
