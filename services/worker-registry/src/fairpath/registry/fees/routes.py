"""HTTP routes of the fees domain: `POST/GET /v1/workers/{id}/fees`, `GET/PATCH /v1/fees/{id}`."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.fees import service
from fairpath.registry.fees.auth import FeeListReader, FeeReader, FeeReimburser, FeeReporter
from fairpath.registry.fees.schemas import FeeReportCreate, FeeReportPublic, FeeReportUpdate
from fairpath.registry.fees.service import NotAFinding, ReimbursementStepNotAllowed
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["fees"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/workers/{worker_id}/fees",
    status_code=status.HTTP_201_CREATED,
    response_model=FeeReportPublic,
    summary="Report a fee or cost of recruitment the worker paid (IRIS C)",
    responses=problems(NotFound, ErasedWorker),
)
async def report_fee(
    worker_id: uuid.UUID,
    body: FeeReportCreate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: FeeReporter,
    cipher: CipherDep,
) -> FeeReportPublic:
    report = await service.report_fee(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id, data=body
    )
    return service.present(report, cipher, with_evidence=True)


@router.get(
    "/v1/workers/{worker_id}/fees",
    response_model=Page[FeeReportPublic],
    summary="The worker's fee reports, oldest first (evidence only on each report's own read)",
    responses=problems(NotFound),
)
async def list_fee_reports(
    worker_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the worker's side is an audit entry
    ledger: LedgerDep,
    principal: FeeListReader,
    cipher: CipherDep,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[FeeReportPublic]:
    rows = await service.fee_reports_of(
        session=session,
        ledger=ledger,
        principal=principal,
        worker_id=worker_id,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = [service.present(r, cipher, with_evidence=False) for r in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/fees/{fee_report_id}",
    response_model=FeeReportPublic,
    summary="One fee report",
    responses=problems(NotFound),
)
async def get_fee_report(
    fee_report_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the worker's side is an audit entry
    ledger: LedgerDep,
    principal: FeeReader,
    cipher: CipherDep,
) -> FeeReportPublic:
    return await service.read_fee_report(
        session=session, ledger=ledger, principal=principal, cipher=cipher, fee_report_id=fee_report_id
    )


@router.patch(
    "/v1/fees/{fee_report_id}",
    response_model=FeeReportPublic,
    summary="Record a reimbursement step: promised, paid, or the worker's confirmation or dispute",
    responses=problems(NotFound, NotAFinding, ReimbursementStepNotAllowed),
)
async def record_reimbursement(
    fee_report_id: uuid.UUID,
    body: FeeReportUpdate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: FeeReimburser,
    cipher: CipherDep,
) -> FeeReportPublic:
    return await service.record_reimbursement(
        session=session, ledger=ledger, principal=principal, cipher=cipher, fee_report_id=fee_report_id, data=body
    )
