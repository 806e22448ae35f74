"""HTTP routes of data-subject rights: `GET /v1/workers/{id}/export`, `POST /v1/workers/{id}/erasure`."""

import uuid

from fastapi import APIRouter, Response

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.rights import service
from fairpath.registry.rights.auth import ErasureRequester, WorkerExporter
from fairpath.registry.rights.schemas import ErasureReceipt, ErasureRequest, WorkerExport
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["data-subject rights"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/workers/{worker_id}/export",
    response_model=WorkerExport,
    summary="Everything held about the worker, as JSON: record, consents, fees, grievances, placements",
    responses=problems(NotFound),
)
async def export_worker(
    worker_id: uuid.UUID,
    response: Response,
    session: WriteSessionDep,  # an export by anyone but the owner is an audit entry
    ledger: LedgerDep,
    principal: WorkerExporter,
    cipher: CipherDep,
) -> WorkerExport:
    export = await service.export_worker(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id
    )
    response.headers["Content-Disposition"] = f'attachment; filename="worker-{worker_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return export


@router.post(
    "/v1/workers/{worker_id}/erasure",
    response_model=ErasureReceipt,
    summary="Erase the worker's personal data (the worker, or the operator on the worker's recorded request); "
    "the compliance facts stay under a pseudonym",
    responses=problems(NotFound, ErasedWorker),
)
async def erase_worker(
    worker_id: uuid.UUID,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ErasureRequester,
    body: ErasureRequest | None = None,
) -> ErasureReceipt:
    return await service.erase_worker(
        session=session, ledger=ledger, principal=principal, worker_id=worker_id, data=body or ErasureRequest()
    )
