"""The append-only, hash-chained audit log every service keeps, and the Merkle tree over it.

    hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the entry)

An entry names the actor, the action, the record and the changed fields with a
keyed digest of each new value (never the value: no personal data in the chain).
Appends lock the chain's head row, so concurrent writers and replicas never fork it.

Each entry is also leaf `seq - 1` of a Merkle tree with RFC 9162 hashing (fairpath.common.merkle):
the leaf's bytes are the entry's 32-byte hash (so a pruned entry, whose hash is kept, stays a leaf).
Every complete subtree's hash is stored (`audit_merkle_node`), written in the same transaction as the
entry, so roots and proofs read O(log n) rows. Pruned entries leave a tombstone (`audit_pruned`:
seq, prev_hash, hash) so the chain and the tree still verify. docs/audit-formats.md has the formats.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Uuid,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common import merkle
from fairpath.common.canonical import canonical_json, keyed_digest, sha256_hex
from fairpath.common.db import UtcDateTime
from fairpath.common.ids import uuid7
from fairpath.common.logging import correlation_id
from fairpath.common.timeutil import as_utc, utcnow

GENESIS_HASH = "0" * 64
CHAIN = "main"


def audit_tables(metadata: MetaData) -> tuple[Table, Table]:
    entry = Table(
        "audit_entry",
        metadata,
        Column("seq", BigInteger, primary_key=True, autoincrement=False),
        Column("id", Uuid, nullable=False, unique=True),
        Column("occurred_at", UtcDateTime(), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("action", String(100), nullable=False),
        Column("record_type", String(60), nullable=False),
        Column("record_id", String(64), nullable=False, index=True),
        Column("changes", JSON, nullable=False),
        Column("correlation_id", String(128), nullable=True),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    head = Table(
        "audit_head",
        metadata,
        Column("chain", String(20), primary_key=True),
        Column("seq", BigInteger, nullable=False),
        Column("hash", String(64), nullable=False),
    )
    return entry, head


@dataclass(frozen=True)
class AuditProofTables:
    """Beside the chain: tombstones of pruned entries, the Merkle tree's nodes, signed checkpoints, the
    public keys that signed them, and the businesses on legal hold."""

    pruned: Table
    node: Table
    checkpoint: Table
    signing_key: Table
    legal_hold: Table

    NAMES = ("audit_pruned", "audit_merkle_node", "audit_checkpoint", "audit_signing_key", "audit_legal_hold")

    @classmethod
    def install(cls, metadata: MetaData) -> "AuditProofTables":
        pruned = Table(
            "audit_pruned",
            metadata,
            Column("seq", BigInteger, primary_key=True, autoincrement=False),
            Column("prev_hash", String(64), nullable=False),
            Column("hash", String(64), nullable=False),
            Column("pruned_at", UtcDateTime(), nullable=False),
        )
        node = Table(
            "audit_merkle_node",
            metadata,
            Column("level", SmallInteger, primary_key=True, autoincrement=False),
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("hash", LargeBinary(32), nullable=False),
        )
        checkpoint = Table(
            "audit_checkpoint",
            metadata,
            Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
            Column("key_id", String(64), primary_key=True),
            Column("root_hash", String(64), nullable=False),
            Column("signed_at", UtcDateTime(), nullable=False),
            Column("signature", String(128), nullable=False),
        )
        signing_key = Table(
            "audit_signing_key",
            metadata,
            Column("key_id", String(64), primary_key=True),
            Column("public_key", String(64), nullable=False),
            Column("first_used_at", UtcDateTime(), nullable=False),
        )
        legal_hold = Table(
            "audit_legal_hold",
            metadata,
            Column("business_id", String(64), primary_key=True),
            Column("placed_by", String(200), nullable=False),
            Column("placed_at", UtcDateTime(), nullable=False),
        )
        return cls(pruned=pruned, node=node, checkpoint=checkpoint, signing_key=signing_key, legal_hold=legal_hold)

    @classmethod
    def of(cls, metadata: MetaData) -> "AuditProofTables":
        """The tables already in this MetaData (installed beside the chain's)."""
        return cls(*(metadata.tables[name] for name in cls.NAMES))


def entry_content(row: dict[str, Any]) -> dict[str, Any]:
    """What the hash covers: every column but the hash itself."""
    return {
        "seq": row["seq"],
        "id": str(row["id"]),
        "occurred_at": as_utc(row["occurred_at"]).astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": row["actor"],
        "action": row["action"],
        "record_type": row["record_type"],
        "record_id": row["record_id"],
        "changes": row["changes"],
        "correlation_id": row["correlation_id"],
        "prev_hash": row["prev_hash"],
    }


def entry_bytes(row: dict[str, Any]) -> bytes:
    """The entry's canonical bytes: what its hash covers after prev_hash (and what an export carries)."""
    return canonical_json(entry_content(row))


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return sha256_hex(prev_hash.encode() + canonical_json(content))


def entry_leaf(entry_hash: str) -> bytes:
    """The Merkle leaf hash of an entry: SHA-256(0x00 || the entry's 32-byte hash)."""
    return merkle.leaf_hash(bytes.fromhex(entry_hash))


@dataclass(frozen=True)
class VerifyResult:
    valid: bool
    entries_checked: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: str | None = None
    checkpoints_checked: int = 0


class _Broken(Exception):
    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


class AuditChain:
    """One service's chain: its tables and the key for field digests.

    Made when the service starts, from its settings; a chain without a key would store digests
    anyone could recompute by guessing values, so an empty key is refused."""

    def __init__(self, entry: Table, head: Table, *, digest_key: bytes) -> None:
        if not digest_key:
            raise ValueError("the audit digest key is empty: set FAIRPATH_AUDIT_DIGEST_KEY")
        self.entry, self.head = entry, head
        self.proof = AuditProofTables.of(entry.metadata)
        self.digest_key = digest_key

    def genesis_row(self) -> dict[str, Any]:
        return {"chain": CHAIN, "seq": 0, "hash": GENESIS_HASH}

    async def _lock_head(self, session: AsyncSession) -> tuple[int, str]:
        """Lock the chain's head row for this transaction; its seq and hash are where the next entry links."""
        head = (
            await session.execute(select(self.head).where(self.head.c.chain == CHAIN).with_for_update())
        ).one_or_none()
        if head is None:  # the migration seeds it; a hand-made schema may not have
            await session.execute(insert(self.head).values(self.genesis_row()))
            return 0, GENESIS_HASH
        return head.seq, head.hash

    async def head_of(self, session: AsyncSession) -> tuple[int, str]:
        head = (await session.execute(select(self.head).where(self.head.c.chain == CHAIN))).one_or_none()
        return (head.seq, head.hash) if head else (0, GENESIS_HASH)

    async def append(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        record_type: str,
        record_id: Any,
        changes: dict[str, Any] | None = None,
        occurred_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Add an entry in the caller's transaction. `changes` maps field names to new values;
        only the names and keyed digests are stored."""
        prev_seq, prev_hash = await self._lock_head(session)
        row = {
            "seq": prev_seq + 1,
            "id": uuid7(),
            "occurred_at": occurred_at or utcnow(),
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "record_id": str(record_id),
            "changes": [
                {"field": name, "digest": keyed_digest(self.digest_key, value)}
                for name, value in sorted((changes or {}).items())
            ],
            "correlation_id": correlation_id.get(),
            "prev_hash": prev_hash,
        }
        row["hash"] = chain_hash(prev_hash, entry_content(row))
        await session.execute(insert(self.entry).values(row))
        await self._grow_tree(session, prev_seq, [row["hash"]])
        await session.execute(
            update(self.head).where(self.head.c.chain == CHAIN).values(seq=row["seq"], hash=row["hash"])
        )
        return row

    async def append_many(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        record_type: str,
        record_ids: list[Any],
    ) -> None:
        """One entry per record for the same action (a page of reads, say), under one lock of the head:
        the same chain as that many `append` calls, in a few statements."""
        if not record_ids:
            return
        seq, prev_hash = await self._lock_head(session)
        size = seq
        rows, now, cid = [], utcnow(), correlation_id.get()
        for record_id in record_ids:
            seq += 1
            row = {
                "seq": seq,
                "id": uuid7(),
                "occurred_at": now,
                "actor": actor,
                "action": action,
                "record_type": record_type,
                "record_id": str(record_id),
                "changes": [],
                "correlation_id": cid,
                "prev_hash": prev_hash,
            }
            row["hash"] = prev_hash = chain_hash(prev_hash, entry_content(row))
            rows.append(row)
        await session.execute(insert(self.entry), rows)
        await self._grow_tree(session, size, [r["hash"] for r in rows])
        await session.execute(update(self.head).where(self.head.c.chain == CHAIN).values(seq=seq, hash=prev_hash))

    # The Merkle tree -------------------------------------------------------------------------------

    async def _grow_tree(self, session: AsyncSession, size: int, entry_hashes: list[str]) -> None:
        """Store the complete subtrees the new leaves finish (the frontier is read once: O(log n) rows)."""
        known = await self.nodes(session, merkle.frontier_keys(size))
        made: list[dict[str, Any]] = []
        for index, entry_hash in enumerate(entry_hashes, start=size):
            for (level, position), digest in merkle.completed_nodes(index, entry_leaf(entry_hash), known):
                known[(level, position)] = digest
                made.append({"level": level, "position": position, "hash": digest})
        await session.execute(insert(self.proof.node), made)

    async def nodes(self, session: AsyncSession, keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
        """The stored hashes of these complete subtrees, in one query."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, position in wanted:
            by_level.setdefault(level, []).append(position)
        # One index search per level (a row-value IN would scan the table on SQLite). The text is built here from
        # integers this code computed: a statement built with the expression language cost more than the query.
        where = " OR ".join(
            f"(level = {int(level)} AND position IN ({', '.join(str(int(p)) for p in positions)}))"
            for level, positions in by_level.items()
        )
        rows = await session.execute(text(f"SELECT level, position, hash FROM {self.proof.node.name} WHERE {where}"))
        found = {(r.level, r.position): bytes(r.hash) for r in rows}
        if len(found) != len(wanted):
            missing = sorted(set(wanted) - set(found))[:3]
            raise MerkleTreeIncomplete(f"the Merkle tree lacks the nodes {missing}")
        return found

    async def root(self, session: AsyncSession, size: int) -> bytes:
        nodes = await self.nodes(session, merkle.subtree_keys(0, size))
        return merkle.range_hash(0, size, nodes)

    async def inclusion_proof(self, session: AsyncSession, index: int, size: int) -> tuple[bytes, bytes, list[bytes]]:
        """(leaf hash, root, audit path) of leaf `index` in the tree of `size` leaves: one query."""
        ranges = merkle.inclusion_ranges(index, size)
        root_keys = merkle.subtree_keys(0, size)
        nodes = await self.nodes(session, [*merkle.proof_keys(ranges), *root_keys, (0, index)])
        path = [merkle.range_hash(lo, hi, nodes) for lo, hi in ranges]
        return nodes[(0, index)], merkle.range_hash(0, size, nodes), path

    async def consistency_proof(
        self, session: AsyncSession, first: int, second: int
    ) -> tuple[bytes, bytes, list[bytes]]:
        """(first root, second root, proof) that the tree of `first` leaves is a prefix of that of `second`."""
        ranges = merkle.consistency_ranges(first, second)
        keys = [*merkle.proof_keys(ranges), *merkle.subtree_keys(0, first), *merkle.subtree_keys(0, second)]
        nodes = await self.nodes(session, keys)
        proof = [merkle.range_hash(lo, hi, nodes) for lo, hi in ranges]
        return merkle.range_hash(0, first, nodes), merkle.range_hash(0, second, nodes), proof

    # Verification ----------------------------------------------------------------------------------

    async def verify(self, session: AsyncSession, batch: int = 2000) -> VerifyResult:
        """Recompute the chain from the start (pruned entries by their kept hashes), the Merkle tree's leaves
        and root, and the root at every stored checkpoint; name the first entry that does not hold."""
        # Checkpoints and the last entry first, the head after: an append or a checkpoint meanwhile only moves it up.
        checkpoints = dict(
            (await session.execute(select(self.proof.checkpoint.c.tree_size, self.proof.checkpoint.c.root_hash))).all()
        )
        last_seq = (await session.execute(select(func.max(self.entry.c.seq)))).scalar() or 0
        head_seq, head_hash = await self.head_of(session)
        walk = _ChainWalk(checkpoints)
        try:
            if last_seq > head_seq:
                raise _Broken(head_seq + 1, f"entry {head_seq + 1} is beyond the chain's recorded head (inserted)")
            beyond = [size for size in checkpoints if size > head_seq]
            if beyond:
                raise _Broken(
                    head_seq + 1,
                    f"a checkpoint was signed at tree size {min(beyond)}, beyond the chain's head: "
                    "entries were removed",
                )
            start = 1
            while start <= head_seq:
                end = min(start + batch, head_seq + 1)
                entries = await self._window(session, self.entry, start, end)
                pruned = await self._window(session, self.proof.pruned, start, end)
                node = self.proof.node
                leaves = dict(
                    (
                        await session.execute(
                            select(node.c.position, node.c.hash).where(
                                node.c.level == 0, node.c.position >= start - 1, node.c.position < end - 1
                            )
                        )
                    ).all()
                )
                for seq in range(start, end):
                    walk.step(seq, entries.get(seq), pruned.get(seq), leaves.get(seq - 1))
                start = end
            if walk.prev_hash != head_hash:
                raise _Broken(head_seq, "the last entry's hash is not the chain's recorded head")
            if head_seq and (await self.root(session, head_seq)) != walk.tree.root():
                raise _Broken(head_seq, "the stored Merkle tree's root does not match the entries")
        except MerkleTreeIncomplete as exc:
            return VerifyResult(False, walk.checked, head_seq, head_hash, head_seq, str(exc), walk.checkpoints_checked)
        except _Broken as broken:
            return VerifyResult(
                False, walk.checked, head_seq, head_hash, broken.seq, broken.reason, walk.checkpoints_checked
            )
        return VerifyResult(True, walk.checked, head_seq, head_hash, checkpoints_checked=walk.checkpoints_checked)

    @staticmethod
    async def _window(session: AsyncSession, table: Table, start: int, end: int) -> dict[int, dict[str, Any]]:
        rows = await session.execute(select(table).where(table.c.seq >= start, table.c.seq < end))
        return {r["seq"]: dict(r) for r in rows.mappings()}


class AuditRecord(BaseModel):
    seq: int
    id: uuid.UUID
    occurred_at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    changes: list[dict[str, str]]
    correlation_id: str | None
    prev_hash: str
    hash: str


class MerkleTreeIncomplete(RuntimeError):
    """A node the tree should hold is not stored (rows deleted, or a schema built without the migration)."""


class _ChainWalk:
    """The chain checked an entry at a time: links, content, leaves, and the root at each checkpoint."""

    def __init__(self, checkpoints: dict[int, str]) -> None:
        self.checkpoints = checkpoints
        self.prev_hash = GENESIS_HASH
        self.checked = 0
        self.checkpoints_checked = 0
        self.last_good_checkpoint = 0
        self.tree = merkle.CompactRange()

    def step(self, seq: int, row: dict[str, Any] | None, tomb: dict[str, Any] | None, leaf: bytes | None) -> None:
        link = row or tomb
        if link is None:
            raise _Broken(seq, f"entry {seq} is missing")
        if row is not None and tomb is not None:
            raise _Broken(seq, f"entry {seq} is both kept and pruned")
        if link["prev_hash"] != self.prev_hash:
            raise _Broken(seq, "prev_hash does not match the previous entry's hash")
        if row is not None and chain_hash(self.prev_hash, entry_content(row)) != row["hash"]:
            raise _Broken(seq, "the entry's content does not match its hash")
        expected_leaf = entry_leaf(link["hash"])
        if leaf is None or bytes(leaf) != expected_leaf:
            raise _Broken(seq, "the Merkle tree's leaf does not match the entry's hash")
        self.tree.append(expected_leaf)
        signed_root = self.checkpoints.get(seq)
        if signed_root is not None:
            if self.tree.root().hex() != signed_root:
                raise _Broken(
                    self.last_good_checkpoint + 1,
                    f"the entries up to {seq} no longer match the checkpoint signed at tree size {seq}: "
                    f"an entry from {self.last_good_checkpoint + 1} on was rewritten",
                )
            self.checkpoints_checked += 1
            self.last_good_checkpoint = seq
        self.prev_hash = link["hash"]
        self.checked += 1
