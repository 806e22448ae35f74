"""The append-only, hash-chained audit log every service keeps.

    hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the entry)

An entry names the actor, the action, the record and the changed fields with a
keyed digest of each new value (never the value: no personal data in the chain).
Appends lock the chain's head row, so concurrent writers and replicas never fork it.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    MetaData,
    String,
    Table,
    Uuid,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, require_roles
from fairpath.common.canonical import canonical_json, keyed_digest, sha256_hex
from fairpath.common.db import ReadSessionDep, UtcDateTime
from fairpath.common.errors import PROBLEM_RESPONSES
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


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return sha256_hex(prev_hash.encode() + canonical_json(content))


@dataclass(frozen=True)
class VerifyResult:
    valid: bool
    entries_checked: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: str | None = None


class AuditChain:
    """One service's chain: its two tables and the key for field digests.

    Made when the service starts, from its settings; a chain without a key would store digests
    anyone could recompute by guessing values, so an empty key is refused."""

    def __init__(self, entry: Table, head: Table, *, digest_key: bytes) -> None:
        if not digest_key:
            raise ValueError("the audit digest key is empty: set FAIRPATH_AUDIT_DIGEST_KEY")
        self.entry, self.head = entry, head
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
        the same chain as that many `append` calls, in three statements."""
        if not record_ids:
            return
        seq, prev_hash = await self._lock_head(session)
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
        await session.execute(update(self.head).where(self.head.c.chain == CHAIN).values(seq=seq, hash=prev_hash))

    async def verify(self, session: AsyncSession, batch: int = 2000) -> VerifyResult:
        """Recompute the chain from the start; name the first entry that does not hold."""
        head = (await session.execute(select(self.head).where(self.head.c.chain == CHAIN))).one_or_none()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
        while True:
            rows = (
                (
                    await session.execute(
                        select(self.entry)
                        .where(self.entry.c.seq >= expected_seq)
                        .order_by(self.entry.c.seq)
                        .limit(batch)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                break
            for row in rows:
                broken = None
                if row["seq"] != expected_seq:
                    broken = (expected_seq, f"entry {expected_seq} is missing")
                elif row["prev_hash"] != prev_hash:
                    broken = (row["seq"], "prev_hash does not match the previous entry's hash")
                elif chain_hash(prev_hash, entry_content(dict(row))) != row["hash"]:
                    broken = (row["seq"], "the entry's content does not match its hash")
                if broken:
                    return VerifyResult(False, checked, head_seq, head_hash, broken[0], broken[1])
                prev_hash = row["hash"]
                expected_seq += 1
                checked += 1
        if checked != head_seq or prev_hash != head_hash:
            return VerifyResult(
                False,
                checked,
                head_seq,
                head_hash,
                checked + 1,
                "the chain ends before its recorded head (entries were removed)",
            )
        return VerifyResult(True, checked, head_seq, head_hash)


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


class AuditRecordPage(BaseModel):
    items: list[AuditRecord]
    next_cursor: str | None


class AuditVerification(BaseModel):
    service: str
    valid: bool
    entries_checked: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None
    reason: str | None


AuditReader = Annotated[Principal, Depends(require_roles(*READ_ALL_ROLES))]


def audit_router(service: str) -> APIRouter:
    """`/v1/audit/{service}/records` and `/verify`, for auditors and the operator."""
    router = APIRouter(prefix=f"/v1/audit/{service}", tags=["audit"], responses=PROBLEM_RESPONSES)

    @router.get("/records", response_model=AuditRecordPage)
    async def list_audit_records(
        request: Request,
        session: ReadSessionDep,
        _: AuditReader,
        record_id: str | None = None,
        cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$", description="seq to continue after")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> AuditRecordPage:
        log: AuditChain = request.app.state.ledger.audit
        query = select(log.entry).order_by(log.entry.c.seq).limit(limit + 1)
        if record_id:
            query = query.where(log.entry.c.record_id == record_id)
        if cursor:
            query = query.where(log.entry.c.seq > int(cursor))
        rows = (await session.execute(query)).mappings().all()
        items = [AuditRecord.model_validate({**dict(r), "occurred_at": as_utc(r["occurred_at"])}) for r in rows[:limit]]
        return AuditRecordPage(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)

    @router.get("/verify", response_model=AuditVerification)
    async def verify_audit_chain(request: Request, session: ReadSessionDep, _: AuditReader) -> AuditVerification:
        result = await request.app.state.ledger.audit.verify(session)
        return AuditVerification(service=service, **result.__dict__)

    return router
