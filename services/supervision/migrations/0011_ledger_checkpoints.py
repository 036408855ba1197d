"""supervision: reads of the audit ledger that do not grow (issue 19) — signed checkpoints of
the verified chain (verification goes on from the newest), the background full re-verification
with its progress, and the ledger indexed by project and seq (a project's timeline in pages)."""

import sqlalchemy as sa
from alembic import op

revision = "supervision_0011"
down_revision = "supervision_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_ledger_checkpoints",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    op.create_table(
        "audit_ledger_verifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("target_seq", sa.Integer, nullable=False),
        sa.Column("target_hash", sa.String(64), nullable=False),
        sa.Column("verified", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ok", sa.Boolean),
        sa.Column("problems", sa.JSON),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("heartbeat_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
    )
    op.create_index("ix_audit_ledger_project_seq", "audit_ledger", ["project_code", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_ledger_project_seq", "audit_ledger")
    op.drop_table("audit_ledger_verifications")
    op.drop_table("audit_ledger_checkpoints")
