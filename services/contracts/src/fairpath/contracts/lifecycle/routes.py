"""HTTP routes of the lifecycle: thin, the rules live in rules.py and service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.contracts.contracts.schemas import ArrivalVerificationPublic, ContractPublic
from fairpath.contracts.contracts.service import present, present_verification
from fairpath.contracts.deps import LedgerDep, ReadSessionDep, SettingsDep, WriteSessionDep
from fairpath.contracts.lifecycle import service
from fairpath.contracts.lifecycle.auth import ArrivalVerifier, ContractDrafter, ContractEnder, ContractSigner
from fairpath.contracts.lifecycle.schemas import (
    ArrivalVerificationIn,
    CompletionIn,
    ContractChange,
    ContractDraft,
    RuleCheck,
    SignatureIn,
    TerminationIn,
)
from fairpath.contracts.lifecycle.service import (
    AlreadyEnded,
    DeparturePassed,
    NotActive,
    NotADraft,
    NotIssued,
    NotSigned,
    PartyNotInGoodStanding,
    SignedTermsAreImmutable,
    TooLateToIssue,
    VersionMismatch,
)

router = APIRouter(prefix="/v1/contracts", tags=["contracts"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractPublic,
    summary="Draft a contract against a job order; every rule is checked, every failure listed",
    responses=problems(),
)
async def draft_contract(
    body: ContractDraft,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractDrafter,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.create_contract(
        session=session, ledger=ledger, principal=principal, settings=settings, draft=body
    )
    return await present(session, settings, contract)


@router.post(
    "/check",
    response_model=RuleCheck,
    summary="Check terms against every rule without storing anything (a 422 lists every violation)",
    responses=problems(),
)
async def check_contract(
    body: ContractDraft, session: ReadSessionDep, principal: ContractDrafter, settings: SettingsDep
) -> RuleCheck:
    verdict = await service.check_contract(session=session, principal=principal, settings=settings, draft=body)
    return RuleCheck(passes=True, violations=[], warnings=verdict.warnings)


@router.patch(
    "/{contract_id}",
    response_model=ContractPublic,
    summary="Change the terms (a JSON merge patch): a new immutable version, checked against every rule",
    responses=problems(NotFound, SignedTermsAreImmutable, VersionMismatch),
)
async def change_contract(
    contract_id: uuid.UUID,
    body: ContractChange,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractDrafter,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.change_terms(
        session=session, ledger=ledger, principal=principal, settings=settings, contract_id=contract_id, change=body
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/issue",
    response_model=ContractPublic,
    summary="Issue the contract to the worker (at least the configured days before departure)",
    responses=problems(NotFound, NotADraft, PartyNotInGoodStanding, TooLateToIssue),
)
async def issue_contract(
    contract_id: uuid.UUID,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractDrafter,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.issue_contract(
        session=session, ledger=ledger, principal=principal, settings=settings, contract_id=contract_id
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/sign",
    response_model=ContractPublic,
    summary="The worker signs the issued version, before departure",
    responses=problems(NotFound, NotIssued, DeparturePassed, VersionMismatch, PartyNotInGoodStanding),
)
async def sign_contract(
    contract_id: uuid.UUID,
    body: SignatureIn,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractSigner,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.sign_contract(
        session=session, ledger=ledger, principal=principal, contract_id=contract_id, signature=body
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/arrival-verification",
    response_model=ArrivalVerificationPublic,
    summary="Compare the terms presented at destination with the signed version (substitution check)",
    responses=problems(NotFound, NotSigned),
)
async def verify_arrival(
    contract_id: uuid.UUID,
    body: ArrivalVerificationIn,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ArrivalVerifier,
    settings: SettingsDep,
) -> ArrivalVerificationPublic:
    contract, verification = await service.verify_arrival(
        session=session, ledger=ledger, principal=principal, settings=settings, contract_id=contract_id, presented=body
    )
    return present_verification(contract, verification)


@router.post(
    "/{contract_id}/complete",
    response_model=ContractPublic,
    summary="The contract ran its course",
    responses=problems(NotFound, NotActive),
)
async def complete_contract(
    contract_id: uuid.UUID,
    body: CompletionIn,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractDrafter,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.complete_contract(
        session=session, ledger=ledger, principal=principal, contract_id=contract_id, completion=body
    )
    return await present(session, settings, contract)


@router.post(
    "/{contract_id}/terminate",
    response_model=ContractPublic,
    summary="End the contract early (the worker may, without penalty)",
    responses=problems(NotFound, AlreadyEnded),
)
async def terminate_contract(
    contract_id: uuid.UUID,
    body: TerminationIn,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: ContractEnder,
    settings: SettingsDep,
) -> ContractPublic:
    contract = await service.terminate_contract(
        session=session, ledger=ledger, principal=principal, contract_id=contract_id, termination=body
    )
    return await present(session, settings, contract)
