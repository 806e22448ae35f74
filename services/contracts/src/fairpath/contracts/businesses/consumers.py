"""Vetting events applied to the business projection, each at most once and never out of order."""

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
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.tables import BusinessProjection, RecruitmentLink

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
    """Every vetting.business.* event carries the whole state contracts keeps: replace the row if newer.

    A projection is a copy of another service's record, not a change of this service's own: it is neither
    audited nor re-published (the ledger goes unused), and its version is the event's, never bumped here.
    An employer's recruitment links are replaced with those of the newer state (`recruiter_ids`)."""
    applied = await apply_if_newer(
        session,
        BusinessProjection,
        payload.business_id,
        payload.version,
        {
            "business_id": payload.business_id,
            "kind": payload.kind,
            "legal_name": payload.legal_name,
            "country": payload.country,
            "sector": payload.sector,
            "status": payload.status,
            "organization_id": payload.organization_id,
            "approval_expires_at": payload.approval_expires_at,
            "condition_deadline": payload.condition_deadline,
            "updated_at": utcnow(),
        },
    )
    if applied:
        await session.execute(delete(RecruitmentLink).where(RecruitmentLink.employer_id == payload.business_id))
        session.add_all(
            RecruitmentLink(employer_id=payload.business_id, agency_id=agency_id) for agency_id in payload.recruiter_ids
        )
        await session.flush()


# Kept for callers of the first release of this module.
on_business_registered = on_business_state


def vetting_subscription() -> Subscription:
    return Subscription(
        name="contracts-vetting", stream="VETTING", handlers=dict.fromkeys(BUSINESS_EVENTS, on_business_state)
    )
