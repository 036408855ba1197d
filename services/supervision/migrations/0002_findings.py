"""supervision: findings (第三十四条)."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0002"
down_revision = "supervision_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("found_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("findings")
