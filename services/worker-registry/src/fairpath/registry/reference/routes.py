"""HTTP routes of the reference domain: `GET/PUT /v1/reference/minimum-age`."""

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, problems
from fairpath.registry.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.registry.reference import service
from fairpath.registry.reference.auth import MinimumAgeKeeper, MinimumAgeReader
from fairpath.registry.reference.schemas import MinimumAgeTable, MinimumAgeTableIn

router = APIRouter(prefix="/v1/reference", tags=["reference"], responses=PROBLEM_RESPONSES)


@router.get(
    "/minimum-age",
    response_model=MinimumAgeTable,
    summary="The minimum age of recruitment (IRIS A)",
    responses=problems(),
)
async def get_minimum_age(session: ReadSessionDep, _: MinimumAgeReader) -> MinimumAgeTable:
    return await service.minimum_age_table(session=session)


@router.put(
    "/minimum-age",
    response_model=MinimumAgeTable,
    summary="Replace the minimum-age table (admin)",
    responses=problems(),
)
async def put_minimum_age(
    body: MinimumAgeTableIn, session: WriteSessionDep, ledger: LedgerDep, principal: MinimumAgeKeeper
) -> MinimumAgeTable:
    return await service.replace_minimum_age_table(session=session, ledger=ledger, principal=principal, data=body)
