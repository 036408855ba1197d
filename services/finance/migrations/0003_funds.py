"""finance: funding files, the ledger (fen), contracts, disbursements."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0003"
down_revision = "finance_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_files",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("regulation_version", sa.String(64)),
        sa.Column("owner_unit", sa.String(64)),
        *[
            sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false())
            for name in (
                "favourable_opinion",
                "fixed_asset_investment",
                "drc_approved",
                "approved",
                "construction_completed",
                "acceptance_passed",
                "terminated",
            )
        ],
        sa.Column("approved_fen", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("withholding_sanctions", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("suspensions", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("fen", sa.BigInteger, nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.UniqueConstraint("project_code", "purpose", "level", "kind", "ref"),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("contract_no", sa.String(100), nullable=False),
        sa.Column("supplier", sa.String(300), nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("project_code", "contract_no"),
    )
    op.create_table(
        "disbursements",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16)),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("contract_no", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failed_gates", sa.JSON, nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    for table in ("disbursements", "contracts", "ledger_entries", "funding_files"):
        op.drop_table(table)
