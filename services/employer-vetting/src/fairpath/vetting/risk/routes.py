"""HTTP routes of the risk domain: the operator's country risk table."""

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.vetting.risk import service
from fairpath.vetting.risk.auth import CountryRiskKeeper, CountryRiskReader
from fairpath.vetting.risk.schemas import CountryRiskTable

router = APIRouter(prefix="/v1/reference/country-risk", tags=["reference"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=CountryRiskTable, summary="Country and sector risk ratings")
async def get_country_risk(session: ReadSessionDep, _: CountryRiskReader) -> CountryRiskTable:
    return await service.country_risk_table(session)


@router.put("", response_model=CountryRiskTable, summary="Replace the country and sector risk ratings")
async def put_country_risk(
    body: CountryRiskTable, session: WriteSessionDep, ledger: LedgerDep, principal: CountryRiskKeeper
) -> CountryRiskTable:
    return await service.replace_country_risk_table(session, ledger, principal, body)
