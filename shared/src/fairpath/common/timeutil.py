"""Timezone-aware UTC time, the only kind the system stores, read from the one clock."""

from datetime import UTC, datetime

from fairpath.common.clock import now


def utcnow() -> datetime:
    """Now, by the system's clock (fairpath.common.clock), which an operator may move outside production."""
    return now()


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
