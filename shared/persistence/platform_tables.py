"""The tables every service has besides its own: the outbox and the inbox (docs/architecture.md §3.1–3.2)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)


class PlatformTables:
    def __init__(self, metadata: MetaData) -> None:
        # published in seq order; message_id is the AMQP message_id consumers deduplicate on
        self.outbox = Table(
            "outbox",
            metadata,
            Column("seq", Integer, primary_key=True, autoincrement=True),
            Column("message_id", String(64), nullable=False, unique=True),
            Column("exchange", String(200), nullable=False),
            Column("routing_key", String(200), nullable=False),
            Column("body", Text, nullable=False),
            Column("project_code", String(64)),
            Column("correlation_id", String(128)),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("published_at", DateTime(timezone=True)),
            Column("attempts", Integer, nullable=False, server_default=text("0")),
            Column("last_error", Text),
        )
        Index("ix_outbox_unpublished", self.outbox.c.published_at, self.outbox.c.seq)
        self.processed_messages = Table(
            "processed_messages",
            metadata,
            Column("consumer", String(200), nullable=False),
            Column("message_id", String(64), nullable=False),
            Column("event_type", String(100), nullable=False),
            Column("processed_at", DateTime(timezone=True), nullable=False),
            PrimaryKeyConstraint("consumer", "message_id"),
        )
        # the operator-set date when the suite runs on a simulated clock (one row, id 1)
        self.simulated_clock = Table(
            "simulated_clock",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("today", Date, nullable=False),
            Column("set_at", DateTime(timezone=True), nullable=False),
            Column("set_by", String(100)),
        )
        # official schedules of years the bundled calendar does not know (State Council notices)
        self.calendar_years = Table(
            "calendar_years",
            metadata,
            Column("year", Integer, primary_key=True),
            Column("holidays", Text, nullable=False),  # JSON list of ISO dates
            Column("workdays", Text, nullable=False),
            Column("loaded_at", DateTime(timezone=True), nullable=False),
            Column("loaded_by", String(100)),
        )

        # A command's request id (Idempotency-Key): claimed in the command's own transaction
        # with its effects and its response, so a replay returns the first response instead of
        # acting again; a refusal is kept too, as the outcome GET /requests/{id} reports
        self.idempotency_keys = Table(
            "idempotency_keys",
            metadata,
            Column("principal", String(200), nullable=False),
            Column("key", String(200), nullable=False),
            Column("fingerprint", String(64), nullable=False),
            Column("response", Text),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("outcome", String(16)),  # succeeded | refused (NULL: v1 rows)
            Column("error", Text),  # the refusal, in the error format
            Column("command", String(200)),  # service.method
            Column("decided_at", DateTime(timezone=True)),
            PrimaryKeyConstraint("principal", "key"),
        )

    @property
    def all(self) -> tuple[Table, ...]:
        return (
            self.outbox,
            self.processed_messages,
            self.simulated_clock,
            self.calendar_years,
            self.idempotency_keys,
        )
