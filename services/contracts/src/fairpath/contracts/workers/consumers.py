"""Registry events applied to the worker projection, each at most once and never out of order."""

from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.events.catalogue import (
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
from fairpath.contracts.workers.tables import WorkerProjection

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


def registry_subscription() -> Subscription:
    handlers = dict.fromkeys((WorkerRegistered, WorkerUpdated, WorkerConsentChanged), on_worker_state)
    handlers[WorkerErased] = on_worker_erased
    return Subscription(name="contracts-registry", stream="REGISTRY", handlers=handlers)
