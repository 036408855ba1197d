"""security: what it knows of a project's approval and approved changes, from approval's events
(project_approved, change_decided, change_reapproved) — after approval a classified project's
construction plan or investment budget filed here is replaced only under an approved change that
has not replaced it yet (第十七条, 第十八条), the register's rule (shared.documents). Rows from
before this revision: not known approved, no approved change (the next approval event, or none)."""

import sqlalchemy as sa
from alembic import op

revision = "security_0006"
down_revision = "security_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("security_files") as batch:
        batch.add_column(sa.Column("approved_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("approved_changes", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("security_files") as batch:
        batch.drop_column("approved_changes")
        batch.drop_column("approved_on")
