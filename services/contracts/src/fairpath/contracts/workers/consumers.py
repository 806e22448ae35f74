"""Registry events applied to the worker projection, each at most once and never out of order; and the offers
workers accepted, each recruiter then within reach of the worker (`AcceptedOffer`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import (
    OfferAccepted,
    WorkerConsentChanged,
    WorkerErased,
    WorkerRegistered,
    WorkerUpdated,
)
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.contracts.workers.tables import AcceptedOffer, WorkerProjection

WorkerState = WorkerRegistered | WorkerUpdated | WorkerConsentChanged


async def on_worker_state(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: WorkerState) -> None:
    """The registry's worker at the event's version, if newer: a copy, so nothing is audited or re-published."""
    await apply_if_newer(
        session,
        WorkerProjection,
        payload.worker_id,
        payload.version,
        {
            "worker_id": payload.worker_id,
            "consents": [str(c) for c in payload.consents],
            "languages": list(payload.languages),
            "agency_id": payload.agency_id,
            "erased": False,
            "updated_at": utcnow(),
        },
    )


async def on_worker_erased(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: WorkerErased) -> None:
    await apply_if_newer(
        session,
        WorkerProjection,
        payload.worker_id,
        payload.version,
        {
            "worker_id": payload.worker_id,
            "consents": [],
            "languages": [],
            "agency_id": None,
            "erased": True,
            "updated_at": utcnow(),
        },
    )


async def on_offer_accepted(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: OfferAccepted) -> None:
    """The registry's acceptance, kept as it said it (an accepted offer is never changed again)."""
    await apply_if_newer(
        session,
        AcceptedOffer,
        payload.offer_id,
        payload.version,
        {
            "offer_id": payload.offer_id,
            "worker_id": payload.worker_id,
            "recruiter_id": payload.recruiter_id,
            "job_order_id": payload.job_order_id,
            "accepted_at": payload.accepted_at,
            "updated_at": utcnow(),
        },
    )


def registry_subscription() -> Subscription:
    handlers = dict.fromkeys((WorkerRegistered, WorkerUpdated, WorkerConsentChanged), on_worker_state)
    handlers[WorkerErased] = on_worker_erased
    handlers[OfferAccepted] = on_offer_accepted
    return Subscription(name="contracts-registry", stream="REGISTRY", handlers=handlers)
