"""What a service writes beside every change it makes: the audit entry and the outbox event.

Each service's database holds the same four tables beside its own (`LedgerTables`): the
audit chain's entries and head, the outbox and the inbox. At start the service makes one
`Ledger` from them and its audit digest key, and hands it to whatever records a change.

`record_change` is the one way to record a change of state of a versioned record:

    bump `version`, set `updated_at`, flush, append to the audit chain, write the outbox event

all in the caller's transaction, so a consumer never sees an event whose version the row
does not have (a projection ignores versions it has already seen: a forgotten bump would
drop the event silently).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.audit import AuditChain, AuditProofTables, audit_tables
from fairpath.common.db import Database
from fairpath.common.events.envelope import CloudEvent, EventPayload
from fairpath.common.events.outbox import record_event
from fairpath.common.events.tables import inbox_table, outbox_table
from fairpath.common.timeutil import utcnow


@dataclass(frozen=True)
class LedgerTables:
    """The tables every service's database holds beside its own."""

    audit_entry: Table
    audit_head: Table
    outbox: Table
    inbox: Table
    audit_proof: AuditProofTables

    @classmethod
    def install(cls, metadata: MetaData) -> "LedgerTables":
        entry, head = audit_tables(metadata)
        return cls(
            audit_entry=entry,
            audit_head=head,
            outbox=outbox_table(metadata),
            inbox=inbox_table(metadata),
            audit_proof=AuditProofTables.install(metadata),
        )


class VersionedRecord(Protocol):
    """A table row whose changes consumers follow by version."""

    id: Any
    version: int


class EventVersionMismatch(RuntimeError):
    """An event would carry another version than the record it reports: consumers would drop it."""


class Ledger:
    """One service's audit chain and outbox, bound to its database and digest key."""

    def __init__(self, tables: LedgerTables, *, digest_key: bytes, database: Database) -> None:
        self.tables = tables
        self.audit = AuditChain(tables.audit_entry, tables.audit_head, digest_key=digest_key)
        self.outbox = tables.outbox
        self.inbox = tables.inbox
        self.database = database

    async def append(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        record_type: str,
        record_id: Any,
        changes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An audit entry in the caller's transaction (a read of personal data, a link made)."""
        return await self.audit.append(
            session, actor=actor, action=action, record_type=record_type, record_id=record_id, changes=changes
        )

    async def append_many(
        self, session: AsyncSession, *, actor: str, action: str, record_type: str, record_ids: list[Any]
    ) -> None:
        await self.audit.append_many(
            session, actor=actor, action=action, record_type=record_type, record_ids=record_ids
        )

    async def emit(self, session: AsyncSession, payload: EventPayload, aggregate_id: Any) -> CloudEvent:
        """An event with no change of a versioned row behind it (a screening's match, say)."""
        return await record_event(session, self.outbox, payload, aggregate_id)

    async def record_new(
        self,
        session: AsyncSession,
        record: VersionedRecord,
        *,
        actor: str,
        action: str,
        record_type: str,
        changes: dict[str, Any] | None = None,
        event: Callable[[], EventPayload] | None = None,
    ) -> None:
        """A record created at version 1: added, flushed, audited and (if it has one) its event written."""
        if getattr(record, "version", None) is None:
            record.version = 1
        session.add(record)
        await session.flush()
        await self._audit_and_emit(
            session, record, actor=actor, action=action, record_type=record_type, changes=changes, event=event
        )

    async def record_change(
        self,
        session: AsyncSession,
        record: VersionedRecord,
        *,
        actor: str,
        action: str,
        record_type: str,
        changes: dict[str, Any] | None = None,
        event: Callable[[], EventPayload] | None = None,
    ) -> None:
        """A change of an existing record: its version goes up by one and `updated_at` is now;
        then flush, audit and (if given) the event, built after the bump so it carries the new version."""
        record.version += 1
        if hasattr(record, "updated_at"):
            record.updated_at = utcnow()
        session.add(record)
        await session.flush()
        await self._audit_and_emit(
            session, record, actor=actor, action=action, record_type=record_type, changes=changes, event=event
        )

    async def _audit_and_emit(
        self,
        session: AsyncSession,
        record: VersionedRecord,
        *,
        actor: str,
        action: str,
        record_type: str,
        changes: dict[str, Any] | None,
        event: Callable[[], EventPayload] | None,
    ) -> None:
        await self.audit.append(
            session, actor=actor, action=action, record_type=record_type, record_id=record.id, changes=changes
        )
        if event is None:
            return
        payload = event()
        if getattr(payload, "version", record.version) != record.version:
            raise EventVersionMismatch(
                f"{type(payload).__name__} carries version {payload.version}, the {record_type} is at {record.version}"
            )
        await record_event(session, self.outbox, payload, record.id)

    async def record_refusal(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        record_type: str,
        record_id: Any,
    ) -> None:
        """Audit an attempt that is refused (a duplicate registration, say).

        Nothing of the attempt may stay, so the caller's transaction is rolled back first;
        the audit entry then commits in a session of its own, and the caller raises its error."""
        await session.rollback()
        async with self.database.session() as own:
            await self.audit.append(own, actor=actor, action=action, record_type=record_type, record_id=record_id)


def _ledger(request: Request) -> Ledger:
    return request.app.state.ledger


LedgerDep = Annotated[Ledger, Depends(_ledger)]
