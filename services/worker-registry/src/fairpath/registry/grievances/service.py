"""Grievances: filing (by the worker directly, or for them), the investigation lifecycle with deadlines,
escalation and remedy, and what the business a grievance is against may see of it.

received → under_investigation (acknowledged) → substantiated | unsubstantiated → resolved, each step
by a compliance officer and recorded with who and when. An anonymous grievance never shows the
business who filed it, in the API or in events.
"""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.errors import Conflict, NotFound, RuleViolations, Violation
from fairpath.common.events.catalogue import (
    GrievanceFiled,
    GrievanceResolved,
    GrievanceSubstantiated,
    GrievanceUnsubstantiated,
)
from fairpath.common.events.envelope import EventPayload
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.businesses.service import unknown_businesses
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.schemas import (
    GrievanceChannel,
    GrievanceCreate,
    GrievancePublic,
    GrievanceStatus,
    GrievanceStepKind,
    GrievanceStepPublic,
    GrievanceUpdate,
)
from fairpath.registry.grievances.tables import Grievance, GrievanceStep
from fairpath.registry.workers.service import (
    business_reach,
    contract_violations,
    is_owner,
    owned_worker,
    require_active,
)
from fairpath.registry.workers.tables import Worker


class GrievanceTransitionNotAllowed(Conflict):
    name = "invalid_transition"
    description = (
        "the grievance's status does not allow this step (received → under_investigation → substantiated or "
        "unsubstantiated → resolved; one escalation before it is resolved; the business is settled once decided)"
    )


_NEXT = {
    GrievanceStatus.received: {GrievanceStatus.under_investigation},
    GrievanceStatus.under_investigation: {GrievanceStatus.substantiated, GrievanceStatus.unsubstantiated},
    GrievanceStatus.substantiated: {GrievanceStatus.resolved},
    GrievanceStatus.unsubstantiated: {GrievanceStatus.resolved},
    GrievanceStatus.resolved: set(),
}
_DECISIONS = {GrievanceStatus.substantiated, GrievanceStatus.unsubstantiated}


class GrievanceView(StrEnum):
    full = "full"
    business = "business"  # the business it is against: never who filed an anonymous one


def _channel(principal: Principal) -> GrievanceChannel:
    return {Role.worker: GrievanceChannel.worker, Role.agency: GrievanceChannel.agency}.get(
        principal.role, GrievanceChannel.operator
    )


async def file_grievance(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    settings: RegistrySettings,
    worker_id: uuid.UUID,
    data: GrievanceCreate,
) -> Grievance:
    if principal.role == Role.compliance_officer:
        worker = await session.get(Worker, worker_id)
        if worker is None:
            raise NotFound("worker", worker_id)
    else:
        worker = await owned_worker(session, principal, worker_id)
    # The business it is against, within the reach of the caller (workers.service.business_reach): a
    # compliance officer names any business; a grievance against a broker vetting does not know names none.
    violations = await unknown_businesses(
        session, {"business_id": data.business_id}, reach=await business_reach(session, principal, worker)
    )
    if data.fee_report_id is not None:
        fee = await session.get(FeeReport, data.fee_report_id)
        if fee is None or fee.worker_id != worker.id:
            violations.append(
                Violation(field="fee_report_id", rule="worker_fee_report", message="not a fee report of this worker")
            )
    violations += await contract_violations(session, worker, data.contract_id)
    if violations:
        raise RuleViolations(violations)
    require_active(worker)

    now = utcnow()
    grievance_id = uuid7()
    grievance = Grievance(
        id=grievance_id,
        worker_id=worker.id,
        business_id=data.business_id,
        contract_id=data.contract_id,
        fee_report_id=data.fee_report_id,
        anonymous=data.anonymous,
        channel=_channel(principal),
        filed_by_role=principal.role,
        filed_by=principal.actor,
        alleged_indicators=list(dict.fromkeys(data.alleged_indicators)),
        description_sealed=cipher.seal(data.description, record=grievance_id, field="description"),
        language=data.language,
        status=GrievanceStatus.received,
        filed_at=now,
        acknowledge_by=now + timedelta(days=settings.grievance_acknowledge_days),
        resolve_by=now + timedelta(days=settings.grievance_resolve_days),
        updated_at=now,
        version=1,
    )
    await ledger.record_new(
        session,
        grievance,
        actor=principal.actor,
        action="grievance.filed",
        record_type="grievance",
        changes={
            **data.model_dump(mode="json", exclude={"description"}, exclude_none=True),
            "worker_id": str(worker.id),
            "description": grievance.description_sealed,
        },
        event=lambda: GrievanceFiled(
            **_event_state(grievance),
            alleged_indicators=grievance.alleged_indicators,
            fee_report_id=None if grievance.anonymous else grievance.fee_report_id,
            filed_at=now,
            acknowledge_by=grievance.acknowledge_by,
            resolve_by=grievance.resolve_by,
        ),
    )
    session.add(
        GrievanceStep(
            id=uuid7(), grievance_id=grievance.id, step=GrievanceStepKind.received, actor=principal.actor, at=now
        )
    )
    return grievance


def _event_state(g: Grievance) -> dict:
    # With the contract an employer would know who filed: an anonymous grievance names neither.
    return {
        "version": g.version,
        "grievance_id": g.id,
        "anonymous": g.anonymous,
        "filed_by_role": g.filed_by_role,
        "worker_id": None if g.anonymous else g.worker_id,
        "business_id": g.business_id,
        "contract_id": None if g.anonymous else g.contract_id,
    }


async def _reach(
    session: AsyncSession, principal: Principal, grievance_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Grievance, GrievanceView, bool]:
    """(the grievance, how much the caller sees, whether the read is the worker's or their agency's own)."""
    grievance = await session.get(Grievance, grievance_id, with_for_update=for_update)
    if grievance is None:
        raise NotFound("grievance", grievance_id)
    if principal.role == Role.worker and principal.worker_id == grievance.worker_id:
        return grievance, GrievanceView.full, True
    if principal.role in READ_ALL_ROLES:
        return grievance, GrievanceView.full, False
    # The business it is against sees it as the business, even when it is also the worker's agency.
    if (
        principal.role in (Role.employer, Role.agency)
        and principal.business_id is not None
        and principal.business_id == grievance.business_id
    ):
        return grievance, GrievanceView.business, False
    if principal.role == Role.agency and not hidden_from_agency(principal, grievance):
        worker = await session.get(Worker, grievance.worker_id)
        if worker is not None and is_owner(principal, worker):
            return grievance, GrievanceView.full, True
    raise NotFound("grievance", grievance_id)


def hidden_from_agency(principal: Principal, grievance: Grievance) -> bool:
    """An anonymous grievance the worker filed through their own channel is hidden from their agency's users as it
    is from the employer's: the agency does not reach it as its worker's (only as the business it is against, if it
    is, without the filer). The operator's officers still see who filed it."""
    return principal.role == Role.agency and grievance.anonymous and grievance.channel == GrievanceChannel.worker


async def read_grievance(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, cipher: FieldCipher, grievance_id: uuid.UUID
) -> GrievancePublic:
    grievance, view, own = await _reach(session, principal, grievance_id)
    if not own:
        await ledger.append(
            session, actor=principal.actor, action="grievance.read", record_type="grievance", record_id=grievance.id
        )
    return await present(session, grievance, view, cipher)


async def update_grievance(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    grievance_id: uuid.UUID,
    data: GrievanceUpdate,
) -> GrievancePublic:
    grievance, view, _ = await _reach(session, principal, grievance_id, for_update=True)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    violations = _update_violations(grievance, data, changes)
    violations += await unknown_businesses(session, {"business_id": data.business_id})
    if violations:
        raise RuleViolations(violations)
    current = GrievanceStatus(grievance.status)
    if data.status is not None and data.status not in _NEXT[current]:
        raise GrievanceTransitionNotAllowed(f"a grievance that is {current.value} cannot become {data.status.value}")
    if data.escalated_to is not None and (grievance.escalated_to is not None or current == GrievanceStatus.resolved):
        raise GrievanceTransitionNotAllowed("the grievance is already escalated or resolved")
    if data.business_id is not None and current not in (GrievanceStatus.received, GrievanceStatus.under_investigation):
        raise GrievanceTransitionNotAllowed("the business a grievance is against is settled once it is decided")

    now = utcnow()
    steps: list[GrievanceStepKind] = []
    if data.business_id is not None:
        grievance.business_id = data.business_id
    if data.escalated_to is not None:
        grievance.escalated_to, grievance.escalated_at, grievance.escalated_by = (
            data.escalated_to,
            now,
            principal.actor,
        )
        grievance.escalation_reference = data.escalation_reference
        steps.append(GrievanceStepKind.escalated)
    target = data.status
    if target == GrievanceStatus.under_investigation:
        grievance.acknowledged_at, grievance.acknowledged_by = now, principal.actor
    elif target in _DECISIONS:
        grievance.decided_at, grievance.decided_by = now, principal.actor
        if target == GrievanceStatus.substantiated:
            grievance.indicators = list(
                dict.fromkeys(data.indicators if data.indicators is not None else grievance.alleged_indicators)
            )
            grievance.severity = data.severity
        grievance.decision_note_sealed = cipher.seal(data.decision_note, record=grievance.id, field="decision_note")
    elif target == GrievanceStatus.resolved:
        grievance.resolved_at, grievance.resolved_by = now, principal.actor
        grievance.remedies = list(dict.fromkeys(data.remedies or []))
        grievance.remedy_note_sealed = cipher.seal(data.remedy_note, record=grievance.id, field="remedy_note")
    if target is not None:
        grievance.status = target
        steps.append(GrievanceStepKind(target))
    session.add_all(
        GrievanceStep(id=uuid7(), grievance_id=grievance.id, step=s, actor=principal.actor, at=now) for s in steps
    )
    await ledger.record_change(
        session,
        grievance,
        actor=principal.actor,
        action="grievance." + "+".join(steps or ["updated"]),
        record_type="grievance",
        changes={
            **{
                k: v
                for k, v in data.model_dump(mode="json", exclude_none=True).items()
                if k not in ("decision_note", "remedy_note")
            },
            **({"decision_note": grievance.decision_note_sealed} if data.decision_note else {}),
            **({"remedy_note": grievance.remedy_note_sealed} if data.remedy_note else {}),
        },
        event=partial(_decision_event, grievance, now) if target in _EMITTED else None,
    )
    return await present(session, grievance, view, cipher)


# The statuses vetting hears about: a decision, and the resolution.
_EMITTED = {GrievanceStatus.substantiated, GrievanceStatus.unsubstantiated, GrievanceStatus.resolved}


def _decision_event(grievance: Grievance, at: datetime) -> EventPayload:
    """The event of the status a grievance has just reached (one of `_EMITTED`)."""
    state = _event_state(grievance)
    if grievance.status == GrievanceStatus.substantiated:
        return GrievanceSubstantiated(
            **state, indicators=grievance.indicators, severity=grievance.severity, substantiated_at=at
        )
    if grievance.status == GrievanceStatus.unsubstantiated:
        return GrievanceUnsubstantiated(**state, decided_at=at)
    return GrievanceResolved(
        **state,
        substantiated=grievance.severity is not None,
        remedies=grievance.remedies,
        escalated_to=grievance.escalated_to,
        resolved_at=at,
    )


async def list_grievances(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    status: GrievanceStatus | None = None,
    business_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[GrievancePublic]:
    """The operator's queue (every grievance), or the grievances against the caller's business, or the worker's own."""
    query = select(Grievance).order_by(Grievance.id).limit(limit)
    if principal.role == Role.worker:
        query = query.where(Grievance.worker_id == principal.worker_id)
    elif principal.role in (Role.employer, Role.agency):
        query = (
            query.where(Grievance.business_id == principal.business_id) if principal.business_id else query.where(False)
        )
    if status is not None:
        query = query.where(Grievance.status == status)
    if business_id is not None:
        query = query.where(Grievance.business_id == business_id)
    if overdue is not None:
        now = utcnow()
        late = or_(
            and_(Grievance.acknowledged_at.is_(None), Grievance.acknowledge_by < now),
            and_(Grievance.resolved_at.is_(None), Grievance.resolve_by < now),
        )
        query = query.where(late if overdue else ~late)
    if after is not None:
        query = query.where(Grievance.id > after)
    items = []
    for grievance in (await session.execute(query)).scalars():
        own = principal.role == Role.worker
        view = GrievanceView.full if own or principal.role in READ_ALL_ROLES else GrievanceView.business
        if not own:
            await ledger.append(
                session,
                actor=principal.actor,
                action="grievance.listed",
                record_type="grievance",
                record_id=grievance.id,
            )
        items.append(await present(session, grievance, view, cipher))
    return items


def _update_violations(grievance: Grievance, data: GrievanceUpdate, changes: dict) -> list[Violation]:
    violations: list[Violation] = []
    if not changes:
        violations.append(
            Violation(field="body", rule="empty_change", message="name a status, an escalation or the business")
        )
    decision_fields = [f for f in ("indicators", "severity") if f in changes]
    if decision_fields and data.status != GrievanceStatus.substantiated:
        violations += [
            Violation(field=f, rule="only_when_substantiated", message="given only with status substantiated")
            for f in decision_fields
        ]
    if "decision_note" in changes and data.status not in _DECISIONS:
        violations.append(
            Violation(
                field="decision_note",
                rule="only_with_decision",
                message="given only with status substantiated or unsubstantiated",
            )
        )
    if data.status == GrievanceStatus.substantiated and data.severity is None:
        violations.append(
            Violation(field="severity", rule="required", message="a substantiated grievance has a severity")
        )
    remedy_fields = [f for f in ("remedies", "remedy_note") if f in changes]
    if remedy_fields and data.status != GrievanceStatus.resolved:
        violations += [
            Violation(field=f, rule="only_when_resolved", message="given only with status resolved")
            for f in remedy_fields
        ]
    if (
        data.status == GrievanceStatus.resolved
        and grievance.status == GrievanceStatus.substantiated
        and not data.remedies
    ):
        violations.append(
            Violation(
                field="remedies",
                rule="remedy_required",
                message="a substantiated grievance is resolved with at least one remedy",
            )
        )
    if "escalation_reference" in changes and data.escalated_to is None:
        violations.append(
            Violation(field="escalation_reference", rule="only_with_escalation", message="given only with escalated_to")
        )
    return violations


def _overdue(done_at, due_at, now) -> bool:  # noqa: ANN001
    return (done_at or now) > due_at


async def present(session: AsyncSession, g: Grievance, view: GrievanceView, cipher: FieldCipher) -> GrievancePublic:
    now = utcnow()
    hide_filer = view == GrievanceView.business and g.anonymous
    steps = None
    if view == GrievanceView.full:
        rows = (
            await session.execute(
                select(GrievanceStep).where(GrievanceStep.grievance_id == g.id).order_by(GrievanceStep.id)
            )
        ).scalars()
        steps = [GrievanceStepPublic.model_validate(s) for s in rows]
    return GrievancePublic(
        id=g.id,
        worker_id=None if hide_filer else g.worker_id,
        business_id=g.business_id,
        contract_id=None if hide_filer else g.contract_id,
        fee_report_id=None if hide_filer else g.fee_report_id,
        anonymous=g.anonymous,
        channel=None if hide_filer else g.channel,
        filed_by_role=None if hide_filer else g.filed_by_role,
        alleged_indicators=g.alleged_indicators,
        description=None if hide_filer else cipher.open(g.description_sealed, record=g.id, field="description"),
        language=None if hide_filer else g.language,
        status=g.status,
        filed_at=g.filed_at,
        acknowledge_by=g.acknowledge_by,
        resolve_by=g.resolve_by,
        acknowledged_at=g.acknowledged_at,
        acknowledgement_overdue=_overdue(g.acknowledged_at, g.acknowledge_by, now),
        resolved_at=g.resolved_at,
        resolution_overdue=_overdue(g.resolved_at, g.resolve_by, now),
        decided_at=g.decided_at,
        indicators=g.indicators,
        severity=g.severity,
        decision_note=cipher.open(g.decision_note_sealed, record=g.id, field="decision_note"),
        remedies=g.remedies,
        remedy_note=cipher.open(g.remedy_note_sealed, record=g.id, field="remedy_note"),
        escalated_to=g.escalated_to,
        escalation_reference=g.escalation_reference,
        escalated_at=g.escalated_at,
        steps=steps,
        updated_at=g.updated_at,
        version=g.version,
    )
