"""Which recruiters may contract a worker beyond the agency that registered them: those whose offer the worker
accepted (design.md, "An agency contracts only workers it registered, or who accepted its offer after consenting
to be considered by it")."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.contracts.workers.tables import AcceptedOffer


async def accepted_offer_of(session: AsyncSession, worker_id: uuid.UUID, recruiter_id: uuid.UUID) -> bool:
    """The worker accepted an offer of this recruiter (an agency or an employer)."""
    query = select(AcceptedOffer.offer_id).where(
        AcceptedOffer.worker_id == worker_id, AcceptedOffer.recruiter_id == recruiter_id
    )
    return (await session.execute(query.limit(1))).first() is not None
