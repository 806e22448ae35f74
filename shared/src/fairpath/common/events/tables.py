"""The outbox and inbox tables, created in every service's own database by its migrations."""

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text, Uuid

from fairpath.common.db import UtcDateTime


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),  # the event id (UUIDv7, so the order of commit)
        Column("subject", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False),  # the CloudEvent, structured JSON, as published
        Column("created_at", UtcDateTime(), nullable=False),
        Column("sent_at", UtcDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("next_attempt_at", UtcDateTime(), nullable=True),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_unsent", "sent_at", "id"),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("stream_seq", BigInteger, nullable=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )
