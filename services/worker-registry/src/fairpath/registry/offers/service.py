"""Offers: a recruiter of a job order (one of its agencies, or its employer) picks a candidate from its shortlist
for a position; the worker accepts or declines it from their own login, or the recruiter withdraws it.

Who may be picked: a worker who would be on the caller's shortlist for that position (fairpath.registry.matching):
active, consenting to registration, not placed, with an occupation in the position's ISCO-08 major group, and
either registered by the calling agency or consenting to be considered by the caller (`considered_by_recruiter`).
Any other worker, and a job order or position outside the caller's reach, is answered as an id that does not exist.

Until the worker accepts, the recruiter sees what the shortlist showed: the full record of its own worker, else
the profile view; the worker's acceptance brings them within the recruiter's reach, and the accepted offer shows
the full record (name, date of birth, document, contact: what a contract and a visa need), each read audited; a
declined or withdrawn offer shows no worker at all. An acceptance is published
(`registry.offer.accepted`): contracts then lets that recruiter draft a contract for the worker (design.md, "An
agency contracts only workers it registered, or who accepted its offer after consenting to be considered by it").
A consent withdrawn withdraws the pending offers it allowed (`withdraw_unconsented_offers`, on the registry's own
worker events), and an acceptance is refused meanwhile.
"""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import ConsentPurpose
from fairpath.common.errors import Conflict, NotFound
from fairpath.common.events.catalogue import OfferAccepted, OfferMade
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.matching.tables import JobOrderPositionProjection, JobOrderProjection
from fairpath.registry.offers.schemas import OfferCreate, OfferPublic, OfferStatus, WithdrawalReason
from fairpath.registry.offers.tables import Offer
from fairpath.registry.workers.schemas import View, WorkerStatus
from fairpath.registry.workers.service import audit_reads, details_of, is_owner, present, require_active
from fairpath.registry.workers.tables import Worker, WorkerRecruiterConsent, WorkerSkill

SYSTEM_ACTOR = "system:registry.offers"


class OfferNotPending(Conflict):
    name = "offer_not_pending"
    description = "the offer was accepted, declined or withdrawn already: only a pending offer is answered"


class OfferPending(Conflict):
    name = "offer_pending"
    description = "the caller's offer of this job order to this worker is pending already"


# --- reach ---------------------------------------------------------------------------------


async def _job_order_of(session: AsyncSession, principal: Principal, job_order_id: uuid.UUID) -> JobOrderProjection:
    """The job order, when the caller is one of its recruiters; any other is answered as one never posted."""
    order = await session.get(JobOrderProjection, job_order_id)
    business = principal.business_id
    if order is None or business is None or (business != order.employer_id and str(business) not in order.agency_ids):
        raise NotFound("job_order", job_order_id)
    return order


async def _position_of(
    session: AsyncSession, order: JobOrderProjection, position_id: uuid.UUID
) -> JobOrderPositionProjection:
    position = await session.get(JobOrderPositionProjection, position_id)
    if position is None or position.job_order_id != order.job_order_id:
        raise NotFound("position", position_id)
    return position


def _own(principal: Principal, worker: Worker) -> bool:
    return principal.role == Role.agency and is_owner(principal, worker)


async def _considers(session: AsyncSession, worker_id: uuid.UUID, recruiter_id: uuid.UUID) -> bool:
    """The worker consents to be considered by this recruiter now."""
    found = await session.get(WorkerRecruiterConsent, (worker_id, recruiter_id))
    return found is not None


async def _candidate(
    session: AsyncSession, principal: Principal, worker_id: uuid.UUID, position: JobOrderPositionProjection
) -> tuple[Worker, bool]:
    """The worker and whether they are the calling agency's own, when they would be on the caller's shortlist for
    the position; any other worker is answered as one that does not exist."""
    worker = await session.get(Worker, worker_id)
    if worker is None or worker.status != WorkerStatus.active or ConsentPurpose.registration not in worker.consents:
        raise NotFound("worker", worker_id)
    own = _own(principal, worker)
    if not own and not (principal.business_id and await _considers(session, worker.id, principal.business_id)):
        raise NotFound("worker", worker_id)
    skilled = select(WorkerSkill.worker_id).where(
        WorkerSkill.worker_id == worker.id, WorkerSkill.major == position.occupation[:1]
    )
    if worker.currently_placed or (await session.execute(skilled.limit(1))).first() is None:
        raise NotFound("worker", worker_id)
    return worker, own


def _reaches(principal: Principal, offer: Offer) -> bool:
    if principal.role == Role.worker:
        return principal.worker_id == offer.worker_id
    return principal.role in (Role.agency, Role.employer) and principal.business_id == offer.recruiter_id


async def offer_in_reach(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID, *, for_update: bool = False
) -> Offer:
    offer = await session.get(Offer, offer_id, with_for_update=for_update)
    if offer is None or not _reaches(principal, offer):
        raise NotFound("offer", offer_id)
    return offer


# --- making and answering offers -------------------------------------------------------------


async def make_offer(*, session: AsyncSession, ledger: Ledger, principal: Principal, data: OfferCreate) -> Offer:
    order = await _job_order_of(session, principal, data.job_order_id)
    position = await _position_of(session, order, data.position_id)
    worker, own = await _candidate(session, principal, data.worker_id, position)
    pending = select(Offer.id).where(
        Offer.worker_id == worker.id,
        Offer.job_order_id == order.job_order_id,
        Offer.recruiter_id == principal.business_id,
        Offer.status == OfferStatus.pending,
    )
    if (await session.execute(pending.limit(1))).first() is not None:
        raise OfferPending(f"an offer of job order {order.job_order_id} to worker {worker.id} is pending already")
    now = utcnow()
    offer = Offer(
        id=uuid7(),
        job_order_id=order.job_order_id,
        position_id=position.position_id,
        worker_id=worker.id,
        recruiter_id=principal.business_id,
        own_worker=own,
        status=OfferStatus.pending,
        made_by=principal.actor,
        made_at=now,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        offer,
        actor=principal.actor,
        action="offer.made",
        record_type="offer",
        changes={
            "job_order_id": str(offer.job_order_id),
            "position_id": str(offer.position_id),
            "worker_id": str(offer.worker_id),
            "recruiter_id": str(offer.recruiter_id),
        },
        event=lambda: OfferMade(
            version=offer.version,
            offer_id=offer.id,
            job_order_id=offer.job_order_id,
            position_id=offer.position_id,
            worker_id=offer.worker_id,
            recruiter_id=offer.recruiter_id,
            made_at=offer.made_at,
        ),
    )
    return offer


def _require_pending(offer: Offer) -> None:
    if offer.status != OfferStatus.pending:
        raise OfferNotPending(f"the offer is {offer.status.value}")


async def _still_consented(session: AsyncSession, offer: Offer, worker: Worker | None) -> bool:
    """What allowed the offer holds: the worker is active and registered, and is the recruiting agency's own or
    still consents to be considered by the recruiter."""
    if worker is None or worker.status != WorkerStatus.active or ConsentPurpose.registration not in worker.consents:
        return False
    return offer.own_worker or await _considers(session, offer.worker_id, offer.recruiter_id)


async def _close(
    session: AsyncSession,
    ledger: Ledger,
    offer: Offer,
    status: OfferStatus,
    *,
    actor: str,
    reason: WithdrawalReason | None = None,
) -> None:
    offer.status = status
    offer.withdrawal_reason = reason
    offer.closed_at = utcnow()
    await ledger.record_change(
        session,
        offer,
        actor=actor,
        action=f"offer.{status.value}",
        record_type="offer",
        changes={"status": status.value, **({"withdrawal_reason": reason.value} if reason else {})},
        event=(
            (
                lambda: OfferAccepted(
                    version=offer.version,
                    offer_id=offer.id,
                    job_order_id=offer.job_order_id,
                    position_id=offer.position_id,
                    worker_id=offer.worker_id,
                    recruiter_id=offer.recruiter_id,
                    accepted_at=offer.closed_at,
                )
            )
            if status == OfferStatus.accepted
            else None
        ),
    )


async def answer_offer(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, offer_id: uuid.UUID, accept: bool
) -> Offer:
    """The worker accepts or declines an offer made to them; only a pending one."""
    offer = await offer_in_reach(session, principal, offer_id, for_update=True)
    worker = await session.get(Worker, offer.worker_id)
    if worker is not None:
        require_active(worker)
    _require_pending(offer)
    if accept and not await _still_consented(session, offer, worker):
        # The consent that allowed it was withdrawn: its withdrawal follows from the worker's own event.
        raise OfferNotPending("the offer is withdrawn: the consent to be considered by the recruiter was withdrawn")
    status = OfferStatus.accepted if accept else OfferStatus.declined
    await _close(session, ledger, offer, status, actor=principal.actor)
    return offer


async def withdraw_offer(*, session: AsyncSession, ledger: Ledger, principal: Principal, offer_id: uuid.UUID) -> Offer:
    offer = await offer_in_reach(session, principal, offer_id, for_update=True)
    _require_pending(offer)
    await _close(
        session, ledger, offer, OfferStatus.withdrawn, actor=principal.actor, reason=WithdrawalReason.by_recruiter
    )
    return offer


async def withdraw_unconsented_offers(session: AsyncSession, ledger: Ledger, worker_id: uuid.UUID) -> int:
    """The worker's pending offers whose consent is gone (to be considered by the recruiter, to registration, the
    worker's record erased), withdrawn; how many."""
    offers = (
        await session.execute(
            select(Offer)
            .where(Offer.worker_id == worker_id, Offer.status == OfferStatus.pending)
            .order_by(Offer.id)
            .with_for_update()
        )
    ).scalars()
    worker = await session.get(Worker, worker_id)
    withdrawn = 0
    for offer in list(offers):
        if not await _still_consented(session, offer, worker):
            await _close(
                session,
                ledger,
                offer,
                OfferStatus.withdrawn,
                actor=SYSTEM_ACTOR,
                reason=WithdrawalReason.consent_withdrawn,
            )
            withdrawn += 1
    return withdrawn


# --- reading -------------------------------------------------------------------------------


async def list_offers(
    *,
    session: AsyncSession,
    principal: Principal,
    status: OfferStatus | None = None,
    job_order_id: uuid.UUID | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Offer]:
    """The recruiter's own offers; a worker's, the offers made to them. In the order they were made."""
    query = select(Offer).order_by(Offer.id).limit(limit)
    if principal.role == Role.worker:
        query = query.where(Offer.worker_id == principal.worker_id)
    else:
        query = query.where(Offer.recruiter_id == principal.business_id)
    if status is not None:
        query = query.where(Offer.status == status)
    if job_order_id is not None:
        query = query.where(Offer.job_order_id == job_order_id)
    if after is not None:
        query = query.where(Offer.id > after)
    return list((await session.execute(query)).scalars())


async def presented(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, offers: Sequence[Offer]
) -> list[OfferPublic]:
    """Each offer with its position; to the recruiter, the worker as the shortlist showed them while the offer is
    pending, in full once the worker accepted it (a read of a record not its own: an audit entry)."""
    positions = {
        p.position_id: p
        for p in (
            await session.execute(
                select(JobOrderPositionProjection).where(
                    JobOrderPositionProjection.position_id.in_({o.position_id for o in offers})
                )
            )
        ).scalars()
    }
    orders = {
        o.job_order_id: o
        for o in (
            await session.execute(
                select(JobOrderProjection).where(JobOrderProjection.job_order_id.in_({o.job_order_id for o in offers}))
            )
        ).scalars()
    }
    shown_ids = [
        o.worker_id
        for o in offers
        if principal.role != Role.worker and o.status in (OfferStatus.pending, OfferStatus.accepted)
    ]
    workers = {
        w.id: w
        for w in (await session.execute(select(Worker).where(Worker.id.in_(set(shown_ids))))).scalars()
        if w.status == WorkerStatus.active
    }
    languages, skills = await details_of(session, list(workers))
    await audit_reads(session, ledger, principal, list(workers.values()), "worker.read")
    result = []
    for offer in offers:
        position = positions.get(offer.position_id)
        order = orders.get(offer.job_order_id)
        worker = workers.get(offer.worker_id) if offer.worker_id in shown_ids else None
        result.append(
            OfferPublic(
                id=offer.id,
                job_order_id=offer.job_order_id,
                position_id=offer.position_id,
                position_title=position.title if position else None,
                occupation=position.occupation if position else None,
                destination_country=order.destination_country if order else None,
                worker_id=offer.worker_id,
                recruiter_id=offer.recruiter_id,
                own_worker=offer.own_worker,
                status=offer.status,
                withdrawal_reason=offer.withdrawal_reason,
                made_at=offer.made_at,
                closed_at=offer.closed_at,
                worker=(
                    present(
                        worker,
                        View.full
                        if is_owner(principal, worker) or offer.status == OfferStatus.accepted
                        else View.profile,
                        cipher,
                        languages[worker.id],
                        skills[worker.id],
                    )
                    if worker is not None
                    else None
                ),
                version=offer.version,
            )
        )
    return result
