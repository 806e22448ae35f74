"""The transactional outbox: an event is written in the same transaction as the change it reports."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import EVENTS_WRITTEN, HANDED_TO_RELAY
from fairpath.common.events.envelope import CloudEvent, EventPayload, new_event
from fairpath.common.timeutil import utcnow

# How long an event handed to the process's relay stays out of every relay's polling: the relay publishes it as
# soon as its transaction commits, and if the process dies first, any relay publishes it once this has passed.
HANDOFF_LEASE = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An outbox row as the relay publishes it."""

    id: uuid.UUID
    subject: str
    body: bytes
    attempts: int = 0


async def record_event(
    session: AsyncSession, outbox: Table, payload: EventPayload, aggregate_id: uuid.UUID | str
) -> CloudEvent:
    """Queue an event for the relay; it is published only if the caller's transaction commits.

    Where the process runs a relay (the session says so), the event is handed to it straight after the commit
    instead of waiting for the relay's next look at the table. Not inside a savepoint: a savepoint rolled back
    would take the row but not the handoff."""
    assert not session.in_nested_transaction(), "events are recorded in the outer transaction"
    event = new_event(payload, aggregate_id)
    body = event.to_json()
    now = utcnow()
    handed = session.info.get(HANDED_TO_RELAY, False)
    await session.execute(
        insert(outbox).values(
            id=event.event_id,
            subject=event.nats_subject,
            body=body,
            created_at=now,
            attempts=0,
            next_attempt_at=now + HANDOFF_LEASE if handed else None,
        )
    )
    if handed:
        session.info.setdefault(EVENTS_WRITTEN, []).append(PendingEvent(event.event_id, event.nats_subject, body))
    return event
