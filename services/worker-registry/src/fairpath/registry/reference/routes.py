"""HTTP routes of the reference domain: `GET/PUT /v1/reference/minimum-age`."""

from fastapi import APIRouter

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.registry.reference import service
from fairpath.registry.reference.schemas import MinimumAgeTable, MinimumAgeTableIn

router = APIRouter(prefix="/v1/reference", tags=["reference"], responses=PROBLEM_RESPONSES)

Reader = roles(*Role)
Operator = roles(Role.admin)


@router.get("/minimum-age", response_model=MinimumAgeTable, summary="The minimum age of recruitment (IRIS A)")
async def get_minimum_age(session: SessionDep, _: Reader) -> MinimumAgeTable:
    return await service.minimum_age_table(session=session)


@router.put("/minimum-age", response_model=MinimumAgeTable, summary="Replace the minimum-age table (admin)")
async def put_minimum_age(body: MinimumAgeTableIn, session: SessionDep, principal: Operator) -> MinimumAgeTable:
    return await service.replace_minimum_age_table(session=session, principal=principal, data=body)
