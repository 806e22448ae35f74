"""How long audit entries are kept, legal holds, and the prune that removes expired entries.

Each kind of record (`record_type`) is kept for its number of days (FAIRPATH_AUDIT_RETENTION_DAYS_BY_RECORD),
else FAIRPATH_AUDIT_RETENTION_DAYS. An entry about a business on legal hold is kept whatever its age: an entry whose record is the business,
and one whose record belongs to it (a service names which kinds do: `HeldRecords`, a licence by its
`business_id`, a contract by its `employer_id`, ...).
A pruned entry leaves a tombstone (seq, prev_hash, hash): the chain still links and the Merkle tree still
holds its leaf, so verification, proofs and checkpoints are unaffected; only the entry's content is gone.
Safe with several replicas: candidates are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.audit import AuditChain
from fairpath.common.db import Database
from fairpath.common.timeutil import utcnow


@dataclass(frozen=True)
class HeldRecords:
    """A kind of record that belongs to a business: a legal hold on the business keeps its entries too.
    `business_columns` are the record's columns naming a business (any one held holds the record)."""

    record_type: str
    id_column: Column
    business_columns: tuple[Column, ...]


@dataclass(frozen=True)
class RetentionPolicy:
    default_days: int
    days_by_record: Mapping[str, int] = field(default_factory=dict)

    def days_for(self, record_type: str) -> int:
        return self.days_by_record.get(record_type, self.default_days)


async def held_record_ids(session: AsyncSession, chain: AuditChain, scope: Iterable[HeldRecords]) -> set[str]:
    """The ids of the held businesses and of every record of theirs the scope names (as the chain writes ids)."""
    businesses = set((await session.execute(select(chain.proof.legal_hold.c.business_id))).scalars())
    held = set(businesses)
    as_uuids = [uuid.UUID(b) for b in businesses if _is_uuid(b)]
    for kind in scope:
        if as_uuids:
            query = select(kind.id_column).where(or_(*(column.in_(as_uuids) for column in kind.business_columns)))
            held.update(str(record_id) for record_id in (await session.execute(query)).scalars())
    return held


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def prune_expired(
    database: Database,
    chain: AuditChain,
    policy: RetentionPolicy,
    *,
    scope: Iterable[HeldRecords] = (),
    now: datetime | None = None,
    batch: int = 1000,
) -> int:
    """Remove the entries past their retention that no legal hold keeps; return how many were removed."""
    now = now or utcnow()
    async with database.session(read_only=True) as session:
        held = sorted(await held_record_ids(session, chain, scope))
    entry, tables = chain.entry, chain.proof
    named = list(policy.days_by_record)
    expired = or_(
        and_(entry.c.record_type.not_in(named), entry.c.occurred_at < now - timedelta(days=policy.default_days)),
        *(
            and_(entry.c.record_type == kind, entry.c.occurred_at < now - timedelta(days=days))
            for kind, days in policy.days_by_record.items()
        ),
    )
    removed = 0
    while True:
        async with database.session() as session:
            query = (
                select(entry.c.seq, entry.c.prev_hash, entry.c.hash)
                .where(expired, entry.c.record_id.not_in(held))
                .order_by(entry.c.seq)
                .limit(batch)
            )
            if not database.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if rows:
                await session.execute(
                    insert(tables.pruned),
                    [{"seq": r.seq, "prev_hash": r.prev_hash, "hash": r.hash, "pruned_at": now} for r in rows],
                )
                await session.execute(delete(entry).where(entry.c.seq.in_([r.seq for r in rows])))
        removed += len(rows)
        if len(rows) < batch:
            return removed


async def legal_holds(session: AsyncSession, chain: AuditChain) -> list[dict[str, Any]]:
    table = chain.proof.legal_hold
    rows = (await session.execute(select(table).order_by(table.c.placed_at))).mappings().all()
    return [dict(r) for r in rows]


async def place_legal_hold(session: AsyncSession, chain: AuditChain, business_id: str, actor: str) -> bool:
    """Keep everything about the business past its retention; False if it was already held. Audited."""
    table = chain.proof.legal_hold
    if (await session.execute(select(table).where(table.c.business_id == business_id))).first():
        return False
    await session.execute(insert(table).values(business_id=business_id, placed_by=actor, placed_at=utcnow()))
    await chain.append(
        session, actor=actor, action="audit.legal_hold_placed", record_type="business", record_id=business_id
    )
    return True


async def lift_legal_hold(session: AsyncSession, chain: AuditChain, business_id: str, actor: str) -> bool:
    """Let retention apply to the business again; False if it was not held. Audited."""
    table = chain.proof.legal_hold
    result = await session.execute(delete(table).where(table.c.business_id == business_id))
    if not result.rowcount:
        return False
    await chain.append(
        session, actor=actor, action="audit.legal_hold_lifted", record_type="business", record_id=business_id
    )
    return True
