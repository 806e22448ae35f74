"""HTTP routes of the fees domain: `POST /v1/workers/{id}/fees`, `GET/PATCH /v1/fees/{id}`."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.registry.dependencies import AuditedReadSessionDep, CipherDep
from fairpath.registry.fees import service
from fairpath.registry.fees.schemas import FeeReportCreate, FeeReportPublic, FeeReportUpdate

router = APIRouter(tags=["fees"], responses=PROBLEM_RESPONSES)

Reporter = roles(Role.worker, Role.agency)
Reader = roles(*Role)
Reimburser = roles(Role.worker, Role.agency, Role.employer, Role.compliance_officer, Role.admin)


@router.post(
    "/v1/workers/{worker_id}/fees",
    status_code=status.HTTP_201_CREATED,
    response_model=FeeReportPublic,
    summary="Report a fee or cost of recruitment the worker paid (IRIS C)",
)
async def report_fee(
    worker_id: uuid.UUID, body: FeeReportCreate, session: SessionDep, principal: Reporter, cipher: CipherDep
) -> FeeReportPublic:
    report = await service.report_fee(
        session=session, principal=principal, cipher=cipher, worker_id=worker_id, data=body
    )
    return service.present(report, cipher, with_evidence=True)


@router.get("/v1/fees/{fee_report_id}", response_model=FeeReportPublic, summary="One fee report")
async def get_fee_report(
    fee_report_id: uuid.UUID, session: AuditedReadSessionDep, principal: Reader, cipher: CipherDep
) -> FeeReportPublic:
    return await service.read_fee_report(
        session=session, principal=principal, cipher=cipher, fee_report_id=fee_report_id
    )


@router.patch(
    "/v1/fees/{fee_report_id}",
    response_model=FeeReportPublic,
    summary="Record a reimbursement step: promised, paid, or the worker's confirmation or dispute",
)
async def record_reimbursement(
    fee_report_id: uuid.UUID, body: FeeReportUpdate, session: SessionDep, principal: Reimburser, cipher: CipherDep
) -> FeeReportPublic:
    return await service.record_reimbursement(
        session=session, principal=principal, cipher=cipher, fee_report_id=fee_report_id, data=body
    )
