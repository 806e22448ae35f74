"""A worker's journey in one answer: the offers made to them (pending first), their check-ins, the return home at
each contract's end and their invitations to a next season. Reached as the worker's check-ins are: the worker,
their agency and the operator (every read by anyone but the worker's side an audit entry); the agency sees only
the offers it made itself."""

import uuid

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.ledger import Ledger
from fairpath.registry.checkins import service as check_ins
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.journey.schemas import InvitationPublic, JourneyPublic, ReturnPublic
from fairpath.registry.journey.tables import ReturnJourney, SeasonInvitation
from fairpath.registry.offers import service as offers
from fairpath.registry.offers.schemas import OfferStatus
from fairpath.registry.offers.tables import Offer

# The most of each list the journey shows (the lists of their own endpoints page through the rest).
SHOWN = 50


async def journey_of(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, worker_id: uuid.UUID
) -> JourneyPublic:
    # The check-ins' reach is the journey's: a worker outside it is a 404 before anything is read.
    scheduled = await check_ins.check_ins_of(
        session=session, ledger=ledger, principal=principal, worker_id=worker_id, limit=SHOWN
    )
    pending_first = case((Offer.status == OfferStatus.pending, 0), else_=1)
    query = select(Offer).where(Offer.worker_id == worker_id).order_by(pending_first, Offer.id.desc()).limit(SHOWN)
    if principal.role == Role.agency:
        # The worker's agency sees its own offers only: another recruiter's job orders are not its business.
        query = query.where(Offer.recruiter_id == principal.business_id)
    made = list((await session.execute(query)).scalars())
    returns = (
        await session.execute(
            select(ReturnJourney).where(ReturnJourney.worker_id == worker_id).order_by(ReturnJourney.contract_id)
        )
    ).scalars()
    invitations = (
        await session.execute(
            select(SeasonInvitation)
            .where(SeasonInvitation.worker_id == worker_id)
            .order_by(SeasonInvitation.invitation_id)
        )
    ).scalars()
    return JourneyPublic(
        worker_id=worker_id,
        offers=await offers.presented(session=session, ledger=ledger, principal=principal, cipher=cipher, offers=made),
        check_ins=[check_ins.present(c, principal, cipher) for c in scheduled],
        returns=[ReturnPublic.model_validate(r) for r in returns],
        invitations=[InvitationPublic.model_validate(i) for i in invitations],
    )
