"""Orientation sessions: an agency holds them for its workers and records who attended; each worker confirms
their own attendance from their own login. The departure gate (deployment) asks `oriented_in_their_language`."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import READ_ALL_ROLES, Principal, Role
from fairpath.common.errors import Conflict, NotFound, RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.registry.orientation.schemas import (
    AttendanceCreate,
    AttendancePublic,
    OrientationSessionCreate,
    OrientationSessionPublic,
)
from fairpath.registry.orientation.tables import OrientationAttendance, OrientationSession
from fairpath.registry.workers.service import owned_worker, require_active
from fairpath.registry.workers.tables import WorkerLanguage


class SessionNotHeld(Conflict):
    name = "session_not_held"
    description = "the session has not been held yet: attendance is recorded on or after its date"


async def create_session(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: OrientationSessionCreate
) -> OrientationSession:
    now = utcnow()
    held = OrientationSession(
        id=uuid7(),
        agency_organization_id=principal.organization_id,
        agency_business_id=principal.business_id,
        held_on=data.held_on,
        days=data.days,
        place=data.place,
        online=data.online,
        language=data.language,
        topics=list(dict.fromkeys(data.topics)),
        created_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        held,
        actor=principal.actor,
        action="orientation.session_created",
        record_type="orientation_session",
        changes=data.model_dump(mode="json", exclude_none=True),
    )
    return held


def _holds(principal: Principal, held: OrientationSession) -> bool:
    return (
        principal.role == Role.agency
        and principal.organization_id is not None
        and principal.organization_id == held.agency_organization_id
    )


async def list_sessions(
    *, session: AsyncSession, principal: Principal, after: uuid.UUID | None = None, limit: int = 50
) -> list[OrientationSession]:
    """The agency's own sessions; the sessions a worker attended; every session for the operator and auditors."""
    query = select(OrientationSession).order_by(OrientationSession.id).limit(limit)
    if principal.role == Role.agency:
        query = query.where(OrientationSession.agency_organization_id == principal.organization_id)
    elif principal.role == Role.worker:
        query = query.where(
            OrientationSession.id.in_(
                select(OrientationAttendance.session_id).where(OrientationAttendance.worker_id == principal.worker_id)
            )
        )
    elif principal.role not in READ_ALL_ROLES:
        query = query.where(False)
    if after is not None:
        query = query.where(OrientationSession.id > after)
    return list((await session.execute(query)).scalars())


async def record_attendance(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, session_id: uuid.UUID, data: AttendanceCreate
) -> OrientationSession:
    """The agency records that its worker attended its session; the worker confirms an attendance recorded for
    them. A session or worker outside the caller's reach is answered as one that does not exist."""
    held = await session.get(OrientationSession, session_id)
    if principal.role == Role.worker:
        return await _confirm(session, ledger, principal, held, session_id, data)
    if held is None or not _holds(principal, held):
        raise NotFound("orientation session", session_id)
    if data.worker_id is None:
        raise RuleViolations([Violation(field="worker_id", rule="required", message="the worker who attended")])
    worker = await owned_worker(session, principal, data.worker_id)
    require_active(worker)
    if held.held_on > utcnow().date():
        raise SessionNotHeld(f"the session is held on {held.held_on.isoformat()}")
    if await _attendance(session, held.id, worker.id) is not None:
        return held  # recorded already: the same answer again
    now = utcnow()
    await ledger.record_new(
        session,
        OrientationAttendance(
            id=uuid7(),
            session_id=held.id,
            worker_id=worker.id,
            recorded_by=principal.actor,
            recorded_at=now,
            updated_at=now,
        ),
        actor=principal.actor,
        action="orientation.attendance_recorded",
        record_type="orientation_attendance",
        changes={"session_id": str(held.id), "worker_id": str(worker.id)},
    )
    return held


async def _confirm(
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    held: OrientationSession | None,
    session_id: uuid.UUID,
    data: AttendanceCreate,
) -> OrientationSession:
    if data.worker_id is not None and data.worker_id != principal.worker_id:
        raise NotFound("worker", data.worker_id)
    attended = await _attendance(session, session_id, principal.worker_id) if held is not None else None
    if held is None or attended is None:
        raise NotFound("orientation session", session_id)
    if attended.confirmed_at is None:
        attended.confirmed_at = utcnow()
        await ledger.record_change(
            session,
            attended,
            actor=principal.actor,
            action="orientation.attendance_confirmed",
            record_type="orientation_attendance",
            changes={"confirmed_at": attended.confirmed_at.isoformat()},
        )
    return held


async def _attendance(
    session: AsyncSession, session_id: uuid.UUID, worker_id: uuid.UUID | None
) -> OrientationAttendance | None:
    query = select(OrientationAttendance).where(
        OrientationAttendance.session_id == session_id, OrientationAttendance.worker_id == worker_id
    )
    return (await session.execute(query)).scalar_one_or_none()


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


async def oriented_in_their_language(session: AsyncSession, worker_id: uuid.UUID) -> bool:
    """The worker attended, and confirmed, a session held (its date passed) in a language they speak."""
    spoken = {
        _primary(tag)
        for tag in (
            await session.execute(select(WorkerLanguage.language).where(WorkerLanguage.worker_id == worker_id))
        ).scalars()
    }
    held_in = (
        await session.execute(
            select(OrientationSession.language)
            .join(OrientationAttendance, OrientationAttendance.session_id == OrientationSession.id)
            .where(
                OrientationAttendance.worker_id == worker_id,
                OrientationAttendance.confirmed_at.is_not(None),
                OrientationSession.held_on <= utcnow().date(),
            )
        )
    ).scalars()
    return any(_primary(language) in spoken for language in held_in)


async def present_all(
    session: AsyncSession, principal: Principal, sessions: Sequence[OrientationSession]
) -> list[OrientationSessionPublic]:
    """Each session with its attendance: all of it to the agency and the operator, a worker's own to the worker."""
    ids = [s.id for s in sessions]
    attendance: dict[uuid.UUID, list[OrientationAttendance]] = {i: [] for i in ids}
    if ids:
        query = (
            select(OrientationAttendance)
            .where(OrientationAttendance.session_id.in_(ids))
            .order_by(OrientationAttendance.id)
        )
        if principal.role == Role.worker:
            query = query.where(OrientationAttendance.worker_id == principal.worker_id)
        for row in (await session.execute(query)).scalars():
            attendance[row.session_id].append(row)
    return [
        OrientationSessionPublic(
            id=s.id,
            agency_business_id=s.agency_business_id,
            held_on=s.held_on,
            days=s.days,
            place=s.place,
            online=s.online,
            language=s.language,
            topics=s.topics,
            attendance=[AttendancePublic.model_validate(a) for a in attendance[s.id]],
            created_at=s.created_at,
            version=s.version,
        )
        for s in sessions
    ]
