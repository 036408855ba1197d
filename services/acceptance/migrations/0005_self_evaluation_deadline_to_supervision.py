"""acceptance: the self-evaluation window's miss is the deadline engine's (supervision) to find;
acceptance no longer scans for it."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0005"
down_revision = "acceptance_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.drop_column("self_evaluation_missed_on")


def downgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.add_column(sa.Column("self_evaluation_missed_on", sa.Date))
