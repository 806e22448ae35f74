"""The transactional outbox: an event is written in the same transaction as the change it reports."""

import uuid

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import EVENTS_WRITTEN
from fairpath.common.events.envelope import CloudEvent, EventPayload, new_event
from fairpath.common.timeutil import utcnow


async def record_event(
    session: AsyncSession, outbox: Table, payload: EventPayload, aggregate_id: uuid.UUID | str
) -> CloudEvent:
    """Queue an event for the relay; it is published only if the caller's transaction commits."""
    event = new_event(payload, aggregate_id)
    await session.execute(
        insert(outbox).values(
            id=event.event_id, subject=event.nats_subject, body=event.to_json(), created_at=utcnow(), attempts=0
        )
    )
    session.info[EVENTS_WRITTEN] = True
    return event
