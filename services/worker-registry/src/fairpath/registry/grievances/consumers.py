"""Contract events (durable consumer `registry-contracts` on the contracts stream): each applied at most once
and never out of order to the worker's placement history, and a termination soon after a grievance of the
worker's becomes a retaliation finding against the employer.

The consumer lives here, beside the grievances it reads, because grievances already read placements
(a grievance may name a contract of the worker): placements never import grievances.
"""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.domain_codes import ContractParty
from fairpath.common.events.catalogue import ContractTerminated, RetaliationDetected
from fairpath.common.events.consumer import Handler, Subscription
from fairpath.common.events.envelope import CloudEvent
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.services import CONTRACTS
from fairpath.common.timeutil import utcnow
from fairpath.registry.config import RegistrySettings
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.placements.service import CONTRACT_EVENTS, ContractEvent, apply_contract_event
from fairpath.registry.placements.tables import RetaliationFinding

SYSTEM_ACTOR = "system:registry.placements"


async def detect_retaliation(
    session: AsyncSession, ledger: Ledger, payload: ContractTerminated, window_days: int
) -> RetaliationFinding | None:
    """A contract terminated (not by the worker) within `window_days` after a grievance the worker filed:
    the finding, audited and emitted once per contract; None when the rule does not apply."""
    if payload.ended_by == ContractParty.worker:
        return None  # the worker ended it: their choice, not a reprisal
    existing = (
        await session.execute(select(RetaliationFinding).where(RetaliationFinding.contract_id == payload.contract_id))
    ).scalar_one_or_none()
    if existing is not None:
        return None
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
        return None
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
    # A finding is never changed afterwards (it has no version of its own): its one event is version 1.
    await ledger.append(
        session,
        actor=SYSTEM_ACTOR,
        action="retaliation.detected",
        record_type="retaliation_finding",
        record_id=finding.id,
        changes={"contract_id": str(payload.contract_id), "grievance_id": str(recent.id)},
    )
    await ledger.emit(
        session,
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
    return finding


def contract_event_handler(settings: RegistrySettings) -> Handler:
    async def on_contract_event(session: AsyncSession, ledger: Ledger, _: CloudEvent, payload: ContractEvent) -> None:
        if not await apply_contract_event(session, payload):
            return
        if isinstance(payload, ContractTerminated):
            await detect_retaliation(session, ledger, payload, settings.retaliation_window_days)

    return on_contract_event


def contracts_subscription(settings: RegistrySettings) -> Subscription:
    handler = contract_event_handler(settings)
    return Subscription(
        name="registry-contracts",
        stream=CONTRACTS.stream,
        handlers=dict.fromkeys(CONTRACT_EVENTS, handler),
    )
