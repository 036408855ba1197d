"""approval: centralized review rounds, opinions, DRC decisions, approval (第四条, 第八条, 第九条)."""

import sqlalchemy as sa
from alembic import op

revision = "approval_0002"
down_revision = "approval_0001"
branch_labels = None
depends_on = None

CASE_COLUMNS = (
    ("round_id", sa.String(32)),
    ("opinion", sa.JSON),
    ("issued_on", sa.Date),
    ("drc_decision", sa.String(16)),
    ("drc_investment", sa.Numeric(18, 2)),
    ("drc_document_no", sa.String(100)),
    ("approved_on", sa.Date),
)


def upgrade() -> None:
    with op.batch_alter_table("review_cases") as batch:
        for name, type_ in CASE_COLUMNS:
            batch.add_column(sa.Column(name, type_))
        batch.add_column(
            sa.Column("secrecy_confirmed", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "review_rounds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("case_ids", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_on", sa.Date),
    )


def downgrade() -> None:
    op.drop_table("review_rounds")
    with op.batch_alter_table("review_cases") as batch:
        for name, _ in (*CASE_COLUMNS, ("secrecy_confirmed", None)):
            batch.drop_column(name)
