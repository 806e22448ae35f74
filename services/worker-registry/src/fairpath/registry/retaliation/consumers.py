"""Contract events (durable consumer `registry-contracts` on the contracts stream): each applied at most once
and never out of order to the worker's placement history, and a termination soon after the worker spoke up
becomes a retaliation finding against the employer.

Speaking up is filing a grievance or answering a post-arrival check-in (design.md: the retaliation rule covers a
worker who answered a check-in as it covers one who filed a grievance). A check-in is confidential, so a finding
that rests on one names neither the check-in nor the gap, as for an anonymous grievance.

The consumer lives in a package of its own because it reads grievances, check-ins and placements, and check-ins
already file grievances: none of them imports it.
"""

from datetime import UTC, datetime, time, timedelta

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
from fairpath.registry.checkins.tables import CheckIn
from fairpath.registry.config import RegistrySettings
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.placements.service import CONTRACT_EVENTS, ContractEvent, apply_contract_event
from fairpath.registry.placements.tables import RetaliationFinding

SYSTEM_ACTOR = "system:registry.placements"


async def detect_retaliation(
    session: AsyncSession, ledger: Ledger, payload: ContractTerminated, window_days: int
) -> RetaliationFinding | None:
    """A contract terminated (not by the worker) within `window_days` after the worker filed a grievance or
    answered a check-in: the finding, audited and emitted once per contract; None when the rule does not apply.
    The most recent of the two counts."""
    if payload.ended_by == ContractParty.worker:
        return None  # the worker ended it: their choice, not a reprisal
    existing = (
        await session.execute(select(RetaliationFinding).where(RetaliationFinding.contract_id == payload.contract_id))
    ).scalar_one_or_none()
    if existing is not None:
        return None
    # The window in whole days, from `window_days` before the termination to the end of its day (UTC).
    since = datetime.combine(payload.terminated_on - timedelta(days=window_days), time.min, UTC)
    until = datetime.combine(payload.terminated_on + timedelta(days=1), time.min, UTC)
    grievance = (
        await session.execute(
            select(Grievance)
            .where(Grievance.worker_id == payload.worker_id, Grievance.filed_at >= since, Grievance.filed_at < until)
            .order_by(Grievance.filed_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    check_in = (
        await session.execute(
            select(CheckIn)
            .where(CheckIn.worker_id == payload.worker_id, CheckIn.answered_at >= since, CheckIn.answered_at < until)
            .order_by(CheckIn.answered_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if grievance is None and check_in is None:
        return None
    by_check_in = check_in is not None and (grievance is None or check_in.answered_at > grievance.filed_at)
    spoke_on = check_in.answered_at.date() if by_check_in else grievance.filed_at.date()
    # A check-in is confidential: a finding on one is told as an anonymous grievance's is.
    anonymous = True if by_check_in else grievance.anonymous
    now = utcnow()
    days = (payload.terminated_on - spoke_on).days
    finding = RetaliationFinding(
        id=uuid7(),
        contract_id=payload.contract_id,
        worker_id=payload.worker_id,
        employer_id=payload.employer_id,
        grievance_id=None if by_check_in else grievance.id,
        check_in_id=check_in.id if by_check_in else None,
        grievance_anonymous=anonymous,
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
        changes={
            "contract_id": str(payload.contract_id),
            **({"check_in_id": str(check_in.id)} if by_check_in else {"grievance_id": str(grievance.id)}),
        },
    )
    await ledger.emit(
        session,
        RetaliationDetected(
            version=1,
            finding_id=finding.id,
            business_id=payload.employer_id,
            agency_ids=payload.agency_ids,
            contract_id=payload.contract_id,
            grievance_anonymous=anonymous,
            grievance_id=None if anonymous else finding.grievance_id,
            days_after_grievance=None if anonymous else days,
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
