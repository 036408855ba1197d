"""acceptance: a self-evaluation missing at the window's close is reported once (第二十四条)."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0003"
down_revision = "acceptance_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.add_column(sa.Column("self_evaluation_missed_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.drop_column("self_evaluation_missed_on")
