"""HTTP route of a business's contracts for the compliance dossier (`GET /v1/compliance/businesses/{id}`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.contracts.deps import ReadSessionDep
from fairpath.contracts.dossier import service
from fairpath.contracts.dossier.auth import DossierReader
from fairpath.contracts.dossier.schemas import BusinessContracts

router = APIRouter(tags=["contracts"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/contracts/dossier",
    response_model=BusinessContracts,
    summary="A business's contracts for its compliance dossier: counts by status, every substitution finding",
    description="The contracts naming the business as employer or recruiter. Workers appear by id only. "
    "Auditors and compliance officers only; a business contracts knows nothing of answers with zero counts.",
)
async def business_contracts(
    business_id: Annotated[uuid.UUID, Query(description="the employer or agency")],
    session: ReadSessionDep,
    _: DossierReader,
) -> BusinessContracts:
    return await service.business_contracts(session, business_id)
