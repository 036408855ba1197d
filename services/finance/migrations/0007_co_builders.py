"""finance: a project's co-builders (from its registration), who read its funds as its owner
does (docs/regulation.md §1); finance now knows a project, and its owner, from its registration.
Funding files from before this revision have none recorded."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0007"
down_revision = "finance_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funding_files") as batch:
        batch.add_column(sa.Column("co_builders", sa.JSON, nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("funding_files") as batch:
        batch.drop_column("co_builders")
