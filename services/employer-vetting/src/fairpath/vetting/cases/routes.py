"""HTTP routes of the cases domain."""

import uuid

from fastapi import APIRouter, Request, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases import service
from fairpath.vetting.cases.schemas import CaseOpen, CasePublic, CaseStatus, CaseView, DecisionCreate
from fairpath.vetting.risk import service as risk

router = APIRouter(tags=["vetting cases"], responses=PROBLEM_RESPONSES)

Officer = roles(Role.compliance_officer)
CaseReader = roles(Role.admin, Role.compliance_officer, Role.auditor)


@router.post(
    "/v1/businesses/{business_id}/vetting-cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CasePublic,
    summary="Open a vetting case (the business is screened at once)",
)
async def open_case(
    business_id: uuid.UUID, request: Request, session: SessionDep, principal: Officer, body: CaseOpen | None = None
) -> CasePublic:
    body = body or CaseOpen()
    return CasePublic.model_validate(
        await service.open_case(
            session=session,
            principal=principal,
            business_id=business_id,
            reason=body.reason,
            screening_threshold=request.app.state.settings.screening_threshold,
        )
    )


@router.get(
    "/v1/vetting-cases",
    response_model=Page[CasePublic],
    summary="Vetting cases in the order they were opened: status=open is the work list",
)
async def list_cases(
    session: SessionDep,
    _: CaseReader,
    status: CaseStatus | None = None,
    business_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[CasePublic]:
    rows = await service.find_cases(
        session, status=status, business_id=business_id, after=decode_cursor(cursor), limit=limit + 1
    )
    items = [CasePublic.model_validate(c) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get("/v1/vetting-cases/{case_id}", response_model=CaseView, summary="A case with its risk and every factor")
async def get_case(case_id: uuid.UUID, session: SessionDep, _: CaseReader) -> CaseView:
    from fairpath.vetting.screening.service import unresolved_hit_count

    case = await service.get_case(session, case_id)
    business = await session.get(Business, case.business_id)
    return CaseView.model_validate(
        {
            **CasePublic.model_validate(case).model_dump(),
            "risk": await risk.assess(session, business),
            "unresolved_hits": await unresolved_hit_count(session, case.business_id),
        }
    )


@router.post(
    "/v1/vetting-cases/{case_id}/decision",
    response_model=CasePublic,
    summary="Decide a case: approved, conditionally_approved or rejected (not by its opener)",
)
async def decide_case(
    case_id: uuid.UUID, body: DecisionCreate, request: Request, session: SessionDep, principal: Officer
) -> CasePublic:
    months = request.app.state.settings.approval_months
    return CasePublic.model_validate(
        await service.decide(session=session, principal=principal, case_id=case_id, data=body, approval_months=months)
    )
