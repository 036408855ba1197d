"""finance: a funding file knows its project's kind (construction or O&M, 第三条) and every
ledger entry the budget year it belongs to (第十一条 annual budget arrangements). Files from
before this revision are construction projects (finance did not learn the kind); an entry's
year is the year of its date."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0010"
down_revision = "finance_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funding_files") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="construction"))
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("year", sa.Integer, nullable=True))
    entries = sa.table("ledger_entries", sa.column("year", sa.Integer), sa.column("on_date", sa.Date))
    op.execute(entries.update().values(year=sa.cast(sa.extract("year", entries.c.on_date), sa.Integer)))
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("year", existing_type=sa.Integer, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("year")
    with op.batch_alter_table("funding_files") as batch:
        batch.drop_column("kind")
