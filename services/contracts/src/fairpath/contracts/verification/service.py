"""The public check of a contract document by the code printed on it: no caller, no principal, one record.

A code that is not one (too long, a character no code has) is answered exactly as a code nobody was given, so
nothing can be learnt by probing. A check changes nothing, so it is no audit entry; it is logged with the code's
first four characters only (a full code in a log would let whoever reads the log check the contract).
"""

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.errors import NotFound
from fairpath.contracts.contracts.codes import grouped, normalised
from fairpath.contracts.contracts.tables import Contract, ContractState, ContractVersion
from fairpath.contracts.verification.schemas import EXPLANATIONS, ContractVerification, Verdict

log = logging.getLogger("fairpath.contracts.verification")


class UnknownCode(NotFound):
    description = "no contract document carries this code (a mistyped code is answered the same)"

    def __init__(self) -> None:
        super().__init__("contract document with this verification code")


def verdict_of(contract: Contract, version: ContractVersion) -> Verdict:
    if contract.status == ContractState.terminated:
        return Verdict.terminated
    if contract.status == ContractState.completed:
        return Verdict.completed
    if version.superseded_by is not None or version.number != contract.current_version:
        return Verdict.superseded
    if version.signed_at is None:
        return Verdict.not_signed
    if contract.status == ContractState.disputed:
        return Verdict.disputed
    return Verdict.current_signed


async def verify(session: AsyncSession, typed: str) -> ContractVerification:
    code = normalised(typed)
    found = None
    if code is not None:
        found = (
            await session.execute(
                select(ContractVersion, Contract)
                .join(Contract, Contract.id == ContractVersion.contract_id)
                .where(ContractVersion.verification_code == code)
            )
        ).first()
    if found is None:
        log.info("contract verification", extra={"code_prefix": typed[:4], "found": False})
        raise UnknownCode()
    version, contract = found
    verdict = verdict_of(contract, version)
    log.info("contract verification", extra={"code_prefix": code[:4], "found": True, "verdict": str(verdict)})
    return ContractVerification(
        code=grouped(code),
        verdict=verdict,
        explanation=EXPLANATIONS[verdict],
        status=contract.status,
        version=version.number,
        current=version.number == contract.current_version,
        signed=version.signed_at is not None,
        content_hash=version.content_hash,
        issued_at=version.issued_at,
        signed_at=version.signed_at,
        superseded_at=version.superseded_at,
    )
