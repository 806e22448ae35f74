"""The registry's own worker events (durable consumer `registry-offers` on the registry's stream): a consent
withdrawn, or a record erased, withdraws the pending offers it allowed. Read from the stream, not called from the
consent's change, so that the workers domain knows nothing of offers; each event applied at most once."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import WorkerConsentChanged, WorkerErased, WorkerUpdated
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.ledger import Ledger
from fairpath.common.services import REGISTRY
from fairpath.registry.offers.service import withdraw_unconsented_offers


async def on_worker_changed(
    session: AsyncSession,
    ledger: Ledger,
    _event: CloudEvent,
    payload: WorkerConsentChanged | WorkerUpdated | WorkerErased,
) -> None:
    """The offers are checked against the worker's consents as they are now (a later event finds nothing more)."""
    await withdraw_unconsented_offers(session, ledger, payload.worker_id)


def worker_consents_subscription() -> Subscription:
    return Subscription(
        name="registry-offers",
        stream=REGISTRY.stream,
        handlers=dict.fromkeys((WorkerConsentChanged, WorkerUpdated, WorkerErased), on_worker_changed),
    )
