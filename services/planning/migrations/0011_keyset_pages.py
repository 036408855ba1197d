"""planning: the lists read in keyset pages (issue 19) read an index range — a project's change
requests by (project, day requested, id), and the annual plans of a page of plans by plan."""

from alembic import op

revision = "planning_0011"
down_revision = "planning_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_change_requests_project_requested", "change_requests", ["project_code", "requested_on", "id"]
    )
    op.create_index("ix_annual_plans_plan_id", "annual_plans", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_annual_plans_plan_id", "annual_plans")
    op.drop_index("ix_change_requests_project_requested", "change_requests")
