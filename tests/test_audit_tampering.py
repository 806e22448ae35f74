"""Tampering with each service's own audit tables (its real schema, built by its migrations), on SQLite and
PostgreSQL: an entry altered, deleted or inserted directly in the database is named by verification; and the
service's legal-hold scope reads its tables."""

import importlib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from fairpath.common.audit import AuditChain, chain_hash, entry_content
from fairpath.common.audit_retention import held_record_ids, place_legal_hold
from fairpath.common.db import Database
from fairpath.common.migrations import upgrade
from fairpath.common.services import ALL_SERVICES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("spec", ALL_SERVICES, ids=lambda spec: spec.name)
async def test_each_service_s_verification_names_an_altered_a_deleted_and_an_inserted_entry(spec, database_url):
    metadata = importlib.import_module(f"fairpath.{spec.package}.all_tables").metadata
    chain = AuditChain(metadata.tables["audit_entry"], metadata.tables["audit_head"], digest_key=b"k")
    entry = chain.entry
    database = Database(await database_url(f"tamper_{spec.name}"))
    try:
        await upgrade(database, ROOT / spec.migrations)
        async with database.session() as session:
            for i in range(6):
                await chain.append(
                    session, actor="system:test", action="thing.changed", record_type="thing", record_id=i
                )

        async def first_broken() -> tuple[int | None, str | None]:
            async with database.session(read_only=True) as session:
                result = await chain.verify(session)
            return result.first_broken_seq, result.reason

        assert await first_broken() == (None, None)
        async with database.session() as session:
            original = (await session.execute(select(entry).where(entry.c.seq == 4))).mappings().one()
            await session.execute(update(entry).where(entry.c.seq == 4).values(record_id="someone-else"))
        assert (await first_broken())[0] == 4
        async with database.session() as session:
            await session.execute(delete(entry).where(entry.c.seq == 4))
        assert await first_broken() == (4, "entry 4 is missing")
        async with database.session() as session:
            await session.execute(insert(entry).values(dict(original)))
            last = (await session.execute(select(entry).where(entry.c.seq == 6))).mappings().one()
            forged = {**dict(last), "seq": 7, "id": uuid.uuid4(), "prev_hash": last["hash"], "action": "thing.forged"}
            forged["hash"] = chain_hash(last["hash"], entry_content(forged))
            await session.execute(insert(entry).values(forged))
        assert (await first_broken())[0] == 7

        # The service's legal-hold scope reads its own tables on this backend (uuid columns, held ids as text).
        scope = getattr(importlib.import_module(f"fairpath.{spec.package}.app"), "AUDIT_HOLD_SCOPE", ())
        business_id = str(uuid.uuid4())
        async with database.session() as session:
            await session.execute(delete(entry).where(entry.c.seq == 7))
            await place_legal_hold(session, chain, business_id, "admin:1")
            assert await held_record_ids(session, chain, scope) == {business_id}
    finally:
        await database.dispose()
