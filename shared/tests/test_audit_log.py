"""The verifiable audit log on a real database (SQLite and PostgreSQL): tampering found, checkpoints that catch a
consistent rewrite, retention with a legal hold, proofs, and the export verified offline."""

import uuid
from contextlib import AsyncExitStack
from datetime import timedelta
from types import SimpleNamespace
from typing import ClassVar

import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, MetaData, Table, Uuid, delete, insert, select, update

from fairpath.common import merkle
from fairpath.common.audit import AuditChain, chain_hash, entry_content, entry_leaf
from fairpath.common.audit_checkpoints import CheckpointSigner, list_checkpoints, sign_checkpoint
from fairpath.common.audit_export import load_checkpoints, verify_consistency_offline, verify_export
from fairpath.common.audit_retention import HeldRecords, RetentionPolicy, place_legal_hold, prune_expired
from fairpath.common.audit_schedule import start_audit_schedule
from fairpath.common.config import CommonSettings, InsecureSettingsError, ServiceSettings
from fairpath.common.db import Database
from fairpath.common.ledger import LedgerTables
from fairpath.common.secrets import new_ed25519_private_pem
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow

METADATA = MetaData()
TABLES = LedgerTables.install(METADATA)
# A service's record that belongs to a business (as a licence or a contract does).
PARCEL = Table("parcel", METADATA, Column("id", Uuid, primary_key=True), Column("business_id", Uuid, nullable=False))
SERVICE = "testsvc"
SIGNER = CheckpointSigner(SERVICE, new_ed25519_private_pem())


@pytest.fixture
async def log(database_url):
    database = Database(await database_url(f"audit_{uuid.uuid4().hex[:6]}"))
    async with database.engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    chain = AuditChain(TABLES.audit_entry, TABLES.audit_head, digest_key=b"test-key")
    yield database, chain
    await database.dispose()


async def append(database: Database, chain: AuditChain, n: int, *, record_id: str = "r", days_ago: int = 0, **kw):
    async with database.session() as session:
        for i in range(n):
            await chain.append(
                session,
                actor="admin:1",
                action=kw.get("action", "thing.changed"),
                record_type=kw.get("record_type", "thing"),
                record_id=record_id,
                changes={"field": i},
                occurred_at=utcnow() - timedelta(days=days_ago),
            )


async def verify(database: Database, chain: AuditChain):
    async with database.session(read_only=True) as session:
        return await chain.verify(session, batch=4)  # small windows: the window edges are crossed too


async def export(database: Database, chain: AuditChain) -> list[bytes]:
    from fairpath.common.audit_export import export_lines

    return b"".join([part async for part in export_lines(database, chain, SERVICE, batch=3)]).splitlines()


async def kept_checkpoints(database: Database, chain: AuditChain) -> dict:
    async with database.session(read_only=True) as session:
        items, keys, _ = await list_checkpoints(session, chain, SERVICE)
    return {"service": SERVICE, "keys": keys, "items": [c.as_json() for c in items]}


async def test_an_untouched_chain_verifies_with_its_tree_and_checkpoints(log):
    database, chain = log
    await append(database, chain, 7)
    await sign_checkpoint(database, chain, SIGNER)
    await append(database, chain, 3)
    result = await verify(database, chain)
    assert result.valid and result.entries_checked == 10 and result.checkpoints_checked == 1


@pytest.mark.parametrize("tampering", ["alter", "delete", "insert", "alter_tree_leaf"])
async def test_verification_names_the_first_entry_tampered_with_in_the_database(log, tampering):
    database, chain = log
    await append(database, chain, 6)
    entry = chain.entry
    async with database.session() as session:
        if tampering == "alter":
            await session.execute(update(entry).where(entry.c.seq == 4).values(actor="admin:2"))
            expected = (4, "content does not match")
        elif tampering == "delete":
            await session.execute(delete(entry).where(entry.c.seq == 3))
            expected = (3, "entry 3 is missing")
        elif tampering == "insert":
            last = (await session.execute(select(entry).where(entry.c.seq == 6))).mappings().one()
            row = {**dict(last), "seq": 7, "id": uuid.uuid4(), "prev_hash": last["hash"], "action": "thing.forged"}
            row["hash"] = chain_hash(last["hash"], entry_content(row))
            await session.execute(insert(entry).values(row))
            expected = (7, "beyond the chain's recorded head")
        else:
            node = chain.proof.node
            await session.execute(update(node).where(node.c.level == 0, node.c.position == 1).values(hash=b"\x00" * 32))
            expected = (2, "Merkle tree's leaf")
    result = await verify(database, chain)
    assert not result.valid
    assert result.first_broken_seq == expected[0] and expected[1] in result.reason


async def rewrite_tail(database: Database, chain: AuditChain, start: int) -> None:
    """What an operator with database access would do: change an entry, then recompute every later hash, the
    head and the Merkle tree, so the chain alone looks whole."""
    entry, node = chain.entry, chain.proof.node
    async with database.session() as session:
        rows = (await session.execute(select(entry).order_by(entry.c.seq))).mappings().all()
        prev = rows[start - 2]["hash"]
        for row in rows[start - 1 :]:
            changed = {**dict(row), "prev_hash": prev}
            if row["seq"] == start:
                changed["action"] = "thing.never_happened"
            changed["hash"] = prev = chain_hash(prev, entry_content(changed))
            await session.execute(
                update(entry)
                .where(entry.c.seq == row["seq"])
                .values(prev_hash=changed["prev_hash"], hash=changed["hash"], action=changed["action"])
            )
        await session.execute(update(chain.head).values(hash=prev))
        await session.execute(delete(node))
        tree = merkle.MemoryTree()
        for row in (await session.execute(select(entry.c.hash).order_by(entry.c.seq))).all():
            tree.append(entry_leaf(row.hash))
        await session.execute(
            insert(node), [{"level": k[0], "position": k[1], "hash": v} for k, v in tree.nodes.items()]
        )


async def test_a_consistent_rewrite_of_the_tail_is_caught_by_the_signed_checkpoint_online_and_offline(log):
    database, chain = log
    await append(database, chain, 5)
    await sign_checkpoint(database, chain, SIGNER)
    kept = await kept_checkpoints(database, chain)  # the auditor's copy
    await append(database, chain, 4)
    await rewrite_tail(database, chain, start=3)

    checkpoints, keys = load_checkpoints(kept)
    async with database.session() as session:  # without checkpoints the rewritten chain would pass
        await session.execute(delete(chain.proof.checkpoint))
    assert (await verify(database, chain)).valid
    offline = verify_export(await export(database, chain), checkpoints, keys)
    assert not offline.valid and offline.first_broken_seq == 1
    assert "not the one checkpoint 5 signed" in offline.problems[0]

    async with database.session() as session:  # the service's own copy of the checkpoint catches it too
        await session.execute(
            insert(chain.proof.checkpoint).values(
                tree_size=5,
                key_id=checkpoints[0].key_id,
                root_hash=checkpoints[0].root_hash,
                signed_at=utcnow(),
                signature=checkpoints[0].signature,
            )
        )
    online = await verify(database, chain)
    assert not online.valid and online.first_broken_seq == 1 and "checkpoint signed at tree size 5" in online.reason


async def test_the_export_verifies_offline_with_every_signature_and_a_forged_signature_fails(log):
    database, chain = log
    await append(database, chain, 4)
    await sign_checkpoint(database, chain, SIGNER)
    await append(database, chain, 5)
    await sign_checkpoint(database, chain, SIGNER)
    kept = await kept_checkpoints(database, chain)
    checkpoints, keys = load_checkpoints(kept)
    lines = await export(database, chain)
    report = verify_export(lines, checkpoints, keys)
    assert report.valid, report.problems
    assert (report.entries, report.signatures_checked, report.checkpoints_checked) == (9, 2, 2)

    forged = {**kept, "items": [{**kept["items"][0], "root_hash": "ab" * 32}, kept["items"][1]]}
    report = verify_export(lines, *load_checkpoints(forged))
    assert not report.valid and "checkpoint 4: the signature does not verify" in report.problems

    truncated = verify_export(lines[:5], checkpoints, keys)  # a kept checkpoint beyond what the chain now holds
    assert not truncated.valid and any("beyond the exported chain" in p for p in truncated.problems)


async def test_proofs_from_the_stored_tree_verify_against_signed_checkpoints(log):
    database, chain = log
    await append(database, chain, 6)
    first, _ = await sign_checkpoint(database, chain, SIGNER)
    await append(database, chain, 11)
    second, _ = await sign_checkpoint(database, chain, SIGNER)
    async with database.session(read_only=True) as session:
        for seq in (1, 6, 7, 17):
            leaf, root, path = await chain.inclusion_proof(session, seq - 1, 17)
            row = (await session.execute(select(chain.entry.c.hash).where(chain.entry.c.seq == seq))).scalar_one()
            assert leaf == entry_leaf(row) and root.hex() == second.root_hash
            assert merkle.verify_inclusion(seq - 1, 17, leaf, path, bytes.fromhex(second.root_hash))
        first_root, second_root, proof = await chain.consistency_proof(session, 6, 17)
    assert (first_root.hex(), second_root.hex()) == (first.root_hash, second.root_hash)
    document = {"first": 6, "second": 17, "proof": [p.hex() for p in proof]}
    assert verify_consistency_offline(document, *load_checkpoints(await kept_checkpoints(database, chain))).valid
    bad = {**document, "proof": [*document["proof"][:-1], "00" * 32]}
    assert not verify_consistency_offline(bad, *load_checkpoints(await kept_checkpoints(database, chain))).valid


async def test_prune_removes_expired_entries_but_a_legal_hold_keeps_its_business_and_everything_still_verifies(log):
    database, chain = log
    held, other = str(uuid.uuid4()), str(uuid.uuid4())
    await append(database, chain, 3, record_id=held, record_type="business", days_ago=400)
    await append(database, chain, 3, record_id=other, record_type="business", days_ago=400)
    await append(database, chain, 2, record_id="w1", record_type="worker", days_ago=40)
    await append(database, chain, 2, record_id="c1", record_type="contract", days_ago=1)
    async with database.session() as session:
        await place_legal_hold(session, chain, held, "compliance_officer:1")  # entry 11
    before, _ = await sign_checkpoint(database, chain, SIGNER)
    kept = await kept_checkpoints(database, chain)

    removed = await prune_expired(database, chain, RetentionPolicy(365, {"worker": 30}), batch=2)

    assert removed == 5  # the other business's 3 (past 365 days) and the worker's 2 (past 30)
    async with database.session(read_only=True) as session:
        left = {r.seq: r.record_id for r in await session.execute(select(chain.entry.c.seq, chain.entry.c.record_id))}
        tombs = set((await session.execute(select(chain.proof.pruned.c.seq))).scalars())
        leaf, root, path = await chain.inclusion_proof(session, 4 - 1, 11)  # a pruned entry is still in the tree
    assert tombs == {4, 5, 6, 7, 8} and set(left) == {1, 2, 3, 9, 10, 11}
    assert all(left[s] == held for s in (1, 2, 3))
    assert root.hex() == before.root_hash and merkle.verify_inclusion(3, 11, leaf, path, root)
    assert (await verify(database, chain)).valid
    report = verify_export(await export(database, chain), *load_checkpoints(kept))
    assert report.valid and report.pruned == 5 and report.checkpoints_checked == 1


async def test_entries_removed_from_the_end_with_the_head_moved_back_are_caught_by_the_checkpoint(log):
    database, chain = log
    await append(database, chain, 6)
    await sign_checkpoint(database, chain, SIGNER)
    entry = chain.entry
    async with database.session() as session:
        fourth = (await session.execute(select(entry.c.hash).where(entry.c.seq == 4))).scalar_one()
        await session.execute(delete(entry).where(entry.c.seq > 4))
        await session.execute(update(chain.head).values(seq=4, hash=fourth))
    result = await verify(database, chain)
    assert not result.valid and result.first_broken_seq == 5 and "entries were removed" in result.reason


def test_the_checkpoint_key_is_generated_once_in_development_and_required_elsewhere(tmp_path):
    class SomeSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="FAIRPATH_SOME_")
        service_name: ClassVar[str] = "some"
        default_port: ClassVar[int] = 8999

    keys = {"principal_public_key": "k", "audit_digest_key": "k", "var_dir": tmp_path}
    development = CommonSettings(env="development", **keys)
    key = SomeSettings(common=development).audit_signing_key
    assert "PRIVATE KEY" in key and SomeSettings(common=development).audit_signing_key == key
    assert (tmp_path / "secrets" / "some-audit-signing.pem").stat().st_mode & 0o077 == 0
    production = CommonSettings(env="production", **keys)
    with pytest.raises(InsecureSettingsError, match="FAIRPATH_SOME_AUDIT_SIGNING_KEY"):
        SomeSettings(common=production, database_url="postgresql+asyncpg://db/some")


async def test_the_schedule_signs_checkpoints_and_prunes_on_its_intervals(log, tmp_path):
    database, chain = log
    await append(database, chain, 3, record_type="worker", days_ago=40)
    await append(database, chain, 2, record_type="contract")
    common = CommonSettings(
        env="test",
        var_dir=tmp_path,
        principal_public_key="k",
        audit_digest_key="k",
        audit_checkpoint_interval_seconds=1,
        audit_prune_interval_seconds=1,
        audit_retention_days_by_record={"worker": 30},
    )
    state = SimpleNamespace(
        settings=SimpleNamespace(common=common),
        database=database,
        ledger=SimpleNamespace(audit=chain),
        audit_signer=SIGNER,
    )

    async def pruned_and_signed() -> bool:
        async with database.session(read_only=True) as session:
            tombs = set((await session.execute(select(chain.proof.pruned.c.seq))).scalars())
            sizes = set((await session.execute(select(chain.proof.checkpoint.c.tree_size))).scalars())
        return tombs == {1, 2, 3} and 5 in sizes

    async with AsyncExitStack() as stack:
        await start_audit_schedule(SimpleNamespace(state=state), stack)
        await wait_until(pruned_and_signed, timeout=20, message="the scheduled prune and checkpoint")
    assert (await verify(database, chain)).valid


async def test_after_a_key_rotation_both_keys_are_listed_and_every_checkpoint_verifies_offline(log):
    database, chain = log
    await append(database, chain, 3)
    await sign_checkpoint(database, chain, SIGNER)
    rotated = CheckpointSigner(SERVICE, new_ed25519_private_pem())
    await append(database, chain, 2)
    await sign_checkpoint(database, chain, rotated)
    kept = await kept_checkpoints(database, chain)
    assert {k["key_id"] for k in kept["keys"]} == {SIGNER.key_id, rotated.key_id}
    assert [c["key_id"] for c in kept["items"]] == [SIGNER.key_id, rotated.key_id]
    report = verify_export(await export(database, chain), *load_checkpoints(kept))
    assert report.valid and report.signatures_checked == 2


async def test_a_legal_hold_keeps_the_entries_of_the_records_that_belong_to_the_business(log):
    database, chain = log
    held, other = uuid.uuid4(), uuid.uuid4()
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    async with database.session() as session:
        await session.execute(insert(PARCEL), [{"id": mine, "business_id": held}, {"id": theirs, "business_id": other}])
        await place_legal_hold(session, chain, str(held), "admin:1")
    await append(database, chain, 2, record_id=str(mine), record_type="parcel", days_ago=400)
    await append(database, chain, 2, record_id=str(theirs), record_type="parcel", days_ago=400)
    scope = [HeldRecords("parcel", PARCEL.c.id, (PARCEL.c.business_id,))]

    assert await prune_expired(database, chain, RetentionPolicy(365), scope=scope) == 2
    async with database.session(read_only=True) as session:
        left = list((await session.execute(select(chain.entry.c.record_id).order_by(chain.entry.c.seq))).scalars())
    assert left == [str(held), str(mine), str(mine)]
    assert (await verify(database, chain)).valid
