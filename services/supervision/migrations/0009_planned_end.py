"""supervision: each project's planned end of construction (the registered schedule's end,
moved by an approved change) and the serious delay its unit reported, if any — so that a project
past its planned end unfinished is listed by the deadline engine and, unreported, becomes a
finding asking the unit to report it (第十九条). Projects registered before are left without a
planned end: their registration did not carry it."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0009"
down_revision = "supervision_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.add_column(sa.Column("planned_end", sa.Date))
        batch.add_column(sa.Column("delay_reported", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.drop_column("delay_reported")
        batch.drop_column("planned_end")
