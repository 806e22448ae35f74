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
    # The columns a finding shows, not the entities: a verification and its contract also carry the terms
    # presented and signed, which loading cost three times the query (measured with 50 findings).
    rows = (
        await session.execute(
            select(
                ArrivalVerification.id,
                Contract.id,
                Contract.worker_id,
                WorkerProjection.erased,
                Contract.employer_id,
                ArrivalVerification.signed_version,
                Contract.status,
                ArrivalVerification.verified_by,
                ArrivalVerification.verified_at,
                ArrivalVerification.changes,
            )
            .join(Contract, Contract.id == ArrivalVerification.contract_id)
            .outerjoin(WorkerProjection, WorkerProjection.worker_id == Contract.worker_id)
            .where(ArrivalVerification.substitution_found, _of_business(business_id))
            .order_by(ArrivalVerification.verified_at, ArrivalVerification.id)
        )
    ).all()
    findings = [
        SubstitutionFinding(
            verification_id=verification_id,
            contract_id=contract_id,
            worker_id=worker_id,
            worker_erased=bool(erased),
            employer_id=employer_id,
            signed_version=signed_version,
            contract_status=status,
            verified_by=verified_by,
            verified_at=verified_at,
            changes=changes,
        )
        for (
            verification_id, contract_id, worker_id, erased, employer_id, signed_version, status, verified_by,
            verified_at, changes,
        ) in rows
    ]  # fmt: skip
    by_status = {ContractState(status): count for status, count in counts}
    return BusinessContracts(
        business_id=business_id, total=sum(by_status.values()), by_status=by_status, substitution_findings=findings
    )
