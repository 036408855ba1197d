"""approval: request outcomes (succeeded or refused) for GET /requests/{id}."""

from alembic import op

from shared.persistence.platform_migrations import downgrade_v2, upgrade_v2

revision = "approval_0005"
down_revision = "approval_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_v2(op)


def downgrade() -> None:
    downgrade_v2(op)
