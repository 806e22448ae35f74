"""HTTP routes of the workers domain: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES
from fairpath.common.occupations import OccupationCode
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.common.reference import CountryCode, LanguageTag
from fairpath.registry.dependencies import AuditedReadSessionDep, CipherDep
from fairpath.registry.workers import service
from fairpath.registry.workers.schemas import (
    ConsentChange,
    ConsentPublic,
    ConsentState,
    Proficiency,
    SkillLevel,
    WorkerCreate,
    WorkerPublic,
    WorkerUpdate,
)

router = APIRouter(prefix="/v1/workers", tags=["workers"], responses=PROBLEM_RESPONSES)

Registrar = roles(Role.agency)
Reader = roles(*Role)
Searcher = roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer)
Owner = roles(Role.agency, Role.worker)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkerPublic,
    summary="Register a worker (the agency that registers them owns the record)",
)
async def register_worker(
    body: WorkerCreate, session: SessionDep, principal: Registrar, cipher: CipherDep
) -> WorkerPublic:
    worker, languages, skills = await service.register_worker(
        session=session, principal=principal, cipher=cipher, data=body
    )
    return service.present(worker, service.View.full, cipher, languages, skills)


@router.get(
    "",
    response_model=Page[WorkerPublic],
    summary="Find workers by occupation, skill level, nationality, language and availability",
)
async def search_workers(
    session: AuditedReadSessionDep,
    principal: Searcher,
    cipher: CipherDep,
    occupation: OccupationCode | None = None,
    skill_level: SkillLevel | None = None,
    nationality: CountryCode | None = None,
    language: LanguageTag | None = None,
    language_proficiency: Proficiency | None = None,
    available: bool | None = None,
    rehire_eligible: bool | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[WorkerPublic]:
    rows = await service.search_workers(
        session=session,
        principal=principal,
        cipher=cipher,
        occupation=occupation,
        skill_level=skill_level,
        nationality=nationality,
        language=language,
        language_proficiency=language_proficiency,
        available=available,
        rehire_eligible=rehire_eligible,
        after=decode_cursor(cursor),
        limit=limit + 1,
    )
    items = rows[:limit]
    return Page.of(items, more=len(rows) > limit)


@router.get("/{worker_id}", response_model=WorkerPublic, summary="One worker, as much as the caller's role may see")
async def get_worker(
    worker_id: uuid.UUID, session: AuditedReadSessionDep, principal: Reader, cipher: CipherDep
) -> WorkerPublic:
    return await service.read_worker(session=session, principal=principal, cipher=cipher, worker_id=worker_id)


@router.patch("/{worker_id}", response_model=WorkerPublic, summary="Change a worker's record")
async def update_worker(
    worker_id: uuid.UUID, body: WorkerUpdate, session: SessionDep, principal: Owner, cipher: CipherDep
) -> WorkerPublic:
    worker = await service.update_worker(
        session=session, principal=principal, cipher=cipher, worker_id=worker_id, data=body
    )
    return await service.presented(session, worker, service.View.full, cipher)


@router.post(
    "/{worker_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentState,
    summary="Give or withdraw consent for one purpose (a withdrawal takes effect at once)",
)
async def change_consent(
    worker_id: uuid.UUID, body: ConsentChange, session: SessionDep, principal: Owner
) -> ConsentState:
    worker, record = await service.change_consent(session=session, principal=principal, worker_id=worker_id, data=body)
    return ConsentState(worker_id=worker.id, consents=worker.consents, change=ConsentPublic.model_validate(record))
