"""planning: the provincial plan and annual guidance plans (第五条)."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0002"
down_revision = "planning_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("start_year", sa.Integer, nullable=False),
        sa.Column("end_year", sa.Integer, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approved_on", sa.Date),
        sa.Column("approved_by", sa.String(200)),
    )
    op.create_table(
        "annual_plans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("plan_id", sa.String(32), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("annual_plans")
    op.drop_table("plans")
