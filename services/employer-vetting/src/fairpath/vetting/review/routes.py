"""HTTP routes of vetting cases: opening one, the work list, a case with its risk, the decision."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, Forbidden, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.cases import service as cases
from fairpath.vetting.cases.schemas import CaseOpen, CasePublic, CaseStatus, DecisionCreate, DecisionOnBusiness
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, SettingsDep, WriteSessionDep
from fairpath.vetting.review import flows
from fairpath.vetting.review.auth import CaseOfficer, CaseReader, DecisionReader
from fairpath.vetting.review.flows import (
    CaseAlreadyOpen,
    CaseDecided,
    ConfirmedSanctionsMatch,
    FourEyes,
    UnresolvedHits,
)
from fairpath.vetting.review.schemas import CaseView

router = APIRouter(tags=["vetting cases"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/businesses/{business_id}/vetting-cases",
    status_code=status.HTTP_201_CREATED,
    response_model=CasePublic,
    summary="Open a vetting case (the business is screened at once)",
    responses=problems(NotFound, CaseAlreadyOpen),
)
async def open_case(
    business_id: uuid.UUID,
    settings: SettingsDep,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: CaseOfficer,
    body: CaseOpen | None = None,
) -> CasePublic:
    body = body or CaseOpen()
    return cases.present(
        await flows.open_case(
            session=session,
            ledger=ledger,
            principal=principal,
            business_id=business_id,
            reason=body.reason,
            screening_threshold=settings.screening_threshold,
        )
    )


@router.get(
    "/v1/vetting-cases",
    response_model=Page[CasePublic],
    summary="Vetting cases in the order they were opened: status=open is the work list",
)
async def list_cases(
    session: ReadSessionDep,
    _: CaseReader,
    status: CaseStatus | None = None,
    business_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[CasePublic]:
    rows = await cases.find_cases(
        session, status=status, business_id=business_id, after=decode_cursor(cursor), limit=limit + 1
    )
    items = [cases.present(c) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/vetting-cases/{case_id}",
    response_model=CaseView,
    summary="A case with its risk and every factor",
    responses=problems(NotFound),
)
async def get_case(case_id: uuid.UUID, session: ReadSessionDep, _: CaseReader) -> CaseView:
    return await flows.view_case(session, case_id)


@router.post(
    "/v1/vetting-cases/{case_id}/decision",
    response_model=CasePublic,
    summary="Decide a case: approved, conditionally_approved or rejected (not by its opener)",
    # Forbidden listed again: a route's own 403 replaces the router's in the API docs.
    responses=problems(NotFound, Forbidden, FourEyes, CaseDecided, UnresolvedHits, ConfirmedSanctionsMatch),
)
async def decide_case(
    case_id: uuid.UUID,
    body: DecisionCreate,
    settings: SettingsDep,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: CaseOfficer,
) -> CasePublic:
    return cases.present(
        await flows.decide(
            session=session,
            ledger=ledger,
            principal=principal,
            case_id=case_id,
            data=body,
            approval_months=settings.approval_months,
        )
    )


@router.get(
    "/v1/businesses/{business_id}/decisions",
    response_model=list[DecisionOnBusiness],
    summary="The vetting decisions on a business, newest first: decision, reasons, conditions and their deadline",
    description="Readable by the business's own users as well as the operator and auditors: what was decided and "
    "why, never who decided, the case's internal notes or the screening it was decided on.",
    responses=problems(NotFound),
)
async def business_decisions(
    business_id: uuid.UUID, session: ReadSessionDep, principal: DecisionReader
) -> list[DecisionOnBusiness]:
    return await cases.decisions_on(session, principal, business_id)
