"""acceptance: the projects it knows from their registration — owner, co-builders and pinned
regulation — so every read checks the caller before saying anything of a project, and an
archive that is not approved yet still lists what acceptance will need. Approved projects
already on file are known with their owner (their co-builders come with no earlier event)."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0007"
down_revision = "acceptance_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_projects",
        sa.Column("project_code", sa.String(32), primary_key=True),
        sa.Column("owner_unit", sa.String(64), nullable=False),
        sa.Column("co_builders", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("regulation_version", sa.String(64), nullable=False),
    )
    op.execute(
        "INSERT INTO known_projects (project_code, owner_unit, regulation_version) "
        "SELECT project_code, unit, regulation_version FROM acceptance_files"
    )


def downgrade() -> None:
    op.drop_table("known_projects")
