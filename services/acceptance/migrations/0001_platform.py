"""acceptance: platform tables (outbox, inbox, simulated clock, calendar years)."""

from alembic import op

from shared.persistence import platform_migrations

revision = "acceptance_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_migrations.create_v1(op)


def downgrade() -> None:
    platform_migrations.drop_v1(op)
