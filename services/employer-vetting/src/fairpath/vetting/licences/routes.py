"""HTTP routes of the licences domain."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES, RuleViolations, Violation
from fairpath.vetting.businesses.service import get_business
from fairpath.vetting.licences import service
from fairpath.vetting.licences.schemas import LicenceCreate, LicencePublic, RegisterImportResult

router = APIRouter(tags=["licences"], responses=PROBLEM_RESPONSES)

MAX_REGISTER_BYTES = 50 * 1024 * 1024


@router.post(
    "/v1/businesses/{business_id}/licences",
    status_code=status.HTTP_201_CREATED,
    response_model=LicencePublic,
    summary="Record an operating licence",
)
async def add_licence(
    business_id: uuid.UUID,
    body: LicenceCreate,
    session: SessionDep,
    principal: roles(Role.admin, Role.compliance_officer, Role.agency, Role.employer),
) -> LicencePublic:
    return LicencePublic.model_validate(
        await service.add_licence(session=session, principal=principal, business_id=business_id, data=body)
    )


@router.get(
    "/v1/businesses/{business_id}/licences", response_model=list[LicencePublic], summary="A business's licences"
)
async def list_licences(
    business_id: uuid.UUID,
    session: SessionDep,
    principal: roles(Role.admin, Role.compliance_officer, Role.auditor, Role.agency, Role.employer),
) -> list[LicencePublic]:
    await get_business(session=session, principal=principal, business_id=business_id)
    return [LicencePublic.model_validate(lic) for lic in await service.licences_of(session, business_id)]


@router.post(
    "/v1/licence-registers",
    response_model=RegisterImportResult,
    summary="Import a government licence register (CSV) and verify every licence of that country",
)
async def import_licence_register(
    session: SessionDep,
    principal: roles(Role.admin),
    country: Annotated[str, Form(min_length=2, max_length=2)],
    file: Annotated[UploadFile, File(description="CSV: number, authority, holder_name, valid_from, valid_until")],
) -> RegisterImportResult:
    content = await file.read(MAX_REGISTER_BYTES + 1)
    if len(content) > MAX_REGISTER_BYTES:
        raise RuleViolations([Violation(field="file", rule="max_size", message="a register is at most 50 MB")])
    return await service.import_register(session=session, principal=principal, country=country, content=content)
