"""Vetting's business events (durable consumer `registry-vetting` on the vetting stream) applied to the
business projection, each at most once and never out of order."""

from sqlalchemy import delete
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
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.services import VETTING
from fairpath.common.timeutil import utcnow
from fairpath.registry.businesses.tables import BusinessProjection, BusinessRecruiter

BUSINESS_EVENTS = (
    BusinessRegistered,
    BusinessUpdated,
    BusinessApproved,
    BusinessConditionallyApproved,
    BusinessRejected,
    BusinessSuspended,
    BusinessExpired,
)
BusinessState = (
    BusinessRegistered
    | BusinessUpdated
    | BusinessApproved
    | BusinessConditionallyApproved
    | BusinessRejected
    | BusinessSuspended
    | BusinessExpired
)


async def on_business_state(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: BusinessState) -> None:
    """Every vetting.business.* event carries the whole state the registry keeps: replace the row if newer.

    A copy of vetting's record, not a change of the registry's own: neither audited nor re-published, and
    its version is the event's. An employer's recruiters (`recruiter_ids`) replace the ones it had, with the
    row, so a late or repeated event changes neither."""
    applied = await apply_if_newer(
        session,
        BusinessProjection,
        payload.business_id,
        payload.version,
        {
            "business_id": payload.business_id,
            "kind": payload.kind,
            "status": payload.status,
            "organization_id": payload.organization_id,
            "updated_at": utcnow(),
        },
    )
    if not applied:
        return
    await session.execute(delete(BusinessRecruiter).where(BusinessRecruiter.employer_id == payload.business_id))
    session.add_all(
        BusinessRecruiter(employer_id=payload.business_id, agency_id=agency_id) for agency_id in payload.recruiter_ids
    )


def vetting_subscription() -> Subscription:
    return Subscription(
        name="registry-vetting", stream=VETTING.stream, handlers=dict.fromkeys(BUSINESS_EVENTS, on_business_state)
    )
