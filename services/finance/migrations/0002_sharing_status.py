"""finance: the sharing-platform status its 第二十九条 gate reads."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0002"
down_revision = "finance_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_status",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("connected", sa.Boolean, nullable=False),
        sa.Column("sharing_compliant", sa.Boolean, nullable=False),
        sa.Column("checked_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sharing_status")
