"""approval: a project's incidents read in keyset pages (issue 19) by (project, day reported,
id) — an index range."""

from alembic import op

revision = "approval_0009"
down_revision = "approval_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_project_reported", "incidents", ["project_code", "reported_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_incidents_project_reported", "incidents")
