"""HTTP routes of the grievances domain: `POST /v1/workers/{id}/grievances`, `GET/PATCH /v1/grievances/{id}`."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.deps import CipherDep, LedgerDep, SettingsDep, WriteSessionDep
from fairpath.registry.grievances import service
from fairpath.registry.grievances.auth import GrievanceFiler, GrievanceInvestigator, GrievanceReader
from fairpath.registry.grievances.schemas import GrievanceCreate, GrievancePublic, GrievanceStatus, GrievanceUpdate
from fairpath.registry.grievances.service import GrievanceTransitionNotAllowed, GrievanceView
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["grievances"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/workers/{worker_id}/grievances",
    status_code=status.HTTP_201_CREATED,
    response_model=GrievancePublic,
    summary="File a grievance: by the worker directly, or for them (IRIS G)",
    responses=problems(NotFound, ErasedWorker),
)
async def file_grievance(
    worker_id: uuid.UUID,
    body: GrievanceCreate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: GrievanceFiler,
    cipher: CipherDep,
    settings: SettingsDep,
) -> GrievancePublic:
    grievance = await service.file_grievance(
        session=session,
        ledger=ledger,
        principal=principal,
        cipher=cipher,
        settings=settings,
        worker_id=worker_id,
        data=body,
    )
    return await service.present(session, grievance, GrievanceView.full, cipher)


@router.get(
    "/v1/grievances",
    response_model=Page[GrievancePublic],
    summary="Grievances: the operator's queue (filter overdue ones), those against the caller's business, a worker's own",
    responses=problems(),
)
async def list_grievances(
    session: WriteSessionDep,  # every grievance listed to anyone but the worker is an audit entry
    ledger: LedgerDep,
    principal: GrievanceReader,
    cipher: CipherDep,
    status: GrievanceStatus | None = None,
    business_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[GrievancePublic]:
    rows = await service.list_grievances(
        session=session,
        ledger=ledger,
        principal=principal,
        cipher=cipher,
        status=status,
        business_id=business_id,
        overdue=overdue,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = rows[:limit]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/grievances/{grievance_id}",
    response_model=GrievancePublic,
    summary="One grievance (the business it is against never sees who filed an anonymous one)",
    responses=problems(NotFound),
)
async def get_grievance(
    grievance_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the worker's side is an audit entry
    ledger: LedgerDep,
    principal: GrievanceReader,
    cipher: CipherDep,
) -> GrievancePublic:
    return await service.read_grievance(
        session=session, ledger=ledger, principal=principal, cipher=cipher, grievance_id=grievance_id
    )


@router.patch(
    "/v1/grievances/{grievance_id}",
    response_model=GrievancePublic,
    summary="Investigate, decide, resolve with a remedy, or escalate a grievance (compliance officers)",
    responses=problems(NotFound, GrievanceTransitionNotAllowed),
)
async def update_grievance(
    grievance_id: uuid.UUID,
    body: GrievanceUpdate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: GrievanceInvestigator,
    cipher: CipherDep,
) -> GrievancePublic:
    return await service.update_grievance(
        session=session, ledger=ledger, principal=principal, cipher=cipher, grievance_id=grievance_id, data=body
    )
