"""HTTP route of vetting's part of a business's compliance dossier (`GET /v1/compliance/businesses/{id}` at the
gateway): everything vetting holds about the business, in one read."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.vetting.deps import ReadSessionDep
from fairpath.vetting.dossier import service
from fairpath.vetting.dossier.auth import DossierReader
from fairpath.vetting.dossier.schemas import VettingDossier

router = APIRouter(tags=["businesses"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/businesses/{business_id}/dossier",
    response_model=VettingDossier,
    summary="Everything vetting holds about a business, for its compliance dossier",
    description="The business; every recruitment link naming it (the agencies recruiting for an employer, the "
    "employers an agency recruits for, sub-agents); the risk score with every factor and its evidence; and its "
    "licences, findings, vetting cases and screening hits, each whole (not paged) and each record in the shape "
    "its own endpoint gives. Auditors and compliance officers only.",
    responses=problems(NotFound),
)
async def business_vetting_dossier(
    business_id: uuid.UUID, session: ReadSessionDep, principal: DossierReader
) -> VettingDossier:
    return await service.vetting_dossier(session, principal, business_id)
