"""Job orders contracts posts (durable consumer `registry-job-orders` on the contracts stream), kept for matching:
each applied at most once and never out of order."""

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import JobOrderPosted
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.services import CONTRACTS
from fairpath.common.timeutil import utcnow
from fairpath.registry.matching.tables import JobOrderPositionProjection, JobOrderProjection


async def on_job_order_posted(
    session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: JobOrderPosted
) -> None:
    """A copy of contracts' record, not a change of the registry's own: neither audited nor re-published. Its
    positions replace the ones held, with the row, so a late or repeated event changes nothing."""
    applied = await apply_if_newer(
        session,
        JobOrderProjection,
        payload.job_order_id,
        payload.version,
        {
            "job_order_id": payload.job_order_id,
            "employer_id": payload.employer_id,
            "agency_ids": [str(a) for a in payload.agency_ids],
            "destination_country": payload.destination_country,
            "posted_at": payload.posted_at,
            "updated_at": utcnow(),
        },
    )
    if not applied:
        return
    await session.execute(
        delete(JobOrderPositionProjection).where(JobOrderPositionProjection.job_order_id == payload.job_order_id)
    )
    session.add_all(
        JobOrderPositionProjection(
            position_id=p.position_id,
            job_order_id=payload.job_order_id,
            occupation=p.occupation,
            title=p.title,
            number_of_workers=p.number_of_workers,
            languages=list(p.languages),
            minimum_years=p.minimum_years,
        )
        for p in payload.positions
    )


def job_orders_subscription() -> Subscription:
    return Subscription(
        name="registry-job-orders", stream=CONTRACTS.stream, handlers={JobOrderPosted: on_job_order_posted}
    )
