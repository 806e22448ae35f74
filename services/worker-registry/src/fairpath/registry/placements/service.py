"""Reading a worker's placement history, within the caller's reach."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.registry.placements.tables import Placement
from fairpath.registry.workers.service import audit_reads, worker_in_reach


async def placements_of(
    *,
    session: AsyncSession,
    principal: Principal,
    worker_id: uuid.UUID,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Placement]:
    worker, _ = await worker_in_reach(session, principal, worker_id)
    query = select(Placement).where(Placement.worker_id == worker.id).order_by(Placement.contract_id).limit(limit)
    if principal.role == Role.employer:
        # An employer sees only its own contracts in a worker's history.
        query = query.where(Placement.employer_id == principal.business_id)
    if after is not None:
        query = query.where(Placement.contract_id > after)
    await audit_reads(session, principal, [worker], "worker.placements_read")
    return list((await session.execute(query)).scalars())
