"""Vetting events applied to the business projection, each at most once and never out of order."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.tables import BusinessProjection


async def on_business_registered(session: AsyncSession, _: CloudEvent, payload: BusinessRegistered) -> None:
    await apply_if_newer(
        session, BusinessProjection, payload.business_id, payload.version,
        {
            "business_id": payload.business_id, "kind": payload.kind, "legal_name": payload.legal_name,
            "country": payload.country, "sector": payload.sector, "status": payload.status,
            "organization_id": payload.organization_id, "updated_at": utcnow(),
        },
    )


def vetting_subscription() -> Subscription:
    return Subscription(
        name="contracts-vetting",
        stream="VETTING",
        handlers={BusinessRegistered: on_business_registered},
    )
