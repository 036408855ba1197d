"""planning: what a classified project has on file with security (types only, 第四条)."""

import sqlalchemy as sa
from alembic import op

revision = "planning_0005"
down_revision = "planning_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("classified_material", sa.JSON, nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("classified_material")
