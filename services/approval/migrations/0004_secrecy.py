"""approval: the secrecy bureau's decisions (第四条)."""

import sqlalchemy as sa
from alembic import op

revision = "approval_0004"
down_revision = "approval_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secrecy_decisions",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("secrecy_decisions")
