"""security: a project's co-builders (from its registration), who read its security file as
its owner does (docs/regulation.md §1). Files registered before this revision have none recorded."""

import sqlalchemy as sa
from alembic import op

revision = "security_0004"
down_revision = "security_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("security_files") as batch:
        batch.add_column(sa.Column("co_builders", sa.JSON, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("security_files") as batch:
        batch.drop_column("co_builders")
