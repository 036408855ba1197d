"""planning: the register keeps each standing suspension (第十九条 ``incident:<id>``, 第三十四条
``sanction:<id>``), so a project suspended twice resumes only when both are lifted. A project
suspended before this revision keeps its one suspension as ``unnamed`` (the old row did not say
which): a suspension named later stands beside it, and the first lifting not otherwise known
ends the unnamed one (domain.Project.resume)."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0010"
down_revision = "planning_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("suspensions", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
    op.execute("""UPDATE projects SET suspensions = '["unnamed"]' WHERE status = 'suspended'""")


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("suspensions")
