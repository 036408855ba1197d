"""approval: adjustment reviews (第十八条) and incidents (第十九条)."""

import sqlalchemy as sa
from alembic import op

revision = "approval_0003"
down_revision = "approval_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_reviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(5000), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_on", sa.Date),
        sa.Column("comments", sa.String(5000), nullable=False, server_default=""),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("description", sa.String(5000), nullable=False),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    )


def downgrade() -> None:
    op.drop_table("incidents")
    op.drop_table("change_reviews")
