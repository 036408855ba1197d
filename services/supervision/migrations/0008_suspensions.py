"""supervision: the suspensions of a project's construction, each until it ends — a sanction's
(第三十四条) or the approving body's (第十九条) — so its clocks stand still while any of them
stands, and a 第十九条 resumption that overtakes its suspension waits for it. Active suspension
sanctions already on file become standing suspensions."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0008"
down_revision = "supervision_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suspensions",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("ref", sa.String(64), primary_key=True),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("until", sa.Date),
    )
    op.execute(
        "INSERT INTO suspensions (project_code, ref, since) "
        "SELECT project_code, 'sanction:' || id, imposed_on FROM sanctions "
        "WHERE type = 'suspend' AND status = 'active'"
    )


def downgrade() -> None:
    op.drop_table("suspensions")
