"""A business's contracts for the compliance dossier: how many in each status, and every substitution finding.

A business's contracts are those naming it as the employer or as a recruiter."""

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.contracts.contracts.tables import ArrivalVerification, Contract, ContractRecruiter, ContractState
from fairpath.contracts.dossier.schemas import BusinessContracts, SubstitutionFinding
from fairpath.contracts.workers.tables import WorkerProjection


def _of_business(business_id: uuid.UUID):  # noqa: ANN202 - a SQL condition
    recruited = select(ContractRecruiter.contract_id).where(ContractRecruiter.agency_id == business_id)
    return or_(Contract.employer_id == business_id, Contract.id.in_(recruited))


async def business_contracts(session: AsyncSession, business_id: uuid.UUID) -> BusinessContracts:
    counts = (
        await session.execute(
            select(Contract.status, func.count()).where(_of_business(business_id)).group_by(Contract.status)
        )
    ).all()
    rows = (
        await session.execute(
            select(ArrivalVerification, Contract, WorkerProjection.erased)
            .join(Contract, Contract.id == ArrivalVerification.contract_id)
            .outerjoin(WorkerProjection, WorkerProjection.worker_id == Contract.worker_id)
            .where(ArrivalVerification.substitution_found, _of_business(business_id))
            .order_by(ArrivalVerification.verified_at, ArrivalVerification.id)
        )
    ).all()
    findings = [
        SubstitutionFinding(
            verification_id=verification.id,
            contract_id=contract.id,
            worker_id=contract.worker_id,
            worker_erased=bool(erased),
            employer_id=contract.employer_id,
            signed_version=verification.signed_version,
            contract_status=contract.status,
            verified_by=verification.verified_by,
            verified_at=verification.verified_at,
            changes=verification.changes,
        )
        for verification, contract, erased in rows
    ]
    by_status = {ContractState(status): count for status, count in counts}
    return BusinessContracts(
        business_id=business_id, total=sum(by_status.values()), by_status=by_status, substitution_findings=findings
    )
