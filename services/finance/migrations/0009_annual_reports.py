"""finance: the annual reports the unit files (第十六条: progress and budget execution, reported
to the approving body and to finance), as acceptance's annual_report_filed tells them."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0009"
down_revision = "finance_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annual_reports",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("on_time", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("annual_reports")
