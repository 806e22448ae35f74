"""Contract events applied to each worker's placement history, at most once and never out of order;
a termination soon after the worker's grievance becomes a retaliation finding."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import ContractParty, ContractStatus, ContractTerm
from fairpath.common.events.catalogue import (
    ContractActivated,
    ContractCompleted,
    ContractIssued,
    ContractSigned,
    ContractTerminated,
    RetaliationDetected,
)
from fairpath.common.events.consumer import Handler, Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.events.outbox import record_event
from fairpath.common.events.projection import apply_if_newer
from fairpath.common.ids import uuid7
from fairpath.common.timeutil import utcnow
from fairpath.registry.config import RegistrySettings
from fairpath.registry.db import common
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.placements.tables import Placement, RetaliationFinding
from fairpath.registry.workers.tables import Worker

SYSTEM_ACTOR = "system:registry.placements"
_PLACED = (ContractStatus.signed.value, ContractStatus.active.value)
_REHIRE_TERMS = (ContractTerm.seasonal.value, ContractTerm.fixed_period.value)

ContractEvent = ContractIssued | ContractSigned | ContractActivated | ContractCompleted | ContractTerminated


def _values(payload: ContractEvent) -> dict:
    values = {
        "contract_id": payload.contract_id,
        "worker_id": payload.worker_id,
        "employer_id": payload.employer_id,
        "agency_ids": [str(a) for a in payload.agency_ids],
        "job_order_id": payload.job_order_id,
        "status": payload.status.value,
        "term": payload.term.value,
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
            "rehire_eligible": payload.good_standing and payload.term.value in _REHIRE_TERMS,
        }
    if isinstance(payload, ContractTerminated):
        values |= {
            "terminated_on": payload.terminated_on,
            "termination_reason": payload.reason.value,
            "ended_by": payload.ended_by.value,
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


async def _detect_retaliation(session: AsyncSession, payload: ContractTerminated, window_days: int) -> None:
    if payload.ended_by == ContractParty.worker:
        return  # the worker ended it: their choice, not a reprisal
    existing = (
        await session.execute(select(RetaliationFinding).where(RetaliationFinding.contract_id == payload.contract_id))
    ).scalar_one_or_none()
    if existing is not None:
        return
    grievances = list(
        (
            await session.execute(
                select(Grievance).where(Grievance.worker_id == payload.worker_id).order_by(Grievance.filed_at.desc())
            )
        ).scalars()
    )
    earliest = payload.terminated_on - timedelta(days=window_days)
    recent = next((g for g in grievances if earliest <= g.filed_at.date() <= payload.terminated_on), None)
    if recent is None:
        return
    now = utcnow()
    days = (payload.terminated_on - recent.filed_at.date()).days
    finding = RetaliationFinding(
        id=uuid7(),
        contract_id=payload.contract_id,
        worker_id=payload.worker_id,
        employer_id=payload.employer_id,
        grievance_id=recent.id,
        grievance_anonymous=recent.anonymous,
        days_after_grievance=days,
        terminated_on=payload.terminated_on,
        detected_at=now,
    )
    session.add(finding)
    await session.flush()
    await common.audit.append(
        session,
        actor=SYSTEM_ACTOR,
        action="retaliation.detected",
        record_type="retaliation_finding",
        record_id=finding.id,
        changes={"contract_id": str(payload.contract_id), "grievance_id": str(recent.id)},
    )
    await record_event(
        session,
        common.outbox,
        RetaliationDetected(
            version=1,
            finding_id=finding.id,
            business_id=payload.employer_id,
            agency_ids=payload.agency_ids,
            contract_id=payload.contract_id,
            grievance_anonymous=recent.anonymous,
            grievance_id=None if recent.anonymous else recent.id,
            days_after_grievance=None if recent.anonymous else days,
            terminated_on=payload.terminated_on,
            terminated_by=payload.ended_by,
            termination_reason=payload.reason,
            detected_at=now,
        ),
        finding.id,
    )


def placement_handler(settings: RegistrySettings) -> Handler:
    async def on_contract_event(session: AsyncSession, _: CloudEvent, payload: ContractEvent) -> None:
        if not await apply_if_newer(session, Placement, payload.contract_id, payload.version, _values(payload)):
            return
        await _refresh_worker(session, payload)
        if isinstance(payload, ContractTerminated):
            await _detect_retaliation(session, payload, settings.retaliation_window_days)

    return on_contract_event


def contracts_subscription(settings: RegistrySettings) -> Subscription:
    handler = placement_handler(settings)
    return Subscription(
        name="registry-contracts",
        stream="CONTRACTS",
        handlers={
            model: handler
            for model in (ContractIssued, ContractSigned, ContractActivated, ContractCompleted, ContractTerminated)
        },
    )
