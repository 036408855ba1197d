"""acceptance: each project's approving body (项目审批部门: drc for a project the DRC approved as
a fixed-asset investment, else office), learned from its approval, so that only that body
decides its acceptance and extensions (第二十二条, 第二十三条); and the delegation of an
acceptance to the unit (第二十二条 委托项目建设单位组织). Projects approved before are left
without a known body (the role matrix alone applies to them), as their approval did not say."""

import sqlalchemy as sa
from alembic import op

revision = "acceptance_0008"
down_revision = "acceptance_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_projects") as batch:
        batch.add_column(sa.Column("approving_body", sa.String(8)))
    with op.batch_alter_table("acceptance_files") as batch:
        batch.add_column(sa.Column("delegation", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("acceptance_files") as batch:
        batch.drop_column("delegation")
    with op.batch_alter_table("known_projects") as batch:
        batch.drop_column("approving_body")
