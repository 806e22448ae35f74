"""HTTP routes of the fee reports and grievances about a business, for its compliance dossier
(`GET /v1/compliance/businesses/{id}` at the gateway)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.registry.deps import ReadSessionDep
from fairpath.registry.dossier import service
from fairpath.registry.dossier.auth import DossierReader
from fairpath.registry.dossier.schemas import BusinessFeeReports, BusinessGrievances

router = APIRouter(responses=PROBLEM_RESPONSES)

BusinessParam = Annotated[uuid.UUID, Query(description="the business the reports or grievances are about")]


@router.get(
    "/v1/fees/dossier",
    tags=["fees"],
    response_model=BusinessFeeReports,
    summary="The fee reports about a business, for its compliance dossier (pseudonymous)",
    description="Every report naming the business as paid or answerable, with its ILO category and reimbursement "
    "state; workers by id, an erased one as an erasure marker; no evidence. Auditors and compliance officers only.",
)
async def business_fee_reports(business_id: BusinessParam, session: ReadSessionDep, _: DossierReader) -> Response:
    return Response(await service.business_fee_reports(session, business_id), media_type="application/json")


@router.get(
    "/v1/grievances/dossier",
    tags=["grievances"],
    response_model=BusinessGrievances,
    summary="The grievances against a business, for its compliance dossier (pseudonymous)",
    description="Indicators, outcome, remedies and whether each deadline was met; no one's words, and an anonymous "
    "grievance names no worker at all. Auditors and compliance officers only.",
)
async def business_grievances(business_id: BusinessParam, session: ReadSessionDep, _: DossierReader) -> Response:
    return Response(await service.business_grievances(session, business_id), media_type="application/json")
