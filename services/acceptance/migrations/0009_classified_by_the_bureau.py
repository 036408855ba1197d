"""acceptance: whether the secrecy bureau declared the project classified (第四条) — its archive's
document versions left this store then, and a filing announced before that, arriving late, is
not archived here (the documents are held by the security service)."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0009"
down_revision = "acceptance_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_projects") as batch:
        batch.add_column(sa.Column("classified", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("known_projects") as batch:
        batch.drop_column("classified")
