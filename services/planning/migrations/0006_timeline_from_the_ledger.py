"""planning: a project's timeline is read from supervision's hash-chained ledger of every event
(docs/regulation.md §13). Planning's own table is no longer written; its rows are kept, renamed, so
entries recorded before the change are not lost."""

from alembic import op

revision = "planning_0006"
down_revision = "planning_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("timeline", "timeline_archive")


def downgrade() -> None:
    op.rename_table("timeline_archive", "timeline")
