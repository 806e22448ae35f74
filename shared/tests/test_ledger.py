"""The ledger: one way to record a change (version, time, audit entry, event, one transaction)."""

import json
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import Field

from fairpath.common.audit import AuditChain
from fairpath.common.db import Database, UtcDateTime, new_base
from fairpath.common.events.envelope import EventPayload
from fairpath.common.ids import uuid7
from fairpath.common.ledger import EventVersionMismatch, Ledger, LedgerTables
from fairpath.common.timeutil import utcnow

LedgerTestModel = new_base()
TABLES = LedgerTables.install(LedgerTestModel.metadata)


class Parcel(LedgerTestModel, table=True):
    __tablename__ = "parcel"

    id: uuid.UUID = Field(primary_key=True)
    label: str
    version: int
    created_at: datetime = Field(sa_type=UtcDateTime())
    updated_at: datetime = Field(sa_type=UtcDateTime())


class ParcelChanged(EventPayload):
    subject = "ledgertest.parcel.changed"
    schema_version = 1
    parcel_id: uuid.UUID
    label: str


@pytest.fixture
async def ledger(database_url):
    database = Database(await database_url(f"ledger_{uuid.uuid4().hex[:6]}"))
    async with database.engine.begin() as conn:
        await conn.run_sync(LedgerTestModel.metadata.create_all)
    yield Ledger(TABLES, digest_key=b"test-key", database=database)
    await database.dispose()


def changed(parcel: Parcel) -> ParcelChanged:
    return ParcelChanged(version=parcel.version, parcel_id=parcel.id, label=parcel.label)


async def new_parcel(ledger: Ledger) -> Parcel:
    now = utcnow()
    parcel = Parcel(id=uuid7(), label="first", version=1, created_at=now, updated_at=now)
    async with ledger.database.session() as session:
        await ledger.record_new(
            session, parcel, actor="test", action="parcel.created", record_type="parcel", event=lambda: changed(parcel)
        )
    return parcel


async def events_of(ledger: Ledger, parcel_id: uuid.UUID) -> list[dict]:
    async with ledger.database.session(read_only=True) as session:
        bodies = (await session.execute(select(ledger.outbox.c.body).order_by(ledger.outbox.c.id))).scalars()
        return [e["data"] for e in map(json.loads, bodies) if e["subject"] == str(parcel_id)]


async def audit_actions(ledger: Ledger, record_id: uuid.UUID) -> list[str]:
    entry = ledger.audit.entry
    async with ledger.database.session(read_only=True) as session:
        rows = await session.execute(
            select(entry.c.action).where(entry.c.record_id == str(record_id)).order_by(entry.c.seq)
        )
        return list(rows.scalars())


async def test_record_change_bumps_the_version_and_writes_an_event_carrying_it(ledger):
    parcel = await new_parcel(ledger)
    first_update = parcel.updated_at
    async with ledger.database.session() as session:
        parcel = await session.get(Parcel, parcel.id)
        parcel.label = "second"
        await ledger.record_change(
            session, parcel, actor="test", action="parcel.relabelled", record_type="parcel",
            changes={"label": parcel.label}, event=lambda: changed(parcel),
        )  # fmt: skip
    assert parcel.version == 2
    assert parcel.updated_at > first_update
    assert [e["version"] for e in await events_of(ledger, parcel.id)] == [1, 2]
    assert await audit_actions(ledger, parcel.id) == ["parcel.created", "parcel.relabelled"]
    async with ledger.database.session(read_only=True) as session:
        assert (await ledger.audit.verify(session)).valid


async def test_an_event_with_another_version_than_the_row_is_refused_and_nothing_is_kept(ledger):
    parcel = await new_parcel(ledger)
    stale = changed(parcel)  # built before the change: it would carry version 1 for a row at 2
    with pytest.raises(EventVersionMismatch):
        async with ledger.database.session() as session:
            row = await session.get(Parcel, parcel.id)
            row.label = "lost"
            await ledger.record_change(
                session, row, actor="test", action="parcel.relabelled", record_type="parcel", event=lambda: stale
            )
    async with ledger.database.session(read_only=True) as session:
        assert (await session.get(Parcel, parcel.id)).version == 1
    assert [e["version"] for e in await events_of(ledger, parcel.id)] == [1]


async def test_a_refused_attempt_is_audited_while_the_attempt_itself_leaves_nothing(ledger):
    parcel = await new_parcel(ledger)
    async with ledger.database.session() as session:
        intruder = Parcel(id=uuid7(), label="dup", version=1, created_at=utcnow(), updated_at=utcnow())
        session.add(intruder)
        await session.flush()
        await ledger.record_refusal(
            session, actor="test", action="parcel.duplicate_attempt", record_type="parcel", record_id=parcel.id
        )
    async with ledger.database.session(read_only=True) as session:
        assert await session.get(Parcel, intruder.id) is None
        count = (await session.execute(select(func.count()).select_from(Parcel))).scalar()
    assert count == 1
    assert await audit_actions(ledger, parcel.id) == ["parcel.created", "parcel.duplicate_attempt"]


def test_an_audit_chain_without_a_digest_key_is_refused():
    with pytest.raises(ValueError, match="digest key"):
        AuditChain(TABLES.audit_entry, TABLES.audit_head, digest_key=b"")
