"""approval: a change is reviewed, not granted (第十八条) — the reviewer's approved amount of a
budget change (integer fen) and, for a fixed-asset project, the DRC's re-approval (第四条).
Changes decided before this revision keep neither (their amount was the requested one, which
the register and finance already applied)."""

import sqlalchemy as sa
from alembic import op

revision = "approval_0007"
down_revision = "approval_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_reviews") as batch:
        batch.add_column(sa.Column("approved_amount_fen", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("drc", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_reviews") as batch:
        batch.drop_column("drc")
        batch.drop_column("approved_amount_fen")
