"""Reading contracts: who may see which, the terms of a version, and each record's view for the API.

A contract's terms live in immutable versions; the SHA-256 of a version covers the RFC 8785
canonical JSON of its terms. The worker's personal data is sealed inside each version and
unsealed only for a caller who may read the contract.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.canonical import canonical_json, sha256_hex
from fairpath.common.errors import NotFound
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts.codes import grouped
from fairpath.contracts.contracts.schemas import (
    ArrivalVerificationPublic,
    ContractPublic,
    ContractVersionPublic,
)
from fairpath.contracts.contracts.sealing import unseal
from fairpath.contracts.contracts.tables import (
    ArrivalVerification,
    Contract,
    ContractRecruiter,
    ContractState,
    ContractVersion,
)
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.values import STORED

# --- content and hashes ----------------------------------------------------------------------------


def content_hash(terms: ContractTerms) -> str:
    """SHA-256 of the canonical JSON of every term: the same terms give the same hash, whatever their order."""
    return sha256_hex(canonical_json(terms.model_dump(mode="json")))


def terms_of(version: ContractVersion, settings: ContractsSettings) -> ContractTerms:
    content = dict(version.terms)
    content["parties"] = {
        **content["parties"],
        "worker": {**content["parties"]["worker"], **unseal(settings.personal_data_key, version.worker_sealed)},
    }
    # Read back as stored and hashed: checks added to what callers send since do not alter stored terms.
    return ContractTerms.model_validate(content, context=STORED)


# --- access --------------------------------------------------------------------------------------


def is_party(principal: Principal, contract: Contract) -> bool:
    if principal.role == Role.admin:
        return True
    if principal.business_id is None:
        return False
    if principal.role == Role.employer:
        return contract.employer_id == principal.business_id
    if principal.role == Role.agency:
        return str(principal.business_id) in contract.agency_ids
    return False


def can_read(principal: Principal, contract: Contract) -> bool:
    if principal.role in READ_ALL_ROLES:
        return True
    if principal.role == Role.worker:
        # A worker sees their own contracts in every state, drafts too: nothing about their terms is hidden from them.
        return contract.worker_id == principal.worker_id
    return is_party(principal, contract)


async def get_contract(
    session: AsyncSession, principal: Principal, contract_id: uuid.UUID, *, lock: bool = False
) -> Contract:
    contract = await session.get(Contract, contract_id, with_for_update=lock or None)
    if contract is None or not can_read(principal, contract):
        raise NotFound("contract", contract_id)
    return contract


async def current_version(session: AsyncSession, contract: Contract) -> ContractVersion:
    version = await session.get(ContractVersion, (contract.id, contract.current_version))
    assert version is not None
    return version


async def current_versions(session: AsyncSession, contracts: list[Contract]) -> dict[uuid.UUID, ContractVersion]:
    """The current version of each contract of a page, in one query."""
    if not contracts:
        return {}
    wanted = {(c.id, c.current_version) for c in contracts}
    rows = (
        await session.execute(select(ContractVersion).where(ContractVersion.contract_id.in_([c.id for c in contracts])))
    ).scalars()
    return {v.contract_id: v for v in rows if (v.contract_id, v.number) in wanted}


# --- reading -------------------------------------------------------------------------------------


async def list_contracts(
    *,
    session: AsyncSession,
    principal: Principal,
    status: ContractState | None = None,
    worker_id: uuid.UUID | None = None,
    job_order_id: uuid.UUID | None = None,
    employer_id: uuid.UUID | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Contract]:
    query = select(Contract).order_by(Contract.id).limit(limit)
    if principal.role not in READ_ALL_ROLES:
        if principal.role == Role.worker:
            query = query.where(Contract.worker_id == principal.worker_id)
        elif principal.role == Role.employer:
            query = query.where(Contract.employer_id == principal.business_id)
        else:
            named = select(ContractRecruiter.contract_id).where(ContractRecruiter.agency_id == principal.business_id)
            query = query.where(Contract.id.in_(named))
    for column, value in (
        (Contract.status, status),
        (Contract.worker_id, worker_id),
        (Contract.job_order_id, job_order_id),
        (Contract.employer_id, employer_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if after:
        query = query.where(Contract.id > after)
    return list((await session.execute(query)).scalars())


async def list_versions(
    *, session: AsyncSession, principal: Principal, contract_id: uuid.UUID
) -> tuple[Contract, list[ContractVersion]]:
    contract = await get_contract(session, principal, contract_id)
    rows = (
        await session.execute(
            select(ContractVersion).where(ContractVersion.contract_id == contract.id).order_by(ContractVersion.number)
        )
    ).scalars()
    return contract, list(rows)


async def list_arrival_verifications(
    *, session: AsyncSession, principal: Principal, contract_id: uuid.UUID
) -> tuple[Contract, list[ArrivalVerification]]:
    """Every verification of the contract on arrival, findings included (auditors, parties, the worker)."""
    contract = await get_contract(session, principal, contract_id)
    rows = (
        await session.execute(
            select(ArrivalVerification)
            .where(ArrivalVerification.contract_id == contract.id)
            .order_by(ArrivalVerification.id)
        )
    ).scalars()
    return contract, list(rows)


# --- the API's view ------------------------------------------------------------------------------


async def present(
    session: AsyncSession, settings: ContractsSettings, contract: Contract, version: ContractVersion | None = None
) -> ContractPublic:
    """The contract at its current version (or the one given), the worker's personal data unsealed."""
    version = version or await current_version(session, contract)
    return ContractPublic.model_validate(
        {
            **{name: getattr(contract, name) for name in ContractPublic.model_fields if hasattr(contract, name)},
            "content_hash": version.content_hash,
            "verification_code": grouped(version.verification_code),
            "terms": terms_of(version, settings),
        }
    )


def present_version(settings: ContractsSettings, version: ContractVersion) -> ContractVersionPublic:
    """A version as it records itself: issued, signed, superseded, whatever the contract's state is now."""
    return ContractVersionPublic(
        number=version.number,
        content_hash=version.content_hash,
        verification_code=grouped(version.verification_code),
        created_at=version.created_at,
        issued=version.issued_at is not None,
        issued_at=version.issued_at,
        signed=version.signed_at is not None,
        signed_at=version.signed_at,
        signature_method=version.signature_method,
        superseded_at=version.superseded_at,
        superseded_by=version.superseded_by,
        warnings=version.warnings,
        terms=terms_of(version, settings),
    )


def present_verification(contract: Contract, verification: ArrivalVerification) -> ArrivalVerificationPublic:
    """A verification with each classified change, beside the contract's status now."""
    return ArrivalVerificationPublic(
        id=verification.id,
        contract_id=verification.contract_id,
        signed_version=verification.signed_version,
        presented_hash=verification.presented_hash,
        substitution_found=verification.substitution_found,
        changes=verification.changes,
        contract_status=contract.status,
        verified_at=verification.verified_at,
    )
