"""Contracts' returns and next-season invitations (durable consumer `registry-journey` on the contracts stream),
kept for the worker's journey: each applied at most once and never out of order."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import ContractReturned, WorkerInvitedToNextSeason
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.services import CONTRACTS
from fairpath.common.timeutil import utcnow
from fairpath.registry.journey.tables import ReturnJourney, SeasonInvitation


async def on_returned(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: ContractReturned) -> None:
    """A copy of contracts' record: neither audited nor re-published."""
    await apply_if_newer(
        session,
        ReturnJourney,
        payload.contract_id,
        payload.version,
        {
            "contract_id": payload.contract_id,
            "worker_id": payload.worker_id,
            "employer_id": payload.employer_id,
            "travel_date": payload.travel_date,
            "paid_by": payload.paid_by,
            "confirmed_home_at": payload.confirmed_home_at,
            "rehire_eligible": payload.rehire_eligible,
            "updated_at": utcnow(),
        },
    )


async def on_invited(
    session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: WorkerInvitedToNextSeason
) -> None:
    await apply_if_newer(
        session,
        SeasonInvitation,
        payload.invitation_id,
        payload.version,
        {
            "invitation_id": payload.invitation_id,
            "worker_id": payload.worker_id,
            "employer_id": payload.employer_id,
            "job_order_id": payload.job_order_id,
            "previous_contract_id": payload.previous_contract_id,
            "invited_at": payload.invited_at,
            "updated_at": utcnow(),
        },
    )


def journey_subscription() -> Subscription:
    return Subscription(
        name="registry-journey",
        stream=CONTRACTS.stream,
        handlers={ContractReturned: on_returned, WorkerInvitedToNextSeason: on_invited},
    )
