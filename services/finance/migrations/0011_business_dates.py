"""finance: each ledger entry and each disbursement request records the business date it
happened on (the publisher's today — the simulated day under a simulated clock) beside its
recorded time (issue 18). Rows from before this revision take their own date: an entry's
``on_date``, a request's ``requested_on`` (both the day of the act on the clock of then)."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0011"
down_revision = "finance_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("business_date", sa.Date, nullable=True))
    with op.batch_alter_table("disbursements") as batch:
        batch.add_column(sa.Column("business_date", sa.Date, nullable=True))
    entries = sa.table("ledger_entries", sa.column("business_date", sa.Date), sa.column("on_date", sa.Date))
    op.execute(
        entries.update().where(entries.c.business_date.is_(None)).values(business_date=entries.c.on_date)
    )
    requests = sa.table(
        "disbursements", sa.column("business_date", sa.Date), sa.column("requested_on", sa.Date)
    )
    op.execute(
        requests.update()
        .where(requests.c.business_date.is_(None))
        .values(business_date=requests.c.requested_on)
    )


def downgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.drop_column("business_date")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("business_date")
