"""HTTP routes of the job-orders domain: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import READ_ALL_ROLES, Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.contracts.job_orders import service
from fairpath.contracts.job_orders.schemas import JobOrderCreate, JobOrderPublic

router = APIRouter(prefix="/v1/job-orders", tags=["job orders"], responses=PROBLEM_RESPONSES)

Recorder = roles(Role.admin, Role.employer, Role.agency)
Reader = roles(*READ_ALL_ROLES, Role.employer, Role.agency)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOrderPublic,
    summary="Record a job order (demand letter) with the service agreement of each recruiting agency",
)
async def record_job_order(body: JobOrderCreate, session: SessionDep, principal: Recorder) -> JobOrderPublic:
    order = await service.create_job_order(session=session, principal=principal, data=body)
    return await service.describe(session, order)


@router.get("", response_model=Page[JobOrderPublic], summary="The job orders within the caller's reach")
async def list_job_orders(
    session: SessionDep,
    principal: Reader,
    employer_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[JobOrderPublic]:
    rows = await service.list_job_orders(
        session=session, principal=principal, employer_id=employer_id, after=decode_cursor(cursor), limit=limit + 1
    )
    items = rows[:limit]
    return Page.of(items, more=len(rows) > limit)


@router.get("/{job_order_id}", response_model=JobOrderPublic, summary="One job order, with how many places are taken")
async def get_job_order(job_order_id: uuid.UUID, session: SessionDep, principal: Reader) -> JobOrderPublic:
    return await service.get_job_order(session=session, principal=principal, job_order_id=job_order_id)
