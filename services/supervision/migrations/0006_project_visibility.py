"""supervision: which units read a project's records (its owner and its co-builders, one row
each, so a unit's lists are one indexed lookup); the regulation version the project is pinned to
(it travels on supervision's own events); the date construction finished (annual reports end);
whether the project is classified (its timeline's details are then for its unit and the secrecy
bureau only)."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0006"
down_revision = "supervision_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervised_projects") as batch:
        batch.add_column(sa.Column("regulation_version", sa.String(64)))
        batch.add_column(sa.Column("completed_on", sa.Date))
        batch.add_column(sa.Column("classified", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "project_units",
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),  # owner | co_builder
    )
    op.execute(
        "INSERT INTO project_units (unit, project_code, role) "
        "SELECT owner_unit, project_code, 'owner' FROM supervised_projects"
    )


def downgrade() -> None:
    op.drop_table("project_units")
    with op.batch_alter_table("supervised_projects") as batch:
        batch.drop_column("classified")
        batch.drop_column("completed_on")
        batch.drop_column("regulation_version")
