"""HTTP routes of the risk domain: the operator's country risk table."""

from fastapi import APIRouter

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.vetting.risk import service
from fairpath.vetting.risk.schemas import CountryRiskTable

router = APIRouter(prefix="/v1/reference/country-risk", tags=["reference"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=CountryRiskTable, summary="Country and sector risk ratings")
async def get_country_risk(
    session: SessionDep, _: roles(Role.admin, Role.compliance_officer, Role.auditor)
) -> CountryRiskTable:
    return await service.country_risk_table(session)


@router.put("", response_model=CountryRiskTable, summary="Replace the country and sector risk ratings")
async def put_country_risk(
    body: CountryRiskTable, session: SessionDep, principal: roles(Role.admin)
) -> CountryRiskTable:
    return await service.replace_country_risk_table(session, principal, body)
