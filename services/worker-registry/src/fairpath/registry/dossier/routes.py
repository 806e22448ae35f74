"""HTTP route of the registry's part of a business's compliance dossier (`GET /v1/compliance/businesses/{id}` at
the gateway): the fee reports and grievances about the business, in one read."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.registry.deps import ReadSessionDep
from fairpath.registry.dossier import service
from fairpath.registry.dossier.auth import DossierReader
from fairpath.registry.dossier.schemas import RegistryDossier

router = APIRouter(responses=PROBLEM_RESPONSES)

BusinessParam = Annotated[uuid.UUID, Query(description="the business the fee reports and grievances are about")]


@router.get(
    "/v1/grievances/dossier",
    tags=["grievances", "fees"],
    response_model=RegistryDossier,
    summary="The fee reports and grievances about a business, for its compliance dossier (pseudonymous)",
    description="Every fee report naming the business as paid or answerable, with its ILO category and "
    "reimbursement state; every grievance against it, with its indicators, outcome, remedies and whether each "
    "deadline was met. Workers by id, an erased one as an erasure marker; no evidence and no one's words, and an "
    "anonymous grievance names no worker at all. Auditors and compliance officers only.",
)
async def business_registry_dossier(business_id: BusinessParam, session: ReadSessionDep, _: DossierReader) -> Response:
    return Response(await service.registry_dossier(session, business_id), media_type="application/json")
