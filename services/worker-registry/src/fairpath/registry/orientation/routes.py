"""HTTP routes of the orientation domain: `POST/GET /v1/orientation-sessions`,
`POST /v1/orientation-sessions/{id}/attendance`."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.registry.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.registry.orientation import service
from fairpath.registry.orientation.auth import AttendanceRecorder, SessionOrganiser, SessionReader
from fairpath.registry.orientation.schemas import AttendanceCreate, OrientationSessionCreate, OrientationSessionPublic
from fairpath.registry.orientation.service import SessionNotHeld
from fairpath.registry.workers.service import ErasedWorker

router = APIRouter(tags=["orientation"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/orientation-sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=OrientationSessionPublic,
    summary="Hold a pre-departure orientation session: its date, place or online, language and topics",
    responses=problems(),
)
async def create_session(
    body: OrientationSessionCreate, session: WriteSessionDep, ledger: LedgerDep, principal: SessionOrganiser
) -> OrientationSessionPublic:
    held = await service.create_session(session=session, ledger=ledger, principal=principal, data=body)
    [public] = await service.present_all(session, principal, [held])
    return public


@router.get(
    "/v1/orientation-sessions",
    response_model=Page[OrientationSessionPublic],
    summary="Orientation sessions: the agency's own, those a worker attended, every one for the operator",
    responses=problems(),
)
async def list_sessions(
    session: ReadSessionDep, principal: SessionReader, cursor: CursorParam = None, limit: LimitParam = 50
) -> Page[OrientationSessionPublic]:
    rows = await service.list_sessions(
        session=session, principal=principal, after=decode_cursor(cursor), limit=limit + 1
    )
    items = await service.present_all(session, principal, rows[:limit])
    return Page.of(items, more=len(rows) > limit)


@router.post(
    "/v1/orientation-sessions/{session_id}/attendance",
    response_model=OrientationSessionPublic,
    summary="Record a worker's attendance (the agency, for its worker) or confirm one's own (the worker)",
    responses=problems(NotFound, SessionNotHeld, ErasedWorker),
)
async def record_attendance(
    session_id: uuid.UUID,
    body: AttendanceCreate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: AttendanceRecorder,
) -> OrientationSessionPublic:
    held = await service.record_attendance(
        session=session, ledger=ledger, principal=principal, session_id=session_id, data=body
    )
    [public] = await service.present_all(session, principal, [held])
    return public
