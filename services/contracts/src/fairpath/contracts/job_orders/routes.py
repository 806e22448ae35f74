"""HTTP routes of the job-orders domain: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.contracts.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.contracts.job_orders import service
from fairpath.contracts.job_orders.auth import JobOrderReader, JobOrderRecorder
from fairpath.contracts.job_orders.schemas import JobOrderCreate, JobOrderPublic

router = APIRouter(prefix="/v1/job-orders", tags=["job orders"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOrderPublic,
    summary="Record a job order (demand letter) with the service agreement of each recruiting agency",
    responses=problems(),
)
async def record_job_order(
    body: JobOrderCreate, session: WriteSessionDep, ledger: LedgerDep, principal: JobOrderRecorder
) -> JobOrderPublic:
    order = await service.create_job_order(session=session, ledger=ledger, principal=principal, data=body)
    return await service.present(session, order)


@router.get(
    "",
    response_model=Page[JobOrderPublic],
    summary="The job orders within the caller's reach",
    responses=problems(),
)
async def list_job_orders(
    session: ReadSessionDep,
    principal: JobOrderReader,
    employer_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[JobOrderPublic]:
    rows = await service.list_job_orders(
        session=session, principal=principal, employer_id=employer_id, after=decode_cursor(cursor), limit=limit + 1
    )
    items = rows[:limit]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/{job_order_id}",
    response_model=JobOrderPublic,
    summary="One job order, with how many places are taken",
    responses=problems(NotFound),
)
async def get_job_order(job_order_id: uuid.UUID, session: ReadSessionDep, principal: JobOrderReader) -> JobOrderPublic:
    return await service.get_job_order(session=session, principal=principal, job_order_id=job_order_id)
