"""finance: whether a project is classified and the secrecy bureau's decision on it (第四条), learned
from project_registered, project_classified and secrecy_review_decided — a classified project is
paid only once the bureau has confirmed it (the payment gate ``secrecy_review``). Rows from before
this revision: not classified, no decision (a self-declared classified project was approved only
after the bureau's confirmation, so nothing paid before is refused now)."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0012"
down_revision = "finance_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funding_files") as batch:
        batch.add_column(sa.Column("classified", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("secrecy_decision", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("funding_files") as batch:
        batch.drop_column("secrecy_decision")
        batch.drop_column("classified")
