"""The migration that adds the Merkle tree builds it for the entries a chain already holds."""

import uuid
from pathlib import Path

from sqlalchemy import MetaData, insert, update

from fairpath.common import merkle
from fairpath.common.audit import GENESIS_HASH, AuditChain, chain_hash, entry_content, entry_leaf
from fairpath.common.db import Database
from fairpath.common.ledger import LedgerTables
from fairpath.common.migrations import upgrade
from fairpath.common.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[1]


async def test_entries_written_before_the_tree_existed_get_their_leaves_and_verify(database_url):
    database = Database(await database_url("audit_backfill"))
    migrations = ROOT / "services/contracts/migrations"
    tables = LedgerTables.install(MetaData())
    chain = AuditChain(tables.audit_entry, tables.audit_head, digest_key=b"k")
    try:
        await upgrade(database, migrations, revision="0006")
        prev, hashes = GENESIS_HASH, []
        async with database.engine.begin() as connection:
            for seq in range(1, 12):
                row = {
                    "seq": seq,
                    "id": uuid.uuid4(),
                    "occurred_at": utcnow(),
                    "actor": "system:test",
                    "action": "contract.issued",
                    "record_type": "contract",
                    "record_id": str(uuid.uuid4()),
                    "changes": [],
                    "correlation_id": None,
                    "prev_hash": prev,
                }
                row["hash"] = prev = chain_hash(prev, entry_content(row))
                hashes.append(prev)
                await connection.execute(insert(tables.audit_entry).values(row))
            await connection.execute(update(tables.audit_head).values(seq=11, hash=prev))
        await upgrade(database, migrations)
        async with database.session() as session:
            assert (await chain.verify(session)).valid
            assert await chain.root(session, 11) == merkle.MemoryTree(entry_leaf(h) for h in hashes).root()
            await chain.append(
                session, actor="system:test", action="contract.signed", record_type="contract", record_id="c"
            )
        async with database.session(read_only=True) as session:
            result = await chain.verify(session)
        assert result.valid and result.entries_checked == 12
    finally:
        await database.dispose()
