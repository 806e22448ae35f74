"""HTTP routes of the check-ins domain: `GET /v1/workers/{id}/check-ins`, `GET /v1/check-ins`,
`POST /v1/check-ins/{id}/answers`."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.checkins import service
from fairpath.registry.checkins.auth import CheckInAnswerer, CheckInQueueReader, CheckInReader
from fairpath.registry.checkins.schemas import CheckInAnswers, CheckInPublic, CheckInStatus
from fairpath.registry.checkins.service import CheckInAnswered, CheckInNotOpen
from fairpath.registry.deps import CipherDep, LedgerDep, SettingsDep, WriteSessionDep
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["check-ins"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/workers/{worker_id}/check-ins",
    response_model=Page[CheckInPublic],
    summary="The worker's post-arrival check-ins, as scheduled (the agency sees only whether each was answered)",
    responses=problems(NotFound),
)
async def worker_check_ins(
    worker_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the worker's side is an audit entry
    ledger: LedgerDep,
    principal: CheckInReader,
    cipher: CipherDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[CheckInPublic]:
    rows = await service.check_ins_of(
        session=session,
        ledger=ledger,
        principal=principal,
        worker_id=worker_id,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [service.present(c, principal, cipher) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/check-ins",
    response_model=Page[CheckInPublic],
    summary="Check-ins across workers for the operator: `status=overdue` for the unanswered past their date",
    responses=problems(),
)
async def list_check_ins(
    session: WriteSessionDep,  # the officers' reads of answers are audit entries
    ledger: LedgerDep,
    principal: CheckInQueueReader,
    cipher: CipherDep,
    status: CheckInStatus | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[CheckInPublic]:
    rows = await service.list_check_ins(
        session=session, ledger=ledger, principal=principal, status=status, after=decode_cursor(cursor), limit=limit + 1
    )
    items = [service.present(c, principal, cipher) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.post(
    "/v1/check-ins/{check_in_id}/answers",
    response_model=CheckInPublic,
    summary="The worker answers a check-in; a worrying answer files a confidential grievance for an officer",
    responses=problems(NotFound, CheckInNotOpen, CheckInAnswered, ErasedWorker),
)
async def answer_check_in(
    check_in_id: uuid.UUID,
    body: CheckInAnswers,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: CheckInAnswerer,
    cipher: CipherDep,
    settings: SettingsDep,
) -> CheckInPublic:
    check_in = await service.answer_check_in(
        session=session,
        ledger=ledger,
        principal=principal,
        cipher=cipher,
        settings=settings,
        check_in_id=check_in_id,
        data=body,
    )
    return service.present(check_in, principal, cipher)
