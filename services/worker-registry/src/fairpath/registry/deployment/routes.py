"""HTTP routes of the deployment domain: `GET/PATCH /v1/placements/{id}/deployment-steps`."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.registry.deployment import service
from fairpath.registry.deployment.auth import DeploymentEditor, DeploymentReader
from fairpath.registry.deployment.schemas import DeploymentStepsPublic, DeploymentStepsUpdate
from fairpath.registry.deployment.service import CostAlreadyReported, OrientationRequired
from fairpath.registry.deps import CipherDep, LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["placements"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/placements/{contract_id}/deployment-steps",
    response_model=DeploymentStepsPublic,
    summary="A placement's deployment steps: visa, medical, document verification, travel",
    responses=problems(NotFound),
)
async def read_deployment_steps(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: DeploymentReader
) -> DeploymentStepsPublic:
    return await service.read_steps(session=session, principal=principal, contract_id=contract_id)


@router.patch(
    "/v1/placements/{contract_id}/deployment-steps",
    response_model=DeploymentStepsPublic,
    summary="Move deployment steps: state, dates, who paid (a cost the worker paid is a fee report)",
    responses=problems(NotFound, OrientationRequired, CostAlreadyReported, ErasedWorker),
)
async def update_deployment_steps(
    contract_id: uuid.UUID,
    body: DeploymentStepsUpdate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: DeploymentEditor,
    cipher: CipherDep,
) -> DeploymentStepsPublic:
    return await service.update_steps(
        session=session, ledger=ledger, principal=principal, cipher=cipher, contract_id=contract_id, data=body
    )
