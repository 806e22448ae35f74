"""Whether a business id a caller names is one the registry knows, from the local projection of vetting events.

Any status counts: a fee paid to a rejected or suspended business is still a fact to record. An id the
projection does not hold is refused in the same words whatever the reason (never registered, not yet
heard of, or, once tenancy comes, outside the caller's reach), so a refusal reveals nothing of a business.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.errors import Violation
from fairpath.registry.businesses.tables import BusinessProjection

UNKNOWN_BUSINESS = "unknown_business"


async def unknown_businesses(session: AsyncSession, named: dict[str, uuid.UUID | None]) -> list[Violation]:
    """One violation per field (of `named`: field -> business id, None when not given) naming no known business."""
    wanted = {business_id for business_id in named.values() if business_id is not None}
    if not wanted:
        return []
    known = set(
        (
            await session.execute(
                select(BusinessProjection.business_id).where(BusinessProjection.business_id.in_(wanted))
            )
        ).scalars()
    )
    return [
        Violation(field=field, rule=UNKNOWN_BUSINESS, message="names no business known to the registry")
        for field, business_id in named.items()
        if business_id is not None and business_id not in known
    ]
