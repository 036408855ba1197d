"""security: the secrecy bureau's own declaration that a project is classified (第四条: 涉密项目有关
事宜的审查确认 — not only the unit's self-declaration), and the bureau's inspections of a
classified project's secrecy work and their findings (对项目建设使用单位保密业务进行监督管理),
kept here only."""

import sqlalchemy as sa
from alembic import op

revision = "security_0005"
down_revision = "security_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("security_files") as batch:
        batch.add_column(sa.Column("classified_by_bureau", sa.JSON))
    op.create_table(
        "secrecy_inspections",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project_code", sa.String(32), nullable=False, index=True),
        sa.Column("inspected_on", sa.Date, nullable=False),
        sa.Column("inspected_by", sa.String(200), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("conclusion", sa.String(16), nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("recorded_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("secrecy_inspections")
    with op.batch_alter_table("security_files") as batch:
        batch.drop_column("classified_by_bureau")
