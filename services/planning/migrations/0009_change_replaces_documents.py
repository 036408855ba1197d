"""planning: after approval the construction plan and the investment budget are replaced only
under an approved change (第十七条, 第十八条), each change once per document — which documents a
change has replaced. Changes from before this revision have replaced none."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0009"
down_revision = "planning_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_requests") as batch:
        batch.add_column(sa.Column("documents_replaced", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_requests") as batch:
        batch.drop_column("documents_replaced")
