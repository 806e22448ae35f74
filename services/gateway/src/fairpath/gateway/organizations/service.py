"""Finding the business an organisation acts for (cached briefly: it changes rarely, requests come often)."""

import time
import uuid

from sqlalchemy import select

from fairpath.common.db import Database
from fairpath.gateway.organizations.tables import LinkedBusiness

_TTL_SECONDS = 5.0


class BusinessLinks:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._cache: dict[uuid.UUID, tuple[float, uuid.UUID | None]] = {}

    async def business_of(self, organization_id: uuid.UUID) -> uuid.UUID | None:
        now = time.monotonic()
        cached = self._cache.get(organization_id)
        if cached and now - cached[0] < _TTL_SECONDS:
            return cached[1]
        async with self.database.session(read_only=True) as session:
            business_id = (
                await session.execute(
                    select(LinkedBusiness.business_id)
                    .where(LinkedBusiness.organization_id == organization_id)
                    .order_by(LinkedBusiness.business_id)
                    .limit(1)
                )
            ).scalar_one_or_none()
        self._cache[organization_id] = (now, business_id)
        return business_id
