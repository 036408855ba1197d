"""finance: a contract serves one purpose, construction or O&M, and pays only that purpose
(第十七条). A contract filed before is a construction contract (the default), unless what it
has paid so far was O&M money only."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0006"
down_revision = "finance_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("purpose", sa.String(16), nullable=False, server_default="construction"))
    paid = (
        "SELECT 1 FROM disbursements d WHERE d.project_code = contracts.project_code "
        "AND d.contract_no = contracts.contract_no AND d.status = 'paid' AND d.purpose = "
    )
    op.execute(
        f"UPDATE contracts SET purpose = 'om' WHERE EXISTS ({paid}'om') AND NOT EXISTS ({paid}'construction')"
    )


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_column("purpose")
