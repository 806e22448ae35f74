"""HTTP routes of the businesses domain: thin, the rules live in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from fairpath.common.audit import AuditRecord
from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.common.reference import CountryCode
from fairpath.vetting.businesses import history, service
from fairpath.vetting.businesses.schemas import (
    BusinessCreate,
    BusinessKind,
    BusinessPublic,
    BusinessStatus,
    BusinessUpdate,
    RecruiterLinkCreate,
    RecruiterLinkPublic,
)

router = APIRouter(prefix="/v1/businesses", tags=["businesses"], responses=PROBLEM_RESPONSES)

Registrar = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)
Reader = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BusinessPublic,
    summary="Register an employer or a recruitment agency for vetting",
)
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
        session=session,
        principal=principal,
        kind=kind,
        country=country,
        status=status,
        name=name,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [BusinessPublic.model_validate(b) for b in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get("/{business_id}", response_model=BusinessPublic, summary="One business")
async def get_business(business_id: uuid.UUID, session: SessionDep, principal: Reader) -> BusinessPublic:
    return BusinessPublic.model_validate(
        await service.get_business(session=session, principal=principal, business_id=business_id)
    )


Changer = roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer)


@router.patch("/{business_id}", response_model=BusinessPublic, summary="Change a business's details (a new version)")
async def update_business(
    business_id: uuid.UUID, body: BusinessUpdate, session: SessionDep, principal: Changer
) -> BusinessPublic:
    return BusinessPublic.model_validate(
        await service.update_business(session=session, principal=principal, business_id=business_id, data=body)
    )


@router.post(
    "/{business_id}/recruiters",
    status_code=status.HTTP_201_CREATED,
    response_model=RecruiterLinkPublic,
    summary="Name an agency (or a sub-agent) that recruits for this employer",
)
async def add_recruiter(
    business_id: uuid.UUID, body: RecruiterLinkCreate, session: SessionDep, principal: Changer
) -> RecruiterLinkPublic:
    return RecruiterLinkPublic.model_validate(
        await service.add_recruiter(session=session, principal=principal, employer_id=business_id, data=body)
    )


@router.get(
    "/{business_id}/recruiters", response_model=list[RecruiterLinkPublic], summary="The employer's recruitment chain"
)
async def list_recruiters(business_id: uuid.UUID, session: SessionDep, principal: Reader) -> list[RecruiterLinkPublic]:
    await service.get_business(session=session, principal=principal, business_id=business_id)
    return [RecruiterLinkPublic.model_validate(link) for link in await service.recruiters_of(session, business_id)]


@router.get(
    "/{business_id}/history",
    response_model=Page[AuditRecord],
    summary="Every recorded change to the business and its vetting records, oldest first",
)
async def business_history(
    business_id: uuid.UUID,
    session: SessionDep,
    principal: roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer),
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None,
    limit: LimitParam = 100,
) -> Page[AuditRecord]:
    await service.get_business(session=session, principal=principal, business_id=business_id)
    rows = await history.business_history(session, business_id, after_seq=int(cursor) if cursor else 0, limit=limit + 1)
    items = [AuditRecord.model_validate(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)
