"""HTTP route of what vetting adds to a business's compliance dossier (`GET /v1/compliance/businesses/{id}` at the
gateway): its recruitment chain both ways and its risk now."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.vetting.deps import ReadSessionDep
from fairpath.vetting.dossier import service
from fairpath.vetting.dossier.auth import DossierReader
from fairpath.vetting.dossier.schemas import BusinessChainAndRisk

router = APIRouter(tags=["businesses"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/businesses/{business_id}/dossier",
    response_model=BusinessChainAndRisk,
    summary="A business's recruitment chain both ways and its risk now, for its compliance dossier",
    description="Every recruitment link naming the business (the agencies recruiting for an employer, the "
    "employers an agency recruits for, sub-agents), and the risk score with every factor and its evidence. "
    "Auditors and compliance officers only.",
    responses=problems(NotFound),
)
async def business_chain_and_risk(
    business_id: uuid.UUID, session: ReadSessionDep, _: DossierReader
) -> BusinessChainAndRisk:
    return await service.chain_and_risk(session, business_id)
