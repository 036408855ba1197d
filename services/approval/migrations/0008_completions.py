"""approval: the projects whose construction is finished (acceptance's construction_completed),
so a 第十九条 suspension is refused once the project is no longer under construction."""

import sqlalchemy as sa
from alembic import op

revision = "approval_0008"
down_revision = "approval_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completions",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("completed_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("completions")
