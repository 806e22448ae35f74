"""HTTP routes of the matching domain: `GET /v1/candidates?job_order_id=`."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.matching import service
from fairpath.registry.matching.auth import CandidateReader
from fairpath.registry.matching.schemas import Shortlist

# Under the job orders: the candidates are for one (the gateway describes each tag).
router = APIRouter(tags=["job orders"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/candidates",
    response_model=Shortlist,
    summary="A ranked shortlist of candidates for a job order (or one of its positions), every point explained",
    responses=problems(NotFound),
)
async def candidates(
    session: WriteSessionDep,  # a candidate not the caller's own is a read of a profile: an audit entry
    ledger: LedgerDep,
    principal: CandidateReader,
    cipher: CipherDep,
    job_order_id: uuid.UUID,
    position_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = service.DEFAULT_LIMIT,
) -> Shortlist:
    return await service.shortlist(
        session=session,
        ledger=ledger,
        principal=principal,
        cipher=cipher,
        job_order_id=job_order_id,
        position_id=position_id,
        limit=limit,
    )
