"""finance: a contract is filed as its text (第十三条 合同文本报…备案): the text's SHA-256 and,
optionally, where the document is. Contracts filed before this revision have neither."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0008"
down_revision = "finance_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("text_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("document", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_column("document")
        batch.drop_column("text_sha256")
