"""finance: a contract's filing deadline is the deadline engine's (supervision) — finance keeps the
dates it was signed and filed, not a second computation of whether that was in time."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0004"
down_revision = "finance_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        for column in ("due_on", "late", "provisional"):
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("due_on", sa.Date))
        batch.add_column(sa.Column("late", sa.Boolean))
        batch.add_column(sa.Column("provisional", sa.Boolean))
