"""HTTP routes of data-subject rights: `GET /v1/workers/{id}/export`, `POST /v1/workers/{id}/erasure`."""

import uuid

from fastapi import APIRouter, Response

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.registry.dependencies import AuditedReadSessionDep, CipherDep
from fairpath.registry.rights import service
from fairpath.registry.rights.schemas import ErasureReceipt, ErasureRequest, WorkerExport

router = APIRouter(tags=["data-subject rights"], responses=PROBLEM_RESPONSES)

Subject = roles(Role.worker, Role.agency, Role.admin, Role.compliance_officer)


@router.get(
    "/v1/workers/{worker_id}/export",
    response_model=WorkerExport,
    summary="Everything held about the worker, as JSON: record, consents, fees, grievances, placements",
)
async def export_worker(
    worker_id: uuid.UUID, response: Response, session: AuditedReadSessionDep, principal: Subject, cipher: CipherDep
) -> WorkerExport:
    export = await service.export_worker(session=session, principal=principal, cipher=cipher, worker_id=worker_id)
    response.headers["Content-Disposition"] = f'attachment; filename="worker-{worker_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return export


@router.post(
    "/v1/workers/{worker_id}/erasure",
    response_model=ErasureReceipt,
    summary="Erase the worker's personal data; the compliance facts stay under a pseudonym",
)
async def erase_worker(
    worker_id: uuid.UUID, session: SessionDep, principal: Subject, body: ErasureRequest | None = None
) -> ErasureReceipt:
    return await service.erase_worker(
        session=session, principal=principal, worker_id=worker_id, data=body or ErasureRequest()
    )
