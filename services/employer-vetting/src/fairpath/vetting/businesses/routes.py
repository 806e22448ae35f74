"""HTTP routes of the businesses domain: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor, encode_cursor
from fairpath.common.reference import CountryCode
from fairpath.vetting.businesses import service
from fairpath.vetting.businesses.schemas import BusinessCreate, BusinessKind, BusinessPublic, BusinessStatus

router = APIRouter(prefix="/v1/businesses", tags=["businesses"], responses=PROBLEM_RESPONSES)

Registrar = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
Reader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BusinessPublic,
             summary="Register an employer or a recruitment agency for vetting")
async def register_business(body: BusinessCreate, session: SessionDep, principal: Registrar) -> BusinessPublic:
    business = await service.register_business(session=session, principal=principal, data=body)
    return BusinessPublic.model_validate(business)


@router.get("", response_model=Page[BusinessPublic], summary="List the businesses within the caller's reach")
async def list_businesses(
    session: SessionDep,
    principal: Reader,
    kind: BusinessKind | None = None,
    country: CountryCode | None = None,
    status: BusinessStatus | None = None,
    name: str | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[BusinessPublic]:
    rows = await service.list_businesses(
        session=session, principal=principal, kind=kind, country=country, status=status, name=name,
        after=decode_cursor(cursor), limit=limit + 1,
    )
    items = [BusinessPublic.model_validate(b) for b in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


@router.get("/{business_id}", response_model=BusinessPublic, summary="One business")
async def get_business(business_id: uuid.UUID, session: SessionDep, principal: Reader) -> BusinessPublic:
    return BusinessPublic.model_validate(
        await service.get_business(session=session, principal=principal, business_id=business_id)
    )
