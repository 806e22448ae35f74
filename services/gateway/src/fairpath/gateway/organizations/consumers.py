"""Vetting's business events tell the gateway which organisation acts for which business."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import (
    BusinessApproved,
    BusinessConditionallyApproved,
    BusinessExpired,
    BusinessRegistered,
    BusinessRejected,
    BusinessSuspended,
    BusinessUpdated,
)
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent, EventPayload
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.services import VETTING
from fairpath.common.timeutil import utcnow
from fairpath.gateway.organizations.tables import LinkedBusiness


async def on_business_state(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: EventPayload) -> None:
    """A projection of vetting's record: nothing of the gateway's own changes, so nothing to audit."""
    await apply_if_newer(
        session,
        LinkedBusiness,
        payload.business_id,
        payload.version,
        {"business_id": payload.business_id, "organization_id": payload.organization_id, "updated_at": utcnow()},
    )


def linked_business_subscription() -> Subscription:
    events = (
        BusinessRegistered,
        BusinessUpdated,
        BusinessApproved,
        BusinessConditionallyApproved,
        BusinessRejected,
        BusinessSuspended,
        BusinessExpired,
    )
    return Subscription(
        name="gateway-vetting", stream=VETTING.stream, handlers=dict.fromkeys(events, on_business_state)
    )
