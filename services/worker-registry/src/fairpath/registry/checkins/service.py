"""Post-arrival check-ins (IOM's phase 3): scheduled when a placement becomes active, answered by the worker
alone, listed for the worker, the operator and (status only) the worker's agency. A worrying answer files a
confidential grievance through the worker's own channel (grievances domain): anonymous and against no business,
so neither the employer nor the agency reaches it; an officer investigates and names the business."""

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.domain_codes import ForcedLabourIndicator
from fairpath.common.errors import Conflict, NotFound
from fairpath.common.events.catalogue import ContractActivated
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.checkins.schemas import CheckInAnswers, CheckInPublic, CheckInStatus
from fairpath.registry.checkins.tables import CheckIn
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.grievances.schemas import GrievanceCreate
from fairpath.registry.grievances.service import file_grievance
from fairpath.registry.placements.tables import Placement
from fairpath.registry.workers.service import audit_reads, is_owner, require_active
from fairpath.registry.workers.tables import Worker

SYSTEM_ACTOR = "system:registry.check-ins"


class CheckInNotOpen(Conflict):
    name = "check_in_not_due"
    description = "the check-in is not due yet: it is answered from its due date"


class CheckInAnswered(Conflict):
    name = "check_in_answered"
    description = "the check-in was answered already"


# Each worrying answer, its ILO indicator (None: the worker asks to talk) and how the grievance says it.
_WORRYING = (
    ("paid_in_full_and_on_time", False, ForcedLabourIndicator.withholding_of_wages, "not paid in full and on time"),
    ("passport_in_hand", False, ForcedLabourIndicator.retention_of_identity_documents, "passport not in hand"),
    ("contract_is_the_one_signed", False, ForcedLabourIndicator.deception, "the contract is not the one signed"),
    ("paid_any_fee", True, ForcedLabourIndicator.debt_bondage, "paid a fee"),
    ("want_to_talk", True, None, "wants to talk to someone"),
)


async def schedule_check_ins(
    session: AsyncSession, ledger: Ledger, payload: ContractActivated, weeks: tuple[int, ...]
) -> int:
    """The check-ins of a placement that became active, due `weeks` after its start (its start date, or the
    arrival when that is later); once per contract. How many were scheduled."""
    known = await session.execute(select(CheckIn.id).where(CheckIn.contract_id == payload.contract_id).limit(1))
    if known.first() is not None:
        return 0
    start = max(payload.start_date, payload.arrival_verified_at.date())
    now = utcnow()
    for week in sorted(set(weeks)):
        await ledger.record_new(
            session,
            CheckIn(
                id=uuid7(),
                contract_id=payload.contract_id,
                worker_id=payload.worker_id,
                week=week,
                due_on=start + timedelta(weeks=week),
                created_at=now,
                updated_at=now,
            ),
            actor=SYSTEM_ACTOR,
            action="check_in.scheduled",
            record_type="check_in",
            changes={"contract_id": str(payload.contract_id), "week": week},
        )
    return len(set(weeks))


def status_of(check_in: CheckIn, today: date) -> CheckInStatus:
    if check_in.answered_at is not None:
        return CheckInStatus.answered
    if check_in.due_on > today:
        return CheckInStatus.scheduled
    return CheckInStatus.due if check_in.due_on == today else CheckInStatus.overdue


def _sees_answers(principal: Principal, check_in: CheckIn) -> bool:
    return principal.role == Role.compliance_officer or (
        principal.role == Role.worker and principal.worker_id == check_in.worker_id
    )


async def check_ins_of(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    worker_id: uuid.UUID,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[CheckIn]:
    """The worker's check-ins in the order they were scheduled (each placement's by due date): to the worker,
    their agency (status only) and the operator."""
    worker = await session.get(Worker, worker_id)
    if worker is None or not (is_owner(principal, worker) or principal.role in READ_ALL_ROLES):
        raise NotFound("worker", worker_id)
    await audit_reads(session, ledger, principal, [worker], "worker.check_ins_read")
    query = select(CheckIn).where(CheckIn.worker_id == worker.id).order_by(CheckIn.id).limit(limit)
    if after is not None:
        query = query.where(CheckIn.id > after)
    return list((await session.execute(query)).scalars())


async def list_check_ins(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    status: CheckInStatus | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
) -> list[CheckIn]:
    """Check-ins across workers for the operator, `overdue` ones first of all: unanswered past their date."""
    today = utcnow().date()
    query = select(CheckIn).order_by(CheckIn.id).limit(limit)
    unanswered = CheckIn.answered_at.is_(None)
    if status == CheckInStatus.answered:
        query = query.where(CheckIn.answered_at.is_not(None))
    elif status == CheckInStatus.overdue:
        query = query.where(unanswered, CheckIn.due_on < today)
    elif status == CheckInStatus.due:
        query = query.where(unanswered, CheckIn.due_on == today)
    elif status == CheckInStatus.scheduled:
        query = query.where(unanswered, CheckIn.due_on > today)
    if after is not None:
        query = query.where(CheckIn.id > after)
    rows = list((await session.execute(query)).scalars())
    if principal.role == Role.compliance_officer:
        await ledger.append_many(
            session,
            actor=principal.actor,
            action="check_in.listed",
            record_type="check_in",
            record_ids=[r.id for r in rows],
        )
    return rows


async def answer_check_in(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    settings: RegistrySettings,
    check_in_id: uuid.UUID,
    data: CheckInAnswers,
) -> CheckIn:
    check_in = await session.get(CheckIn, check_in_id, with_for_update=True)
    if check_in is None or principal.worker_id != check_in.worker_id:
        raise NotFound("check-in", check_in_id)
    worker = await session.get(Worker, check_in.worker_id)
    if worker is None:
        raise NotFound("check-in", check_in_id)
    require_active(worker)
    if check_in.answered_at is not None:
        raise CheckInAnswered(f"answered at {check_in.answered_at.isoformat()}")
    if check_in.due_on > utcnow().date():
        raise CheckInNotOpen(f"due on {check_in.due_on.isoformat()}")
    worrying = [(indicator, said) for field, bad, indicator, said in _WORRYING if getattr(data, field) == bad]
    if worrying:
        grievance = await file_grievance(
            session=session,
            ledger=ledger,
            principal=principal,
            cipher=cipher,
            settings=settings,
            worker_id=worker.id,
            data=GrievanceCreate(
                anonymous=True,
                contract_id=check_in.contract_id if await _placed(session, check_in) else None,
                alleged_indicators=[i for i, _ in worrying if i is not None],
                description=_account(check_in, [said for _, said in worrying], data.note),
                language=data.language,
            ),
        )
        check_in.grievance_id = grievance.id
    check_in.answered_at = utcnow()
    answers = data.model_dump(exclude={"note", "language"})
    for field, value in answers.items():
        setattr(check_in, field, value)
    check_in.language = data.language
    check_in.note_sealed = cipher.seal(data.note, record=check_in.id, field="note")
    await ledger.record_change(
        session,
        check_in,
        actor=principal.actor,
        action="check_in.answered",
        record_type="check_in",
        changes={
            **answers,
            "note": check_in.note_sealed,
            "grievance_id": check_in.grievance_id and str(check_in.grievance_id),
        },
    )
    return check_in


async def _placed(session: AsyncSession, check_in: CheckIn) -> bool:
    placement = await session.get(Placement, check_in.contract_id)
    return placement is not None and placement.worker_id == check_in.worker_id


def _account(check_in: CheckIn, said: list[str], note: str | None) -> str:
    account = f"Post-arrival check-in {check_in.week} weeks after the start: {'; '.join(said)}."
    return f"{account}\n\nThe worker wrote: {note}" if note else account


def present(check_in: CheckIn, principal: Principal, cipher: FieldCipher) -> CheckInPublic:
    full = _sees_answers(principal, check_in)
    answers = None
    if full and check_in.answered_at is not None:
        answers = CheckInAnswers(
            paid_in_full_and_on_time=check_in.paid_in_full_and_on_time,
            passport_in_hand=check_in.passport_in_hand,
            contract_is_the_one_signed=check_in.contract_is_the_one_signed,
            paid_any_fee=check_in.paid_any_fee,
            want_to_talk=check_in.want_to_talk,
            note=cipher.open(check_in.note_sealed, record=check_in.id, field="note"),
            language=check_in.language,
        )
    return CheckInPublic(
        id=check_in.id,
        contract_id=check_in.contract_id,
        worker_id=check_in.worker_id,
        week=check_in.week,
        due_on=check_in.due_on,
        status=status_of(check_in, utcnow().date()),
        answered_at=check_in.answered_at,
        answers=answers,
        grievance_id=check_in.grievance_id if full else None,
        version=check_in.version,
    )
