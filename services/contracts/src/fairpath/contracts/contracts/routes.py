"""HTTP routes reading contracts: thin, access and views live in service.py."""

import uuid

from fastapi import APIRouter

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.contracts.contracts import service
from fairpath.contracts.contracts.auth import ContractReader
from fairpath.contracts.contracts.schemas import ArrivalVerificationPublic, ContractPublic, ContractVersionPublic
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.deps import ReadSessionDep, SettingsDep

router = APIRouter(prefix="/v1/contracts", tags=["contracts"], responses=PROBLEM_RESPONSES)


@router.get(
    "", response_model=Page[ContractPublic], summary="The contracts within the caller's reach", responses=problems()
)
async def list_contracts(
    session: ReadSessionDep,
    principal: ContractReader,
    settings: SettingsDep,
    status: ContractState | None = None,
    worker_id: uuid.UUID | None = None,
    job_order_id: uuid.UUID | None = None,
    employer_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ContractPublic]:
    rows = await service.list_contracts(
        session=session,
        principal=principal,
        status=status,
        worker_id=worker_id,
        job_order_id=job_order_id,
        employer_id=employer_id,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    versions = await service.current_versions(session, rows[:limit])
    items = [await service.present(session, settings, c, versions[c.id]) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/{contract_id}",
    response_model=ContractPublic,
    summary="One contract, at its current version",
    responses=problems(NotFound),
)
async def get_contract(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: ContractReader, settings: SettingsDep
) -> ContractPublic:
    return await service.present(session, settings, await service.get_contract(session, principal, contract_id))


@router.get(
    "/{contract_id}/versions",
    response_model=Page[ContractVersionPublic],
    summary="Every version of the terms with its SHA-256",
    responses=problems(NotFound),
)
async def list_versions(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: ContractReader, settings: SettingsDep
) -> Page[ContractVersionPublic]:
    _, versions = await service.list_versions(session=session, principal=principal, contract_id=contract_id)
    return Page(items=[service.present_version(settings, v) for v in versions], next_cursor=None)


@router.get(
    "/{contract_id}/arrival-verification",
    response_model=Page[ArrivalVerificationPublic],
    summary="Every arrival verification of the contract, with each classified change (substitution findings)",
    responses=problems(NotFound),
)
async def list_arrival_verifications(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: ContractReader
) -> Page[ArrivalVerificationPublic]:
    contract, rows = await service.list_arrival_verifications(
        session=session, principal=principal, contract_id=contract_id
    )
    return Page(items=[service.present_verification(contract, v) for v in rows], next_cursor=None)
