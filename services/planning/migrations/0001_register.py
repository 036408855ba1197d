"""planning: platform tables and the project register."""
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
        sa.Column("regulation_version", sa.String(64), nullable=False),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("submissions", sa.Integer, nullable=False),
    )
    op.create_table(
        "code_sequences",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("code_sequences")
    op.drop_table("projects")
    platform_migrations.drop_v1(op)
