"""HTTP routes of the offers domain: `POST/GET /v1/offers`, `GET /v1/offers/{id}`, `POST /v1/offers/{id}/accept`,
`/decline`, `/withdraw`."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import Principal
from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.offers import service
from fairpath.registry.offers.auth import OfferAnswerer, OfferMaker, OfferReader
from fairpath.registry.offers.schemas import OfferCreate, OfferPublic, OfferStatus
from fairpath.registry.offers.service import OfferNotPending, OfferPending
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(prefix="/v1/offers", tags=["offers"], responses=PROBLEM_RESPONSES)


async def _one(session, ledger, principal: Principal, cipher, offer) -> OfferPublic:  # noqa: ANN001
    [shown] = await service.presented(
        session=session, ledger=ledger, principal=principal, cipher=cipher, offers=[offer]
    )
    return shown


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferPublic,
    summary="Pick a candidate of the caller's shortlist for a job order's position: an offer to the worker",
    responses=problems(NotFound, OfferPending),
)
async def make_offer(
    body: OfferCreate, session: WriteSessionDep, ledger: LedgerDep, principal: OfferMaker, cipher: CipherDep
) -> OfferPublic:
    offer = await service.make_offer(session=session, ledger=ledger, principal=principal, data=body)
    return await _one(session, ledger, principal, cipher, offer)


@router.get(
    "",
    response_model=Page[OfferPublic],
    summary="The recruiter's own offers; for a worker's login, the offers made to them",
    responses=problems(),
)
async def list_offers(
    session: WriteSessionDep,  # a recruiter's read of a profile not its own is an audit entry
    ledger: LedgerDep,
    principal: OfferReader,
    cipher: CipherDep,
    status: OfferStatus | None = None,
    job_order_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[OfferPublic]:
    rows = await service.list_offers(
        session=session,
        principal=principal,
        status=status,
        job_order_id=job_order_id,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = await service.presented(
        session=session, ledger=ledger, principal=principal, cipher=cipher, offers=rows[:limit]
    )
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/{offer_id}",
    response_model=OfferPublic,
    summary="One offer, to its recruiter or its worker",
    responses=problems(NotFound),
)
async def get_offer(
    offer_id: uuid.UUID, session: WriteSessionDep, ledger: LedgerDep, principal: OfferReader, cipher: CipherDep
) -> OfferPublic:
    offer = await service.offer_in_reach(session, principal, offer_id)
    return await _one(session, ledger, principal, cipher, offer)


@router.post(
    "/{offer_id}/accept",
    response_model=OfferPublic,
    summary="The worker accepts the offer: the recruiter may then contract them for the job order",
    responses=problems(NotFound, OfferNotPending, ErasedWorker),
)
async def accept_offer(
    offer_id: uuid.UUID, session: WriteSessionDep, ledger: LedgerDep, principal: OfferAnswerer, cipher: CipherDep
) -> OfferPublic:
    offer = await service.answer_offer(
        session=session, ledger=ledger, principal=principal, offer_id=offer_id, accept=True
    )
    return await _one(session, ledger, principal, cipher, offer)


@router.post(
    "/{offer_id}/decline",
    response_model=OfferPublic,
    summary="The worker declines the offer",
    responses=problems(NotFound, OfferNotPending, ErasedWorker),
)
async def decline_offer(
    offer_id: uuid.UUID, session: WriteSessionDep, ledger: LedgerDep, principal: OfferAnswerer, cipher: CipherDep
) -> OfferPublic:
    offer = await service.answer_offer(
        session=session, ledger=ledger, principal=principal, offer_id=offer_id, accept=False
    )
    return await _one(session, ledger, principal, cipher, offer)


@router.post(
    "/{offer_id}/withdraw",
    response_model=OfferPublic,
    summary="The recruiter withdraws a pending offer",
    responses=problems(NotFound, OfferNotPending),
)
async def withdraw_offer(
    offer_id: uuid.UUID, session: WriteSessionDep, ledger: LedgerDep, principal: OfferMaker, cipher: CipherDep
) -> OfferPublic:
    offer = await service.withdraw_offer(session=session, ledger=ledger, principal=principal, offer_id=offer_id)
    return await _one(session, ledger, principal, cipher, offer)
