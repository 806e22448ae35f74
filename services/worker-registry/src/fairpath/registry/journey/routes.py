"""HTTP routes of the journey domain: `GET /v1/workers/{id}/journey`."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.journey import service
from fairpath.registry.journey.auth import JourneyReader
from fairpath.registry.journey.schemas import JourneyPublic

router = APIRouter(tags=["workers"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/workers/{worker_id}/journey",
    response_model=JourneyPublic,
    summary="The worker's journey: offers made to them, check-ins, the return home and next-season invitations",
    responses=problems(NotFound),
)
async def worker_journey(
    worker_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the worker's side is an audit entry
    ledger: LedgerDep,
    principal: JourneyReader,
    cipher: CipherDep,
) -> JourneyPublic:
    return await service.journey_of(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id
    )
