"""supervision: co-building units see the project's timeline and findings, like its owner; the
regulation version the project is pinned to travels on supervision's own events; the date
construction finished ends the annual reports; whether the project is classified (its timeline's
details are then for its unit and the secrecy bureau only)."""
import sqlalchemy as sa
from alembic import op

revision = "supervision_0006"
down_revision = "supervision_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.add_column(sa.Column("co_builders", sa.JSON, nullable=False,
                                   server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("regulation_version", sa.String(64)))
        batch.add_column(sa.Column("completed_on", sa.Date))
        batch.add_column(sa.Column("classified", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.drop_column("classified")
        batch.drop_column("completed_on")
        batch.drop_column("regulation_version")
        batch.drop_column("co_builders")
