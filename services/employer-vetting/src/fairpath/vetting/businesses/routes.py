"""HTTP routes of the businesses domain: thin, the rules live in service.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from fairpath.common.audit import AuditRecord
from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.common.reference import CountryCode
from fairpath.vetting.businesses import history, service
from fairpath.vetting.businesses.auth import BusinessEditor, BusinessReader, BusinessRegistrar
from fairpath.vetting.businesses.schemas import (
    BusinessCreate,
    BusinessKind,
    BusinessPublic,
    BusinessStatus,
    BusinessUpdate,
    NameSearch,
    RecruiterLinkCreate,
    RecruiterLinkPublic,
)
from fairpath.vetting.businesses.service import AlreadyRegistered, DuplicateBusiness, DuplicateRecruiter, NotAnEmployer
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, WriteSessionDep

router = APIRouter(prefix="/v1/businesses", tags=["businesses"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BusinessPublic,
    summary="Register an employer or a recruitment agency for vetting",
    responses=problems(DuplicateBusiness, AlreadyRegistered),
)
async def register_business(
    body: BusinessCreate, session: WriteSessionDep, ledger: LedgerDep, principal: BusinessRegistrar
) -> BusinessPublic:
    business = await service.register_business(session=session, ledger=ledger, principal=principal, data=body)
    return service.present(business)


@router.get("", response_model=Page[BusinessPublic], summary="List the businesses within the caller's reach")
async def list_businesses(
    session: ReadSessionDep,
    principal: BusinessReader,
    kind: BusinessKind | None = None,
    country: CountryCode | None = None,
    status: BusinessStatus | None = None,
    name: Annotated[NameSearch | None, Query(description="part of the legal name, any case")] = None,
    review_open: Annotated[
        bool | None, Query(description="true: only businesses with an open vetting case; false: only those without")
    ] = None,
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
        review_open=review_open,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [service.present(b) for b in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get("/{business_id}", response_model=BusinessPublic, summary="One business", responses=problems(NotFound))
async def get_business(business_id: uuid.UUID, session: ReadSessionDep, principal: BusinessReader) -> BusinessPublic:
    business = await service.get_business(
        session=session, principal=principal, business_id=business_id, counterparts=True
    )
    return service.present(business)


@router.patch(
    "/{business_id}",
    response_model=BusinessPublic,
    summary="Change a business's details (a new version)",
    responses=problems(NotFound),
)
async def update_business(
    business_id: uuid.UUID, body: BusinessUpdate, session: WriteSessionDep, ledger: LedgerDep, principal: BusinessEditor
) -> BusinessPublic:
    return service.present(
        await service.update_business(
            session=session, ledger=ledger, principal=principal, business_id=business_id, data=body
        )
    )


@router.post(
    "/{business_id}/recruiters",
    status_code=status.HTTP_201_CREATED,
    response_model=RecruiterLinkPublic,
    summary="Name an agency (or a sub-agent) that recruits for this employer",
    responses=problems(NotFound, NotAnEmployer, DuplicateRecruiter),
)
async def add_recruiter(
    business_id: uuid.UUID,
    body: RecruiterLinkCreate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: BusinessEditor,
) -> RecruiterLinkPublic:
    return service.present_recruiter(
        await service.add_recruiter(
            session=session, ledger=ledger, principal=principal, employer_id=business_id, data=body
        )
    )


@router.get(
    "/{business_id}/recruiters",
    response_model=list[RecruiterLinkPublic],
    summary="The employer's recruitment chain",
    responses=problems(NotFound),
)
async def list_recruiters(
    business_id: uuid.UUID, session: ReadSessionDep, principal: BusinessReader
) -> list[RecruiterLinkPublic]:
    await service.get_business(session=session, principal=principal, business_id=business_id)
    return [service.present_recruiter(link) for link in await service.recruiters_of(session, business_id)]


@router.get(
    "/{business_id}/history",
    response_model=Page[AuditRecord],
    summary="Every recorded change to the business and its vetting records, oldest first",
    responses=problems(NotFound),
)
async def business_history(
    business_id: uuid.UUID,
    session: ReadSessionDep,
    principal: BusinessReader,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None,
    limit: LimitParam = 100,
) -> Page[AuditRecord]:
    await service.get_business(session=session, principal=principal, business_id=business_id)
    rows = await history.business_history(session, business_id, after_seq=int(cursor) if cursor else 0, limit=limit + 1)
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1].seq) if len(rows) > limit else None)
