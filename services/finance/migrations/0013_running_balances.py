"""finance: running balances (issue 19, reads that do not grow) — ``ledger_balances`` holds, per
project, purpose, level and budget year, the sums ``domain.balances`` makes of the ledger entries,
moved from now on by the transaction that writes each entry. Backfilled here from the entries
already written, by the same rule (frozen below as it stands at this revision): a database from
before answers the same balances after the upgrade. Amounts are integer fen (BigInteger), so the
sums are exact on SQLite and PostgreSQL alike."""

import sqlalchemy as sa
from alembic import op

revision = "finance_0013"
down_revision = "finance_0012"
branch_labels = None
depends_on = None

# domain.moved at this revision: which figure each entry kind moves, and its sign in ``available``
_FIGURES = {
    "approved": {"budget": 1, "budget_change": 1},
    "disbursed": {"payment": 1},
    "withheld": {"withholding": 1, "release": -1},
    "returned": {"surplus_return": 1},
    "available": {
        "budget": 1,
        "budget_change": 1,
        "payment": -1,
        "withholding": -1,
        "release": 1,
        "surplus_return": -1,
    },
    "to_recover": {"recovery_due": 1},
}


def upgrade() -> None:
    op.create_table(
        "ledger_balances",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("purpose", sa.String(16), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        *(sa.Column(f, sa.BigInteger, nullable=False, server_default="0") for f in _FIGURES),
        sa.Column("budget_recorded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_entry_id", sa.Integer, nullable=False),
    )
    entries = sa.table(
        "ledger_entries",
        *(sa.column(c, sa.String) for c in ("project_code", "purpose", "level", "kind")),
        sa.column("year", sa.Integer),
        sa.column("fen", sa.BigInteger),
        sa.column("id", sa.Integer),
    )
    balances = sa.table(
        "ledger_balances",
        *(sa.column(c) for c in ("project_code", "purpose", "level", "year")),
        *(sa.column(f) for f in _FIGURES),
        sa.column("budget_recorded"),
        sa.column("first_entry_id"),
    )

    def total(signs: dict[str, int]) -> sa.ColumnElement:
        moved = sa.case(
            *((entries.c.kind == kind, entries.c.fen * sign) for kind, sign in signs.items()), else_=0
        )
        return sa.cast(sa.func.sum(moved), sa.BigInteger)

    keys = (entries.c.project_code, entries.c.purpose, entries.c.level, entries.c.year)
    op.execute(
        balances.insert().from_select(
            [*(c.name for c in keys), *_FIGURES, "budget_recorded", "first_entry_id"],
            sa.select(
                *keys,
                *(total(signs) for signs in _FIGURES.values()),
                sa.func.max(sa.case((entries.c.kind == "budget", 1), else_=0)) == 1,
                sa.func.min(entries.c.id),
            ).group_by(*keys),
        )
    )


def downgrade() -> None:
    op.drop_table("ledger_balances")
