"""security: a classified project's secrecy inspections read in keyset pages (issue 19) by
(project, day inspected, id) — an index range."""

from alembic import op

revision = "security_0007"
down_revision = "security_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_secrecy_inspections_project_inspected",
        "secrecy_inspections",
        ["project_code", "inspected_on", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_secrecy_inspections_project_inspected", "secrecy_inspections")
