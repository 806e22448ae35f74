"""What the gateway learns from other services' events: vetting's businesses (their kind, and the organisation
vetting says acts for each) and the registry's workers (so a login links only to a real worker record)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import (
    BusinessApproved,
    BusinessConditionallyApproved,
    BusinessExpired,
    BusinessRegistered,
    BusinessRejected,
    BusinessSuspended,
    BusinessUpdated,
    WorkerConsentChanged,
    WorkerErased,
    WorkerRegistered,
    WorkerUpdated,
)
from fairpath.common.events.consumer import Subscription
from fairpath.common.events.envelope import CloudEvent, EventPayload
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.services import REGISTRY, VETTING
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.schemas import SessionEnd
from fairpath.gateway.accounts.service import end_sessions, link_business_from_vetting
from fairpath.gateway.accounts.tables import KnownWorker, LinkedBusiness, User


async def on_business_state(session: AsyncSession, ledger: Ledger, _event: CloudEvent, payload: EventPayload) -> None:
    """Project vetting's record; when it names an organisation, that organisation acts for the business."""
    applied = await apply_if_newer(
        session,
        LinkedBusiness,
        payload.business_id,
        payload.version,
        {
            "business_id": payload.business_id,
            "organization_id": payload.organization_id,
            "kind": payload.kind,
            "updated_at": utcnow(),
        },
    )
    if applied and payload.organization_id is not None:
        await link_business_from_vetting(
            session,
            ledger,
            business_id=payload.business_id,
            organization_id=payload.organization_id,
            kind=payload.kind.value,
        )


async def on_worker_state(session: AsyncSession, _ledger: Ledger, _event: CloudEvent, payload: EventPayload) -> None:
    await apply_if_newer(
        session,
        KnownWorker,
        payload.worker_id,
        payload.version,
        {"worker_id": payload.worker_id, "erased": False, "updated_at": utcnow()},
    )


async def on_worker_erased(session: AsyncSession, ledger: Ledger, _event: CloudEvent, payload: WorkerErased) -> None:
    """An erased worker's record is closed: so is their login."""
    applied = await apply_if_newer(
        session,
        KnownWorker,
        payload.worker_id,
        payload.version,
        {"worker_id": payload.worker_id, "erased": True, "updated_at": utcnow()},
    )
    if not applied:
        return
    login = await session.scalar(
        select(User).where(User.worker_id == payload.worker_id, User.role == Role.worker).with_for_update()
    )
    if login is not None and not login.disabled:
        login.disabled = True
        await ledger.record_change(
            session, login, actor="registry", action="user.disabled", record_type="user", changes={"disabled": True}
        )
        await end_sessions(session, ledger, user_id=login.id, reason=SessionEnd.worker_erased, actor="registry")


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


def known_worker_subscription() -> Subscription:
    handlers = dict.fromkeys((WorkerRegistered, WorkerUpdated, WorkerConsentChanged), on_worker_state)
    handlers[WorkerErased] = on_worker_erased
    return Subscription(name="gateway-registry", stream=REGISTRY.stream, handlers=handlers)
