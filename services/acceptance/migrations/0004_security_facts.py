"""acceptance: the security facts it checks at acceptance (第三十条–第三十二条)."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0004"
down_revision = "acceptance_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.add_column(sa.Column("security", sa.JSON, nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.drop_column("security")
