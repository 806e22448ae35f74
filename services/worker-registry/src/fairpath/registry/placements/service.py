"""Each worker's placement history: contract events applied at most once and never out of order, what they
mean for the worker's availability and re-hire eligibility, and reading the history within the caller's reach."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import ContractStatus, ContractTerm
from fairpath.common.events.catalogue import (
    ContractActivated,
    ContractCompleted,
    ContractIssued,
    ContractSigned,
    ContractTerminated,
)
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.placements.schemas import PlacementPublic
from fairpath.registry.placements.tables import Placement
from fairpath.registry.workers.service import audit_reads, worker_in_reach
from fairpath.registry.workers.tables import Worker

ContractEvent = ContractIssued | ContractSigned | ContractActivated | ContractCompleted | ContractTerminated
CONTRACT_EVENTS = (ContractIssued, ContractSigned, ContractActivated, ContractCompleted, ContractTerminated)

_PLACED = (ContractStatus.signed, ContractStatus.active)
_REHIRE_TERMS = (ContractTerm.seasonal, ContractTerm.fixed_period)


def _values(payload: ContractEvent) -> dict:
    values = {
        "contract_id": payload.contract_id,
        "worker_id": payload.worker_id,
        "employer_id": payload.employer_id,
        "agency_ids": [str(a) for a in payload.agency_ids],
        "job_order_id": payload.job_order_id,
        "status": payload.status,
        "term": payload.term,
        "start_date": payload.start_date,
        "end_date": payload.end_date,
        "destination_country": payload.destination_country,
        "occupation": payload.occupation,
        "sector": payload.sector,
        "updated_at": utcnow(),
    }
    if isinstance(payload, ContractCompleted):
        # Re-hire in seasonal and circular schemes: a fixed period completed in good standing. The
        # worker's own grievances are not an input here, so they can never count against them.
        values |= {
            "completed_on": payload.completed_on,
            "good_standing": payload.good_standing,
            "rehire_eligible": payload.good_standing and payload.term in _REHIRE_TERMS,
        }
    if isinstance(payload, ContractTerminated):
        values |= {
            "terminated_on": payload.terminated_on,
            "termination_reason": payload.reason,
            "ended_by": payload.ended_by,
            "rehire_eligible": False,
        }
    return values


async def _refresh_worker(session: AsyncSession, payload: ContractEvent) -> None:
    worker = await session.get(Worker, payload.worker_id, with_for_update=True)
    if worker is None:
        return  # a contract for a worker this registry does not hold (yet): the placement waits for them
    placements = list((await session.execute(select(Placement).where(Placement.worker_id == worker.id))).scalars())
    worker.currently_placed = any(p.status in _PLACED for p in placements)
    worker.rehire_eligible = any(p.rehire_eligible for p in placements)


async def apply_contract_event(session: AsyncSession, payload: ContractEvent) -> bool:
    """Bring the contract's placement, and its worker's availability, up to the event; False if the
    placement already holds as new a state (a late or repeated event)."""
    if not await apply_if_newer(session, Placement, payload.contract_id, payload.version, _values(payload)):
        return False
    await _refresh_worker(session, payload)
    return True


async def placements_of(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    worker_id: uuid.UUID,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Placement]:
    worker, _ = await worker_in_reach(session, principal, worker_id)
    query = select(Placement).where(Placement.worker_id == worker.id).order_by(Placement.contract_id).limit(limit)
    if principal.role == Role.employer:
        # An employer sees only its own contracts in a worker's history.
        query = query.where(Placement.employer_id == principal.business_id)
    if after is not None:
        query = query.where(Placement.contract_id > after)
    await audit_reads(session, ledger, principal, [worker], "worker.placements_read")
    return list((await session.execute(query)).scalars())


def present(placement: Placement) -> PlacementPublic:
    return PlacementPublic.model_validate(placement)
