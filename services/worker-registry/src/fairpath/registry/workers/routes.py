"""HTTP routes of the workers domain: thin, the rules live in service.py."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.occupations import OccupationCode
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.common.reference import CountryCode, LanguageTag
from fairpath.registry.deps import CipherDep, LedgerDep, WriteSessionDep
from fairpath.registry.workers import service
from fairpath.registry.workers.auth import WorkerReader, WorkerRecordKeeper, WorkerRegistrar, WorkerSearcher
from fairpath.registry.workers.schemas import (
    ConsentChange,
    ConsentState,
    Proficiency,
    SkillLevel,
    View,
    WorkerCreate,
    WorkerPublic,
    WorkerUpdate,
)
from fairpath.registry.workers.service import AlreadyRegistered, DuplicateWorker, ErasedWorker

router = APIRouter(prefix="/v1/workers", tags=["workers"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkerPublic,
    summary="Register a worker (the agency that registers them owns the record)",
    responses=problems(DuplicateWorker, AlreadyRegistered),
)
async def register_worker(
    body: WorkerCreate, session: WriteSessionDep, ledger: LedgerDep, principal: WorkerRegistrar, cipher: CipherDep
) -> WorkerPublic:
    worker, languages, skills = await service.register_worker(
        session=session, ledger=ledger, principal=principal, cipher=cipher, data=body
    )
    sharing = sorted(c.business_id for c in body.consents if c.business_id is not None)
    return service.present(worker, View.full, cipher, languages, skills, sharing)


@router.get(
    "",
    response_model=Page[WorkerPublic],
    summary="Find workers by occupation, skill level, nationality, language and availability",
    responses=problems(),
)
async def search_workers(
    session: WriteSessionDep,  # every worker found by anyone but its owner is an audit entry
    ledger: LedgerDep,
    principal: WorkerSearcher,
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
        ledger=ledger,
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


@router.get(
    "/{worker_id}",
    response_model=WorkerPublic,
    summary="One worker, as much as the caller's role may see",
    responses=problems(NotFound),
)
async def get_worker(
    worker_id: uuid.UUID,
    session: WriteSessionDep,  # a read by anyone but the owner is an audit entry
    ledger: LedgerDep,
    principal: WorkerReader,
    cipher: CipherDep,
) -> WorkerPublic:
    return await service.read_worker(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id
    )


@router.patch(
    "/{worker_id}",
    response_model=WorkerPublic,
    summary="Change a worker's record",
    responses=problems(NotFound, ErasedWorker, DuplicateWorker, AlreadyRegistered),
)
async def update_worker(
    worker_id: uuid.UUID,
    body: WorkerUpdate,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: WorkerRecordKeeper,
    cipher: CipherDep,
) -> WorkerPublic:
    worker = await service.update_worker(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id, data=body
    )
    return await service.presented(session, worker, View.full, cipher)


@router.post(
    "/{worker_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentState,
    summary="Give or withdraw consent for one purpose (a withdrawal takes effect at once)",
    responses=problems(NotFound, ErasedWorker),
)
async def change_consent(
    worker_id: uuid.UUID,
    body: ConsentChange,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: WorkerRecordKeeper,
    cipher: CipherDep,
) -> ConsentState:
    worker, record = await service.change_consent(
        session=session, ledger=ledger, principal=principal, cipher=cipher, worker_id=worker_id, data=body
    )
    return await service.present_consent(session, worker, record)
