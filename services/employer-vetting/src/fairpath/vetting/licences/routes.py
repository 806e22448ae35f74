"""HTTP routes of the licences domain."""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, RuleViolations, Violation, problems
from fairpath.vetting.businesses.service import get_business
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.vetting.licences import service
from fairpath.vetting.licences.auth import LicenceReader, LicenceRecorder, LicenceRegisterImporter
from fairpath.vetting.licences.schemas import LicenceCreate, LicencePublic, RegisterImportResult
from fairpath.vetting.licences.service import DuplicateLicence

router = APIRouter(tags=["licences"], responses=PROBLEM_RESPONSES)

MAX_REGISTER_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


@router.post(
    "/v1/businesses/{business_id}/licences",
    status_code=status.HTTP_201_CREATED,
    response_model=LicencePublic,
    summary="Record an operating licence",
    responses=problems(NotFound, DuplicateLicence),
)
async def add_licence(
    business_id: uuid.UUID, body: LicenceCreate, session: WriteSessionDep, ledger: LedgerDep, principal: LicenceRecorder
) -> LicencePublic:
    return service.present(
        await service.add_licence(
            session=session, ledger=ledger, principal=principal, business_id=business_id, data=body
        )
    )


@router.get(
    "/v1/businesses/{business_id}/licences",
    response_model=list[LicencePublic],
    summary="A business's licences",
    responses=problems(NotFound),
)
async def list_licences(
    business_id: uuid.UUID, session: ReadSessionDep, principal: LicenceReader
) -> list[LicencePublic]:
    await get_business(session=session, principal=principal, business_id=business_id)
    return [service.present(lic) for lic in await service.licences_of(session, business_id)]


@router.post(
    "/v1/licence-registers",
    response_model=RegisterImportResult,
    summary="Import a government licence register (CSV) and verify every licence of that country",
)
async def import_licence_register(
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: LicenceRegisterImporter,
    country: Annotated[str, Form(min_length=2, max_length=2)],
    file: Annotated[UploadFile, File(description="CSV: number, authority, holder_name, valid_from, valid_until")],
) -> RegisterImportResult:
    return await service.import_register(
        session=session, ledger=ledger, principal=principal, country=country, chunks=_chunks(file)
    )


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    """The uploaded register, a piece at a time, up to MAX_REGISTER_BYTES."""
    read = 0
    while chunk := await file.read(CHUNK_BYTES):
        read += len(chunk)
        if read > MAX_REGISTER_BYTES:
            raise RuleViolations([Violation(field="file", rule="max_size", message="a register is at most 50 MB")])
        yield chunk
