"""approval: platform tables and review cases."""

import sqlalchemy as sa
from alembic import op

from shared.persistence import platform_migrations

revision = "approval_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migrations.create_v1(op)
    op.create_table(
        "review_cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("submission", sa.Integer, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("budget_total", sa.Numeric(18, 2), nullable=False),
        sa.Column("fixed_asset_investment", sa.Boolean, nullable=False),
        sa.Column("classified", sa.Boolean, nullable=False),
        sa.Column("regulation_version", sa.String(64), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.UniqueConstraint("project_code", "submission"),
    )


def downgrade() -> None:
    op.drop_table("review_cases")
    platform_migrations.drop_v1(op)
