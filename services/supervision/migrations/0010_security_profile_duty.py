"""supervision: the day each project's security profile was first filed (第三十条, 第三十一条),
so that a profile filed before the first contract meets the duty that contract opens."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0010"
down_revision = "supervision_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.add_column(sa.Column("security_profile_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.drop_column("security_profile_on")
