"""HTTP routes of the contracts domain: thin, the rules live in service.py and rules.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts import service
from fairpath.contracts.contracts.schemas import (
    ArrivalVerificationIn,
    ArrivalVerificationPublic,
    CompletionIn,
    ContractChange,
    ContractDraft,
    ContractPublic,
    ContractState,
    ContractVersionPublic,
    RuleCheck,
    SignatureIn,
    TerminationIn,
)
from fairpath.contracts.contracts.tables import Contract, ContractVersion

router = APIRouter(prefix="/v1/contracts", tags=["contracts"], responses=PROBLEM_RESPONSES)


def _settings(request: Request) -> ContractsSettings:
    return request.app.state.settings


Settings = Annotated[ContractsSettings, Depends(_settings)]
Drafter = roles(Role.admin, Role.employer, Role.agency)
Reader = roles(*Role)
Signer = roles(Role.worker)
Verifier = roles(Role.admin, Role.compliance_officer)
Ender = roles(Role.admin, Role.employer, Role.agency, Role.worker)


async def present(
    session: AsyncSession, settings: ContractsSettings, contract: Contract, version: ContractVersion | None = None
) -> ContractPublic:
    version = version or await service.current_version(session, contract)
    return ContractPublic.model_validate(
        {
            **{name: getattr(contract, name) for name in ContractPublic.model_fields if hasattr(contract, name)},
            "content_hash": version.content_hash,
            "terms": service.terms_of(version, settings),
        }
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractPublic,
    summary="Draft a contract against a job order; every rule is checked, every failure listed",
)
async def draft_contract(
    body: ContractDraft, session: SessionDep, principal: Drafter, settings: Settings
) -> ContractPublic:
    contract = await service.create_contract(session=session, principal=principal, settings=settings, draft=body)
    return await present(session, settings, contract)


@router.post(
    "/check",
    response_model=RuleCheck,
    summary="Check terms against every rule without storing anything (a 422 lists every violation)",
)
async def check_contract(body: ContractDraft, session: SessionDep, principal: Drafter, settings: Settings) -> RuleCheck:
    verdict = await service.check_contract(session=session, principal=principal, settings=settings, draft=body)
    return RuleCheck(passes=True, violations=[], warnings=verdict.warnings)


@router.get("", response_model=Page[ContractPublic], summary="The contracts within the caller's reach")
async def list_contracts(
    session: SessionDep,
    principal: Reader,
    settings: Settings,
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
    items = [await present(session, settings, c, versions[c.id]) for c in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get("/{contract_id}", response_model=ContractPublic, summary="One contract, at its current version")
async def get_contract(
    contract_id: uuid.UUID, session: SessionDep, principal: Reader, settings: Settings
) -> ContractPublic:
    return await present(session, settings, await service.get_contract(session, principal, contract_id))


@router.patch(
    "/{contract_id}",
    response_model=ContractPublic,
    summary="Change the terms (a JSON merge patch): a new immutable version, checked against every rule",
)
async def change_contract(
    contract_id: uuid.UUID, body: ContractChange, session: SessionDep, principal: Drafter, settings: Settings
) -> ContractPublic:
    contract = await service.change_terms(
        session=session, principal=principal, settings=settings, contract_id=contract_id, change=body
    )
    return await present(session, settings, contract)


@router.get(
    "/{contract_id}/versions",
    response_model=Page[ContractVersionPublic],
    summary="Every version of the terms with its SHA-256",
)
async def list_versions(
    contract_id: uuid.UUID, session: SessionDep, principal: Reader, settings: Settings
) -> Page[ContractVersionPublic]:
    contract, versions = await service.list_versions(session=session, principal=principal, contract_id=contract_id)
    return Page(
        items=[
            ContractVersionPublic(
                number=v.number,
                content_hash=v.content_hash,
                created_at=v.created_at,
                issued=v.number == contract.issued_version,
                signed=v.number == contract.signed_version,
                warnings=v.warnings,
                terms=service.terms_of(v, settings),
            )
            for v in versions
        ],
        next_cursor=None,
    )


@router.post(
    "/{contract_id}/issue",
    response_model=ContractPublic,
    summary="Issue the contract to the worker (at least the configured days before departure)",
)
async def issue_contract(
    contract_id: uuid.UUID, session: SessionDep, principal: Drafter, settings: Settings
) -> ContractPublic:
    contract = await service.issue_contract(
        session=session, principal=principal, settings=settings, contract_id=contract_id
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/sign",
    response_model=ContractPublic,
    summary="The worker signs the issued version, before departure",
)
async def sign_contract(
    contract_id: uuid.UUID, body: SignatureIn, session: SessionDep, principal: Signer, settings: Settings
) -> ContractPublic:
    contract = await service.sign_contract(
        session=session, principal=principal, contract_id=contract_id, signature=body
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/arrival-verification",
    response_model=ArrivalVerificationPublic,
    summary="Compare the terms presented at destination with the signed version (substitution check)",
)
async def verify_arrival(
    contract_id: uuid.UUID, body: ArrivalVerificationIn, session: SessionDep, principal: Verifier, settings: Settings
) -> ArrivalVerificationPublic:
    verification = await service.verify_arrival(
        session=session, principal=principal, settings=settings, contract_id=contract_id, presented=body
    )
    contract = await service.get_contract(session, principal, contract_id)
    return ArrivalVerificationPublic(
        id=verification.id,
        contract_id=contract_id,
        signed_version=verification.signed_version,
        presented_hash=verification.presented_hash,
        substitution_found=verification.substitution_found,
        changes=verification.changes,
        contract_status=contract.status,
        verified_at=verification.verified_at,
    )


@router.get(
    "/{contract_id}/arrival-verification",
    response_model=Page[ArrivalVerificationPublic],
    summary="Every arrival verification of the contract, with each classified change (substitution findings)",
)
async def list_arrival_verifications(
    contract_id: uuid.UUID, session: SessionDep, principal: Reader
) -> Page[ArrivalVerificationPublic]:
    contract, rows = await service.list_arrival_verifications(
        session=session, principal=principal, contract_id=contract_id
    )
    return Page(
        items=[
            ArrivalVerificationPublic(
                id=v.id,
                contract_id=v.contract_id,
                signed_version=v.signed_version,
                presented_hash=v.presented_hash,
                substitution_found=v.substitution_found,
                changes=v.changes,
                contract_status=contract.status,
                verified_at=v.verified_at,
            )
            for v in rows
        ],
        next_cursor=None,
    )


@router.post("/{contract_id}/complete", response_model=ContractPublic, summary="The contract ran its course")
async def complete_contract(
    contract_id: uuid.UUID, body: CompletionIn, session: SessionDep, principal: Drafter, settings: Settings
) -> ContractPublic:
    contract = await service.complete_contract(
        session=session, principal=principal, contract_id=contract_id, completion=body
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/terminate",
    response_model=ContractPublic,
    summary="End the contract early (the worker may, without penalty)",
)
async def terminate_contract(
    contract_id: uuid.UUID, body: TerminationIn, session: SessionDep, principal: Ender, settings: Settings
) -> ContractPublic:
    contract = await service.terminate_contract(
        session=session, principal=principal, contract_id=contract_id, termination=body
    )
    return await present(session, settings, contract)
