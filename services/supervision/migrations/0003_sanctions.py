"""supervision: sanctions (第三十四条)."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0003"
down_revision = "supervision_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sanctions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("finding", sa.String(32)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("imposed_by", sa.String(200), nullable=False),
        sa.Column("imposed_on", sa.Date, nullable=False),
        sa.Column("lifted_on", sa.Date),
        sa.Column("lift_reason", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("sanctions")
