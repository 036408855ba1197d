"""planning: national-ministry consent and filing (第十条), sharing-platform status (第二十九条),
change requests (第十八条), suspension (第十九条)."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0004"
down_revision = "planning_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("national", sa.JSON, nullable=False, server_default=sa.text("'{}'")))
        batch.add_column(sa.Column("sharing", sa.JSON))
        batch.add_column(sa.Column("status_before_suspension", sa.String(32)))
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("decided_on", sa.Date),
        sa.Column("comments", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("change_requests")
    with op.batch_alter_table("projects") as batch:
        for name in ("status_before_suspension", "sharing", "national"):
            batch.drop_column(name)
