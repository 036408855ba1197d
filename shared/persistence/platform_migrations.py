"""Frozen DDL steps for the platform tables, called from each service's Alembic revisions.

Never edit a published step: a change to the platform tables is a new ``vN`` function and a new
revision in every service.
"""

from typing import Any

import sqlalchemy as sa


def create_v1(op: Any) -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("exchange", sa.String(200), nullable=False),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("project_code", sa.String(64)),
        sa.Column("correlation_id", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "seq"])
    op.create_table(
        "processed_messages",
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id"),
    )
    op.create_table(
        "simulated_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("today", sa.Date, nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(100)),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("holidays", sa.Text, nullable=False),
        sa.Column("workdays", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(100)),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key"),
    )


def drop_v1(op: Any) -> None:
    for table in ("idempotency_keys", "calendar_years", "simulated_clock", "processed_messages", "outbox"):
        op.drop_table(table)


def upgrade_v2(op: Any) -> None:
    """Request outcomes: what became of each command's request id (succeeded or refused)."""
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("outcome", sa.String(16)))
        batch.add_column(sa.Column("error", sa.Text))
        batch.add_column(sa.Column("command", sa.String(200)))
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True)))


def downgrade_v2(op: Any) -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        for column in ("decided_at", "command", "error", "outcome"):
            batch.drop_column(column)
