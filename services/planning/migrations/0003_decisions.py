"""planning: the reviewing and approving bodies' decisions on the register (第四条, 第九条)."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0003"
down_revision = "planning_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("decisions", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("approved_amount", sa.Numeric(18, 2)))
        batch.add_column(sa.Column("approved_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        for name in ("approved_on", "approved_amount", "decisions"):
            batch.drop_column(name)
