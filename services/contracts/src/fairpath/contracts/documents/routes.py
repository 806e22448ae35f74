"""HTTP routes of contract documents: the contract in the worker's language beside the destination's."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fairpath.common.auth import Role, roles
from fairpath.common.db import SessionDep
from fairpath.common.errors import PROBLEM_JSON, PROBLEM_RESPONSES, Problem
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.documents import service

router = APIRouter(prefix="/v1/contracts", tags=["documents"], responses=PROBLEM_RESPONSES)

Reader = roles(*Role)


def _settings(request: Request) -> ContractsSettings:
    return request.app.state.settings


@router.get(
    "/{contract_id}/document",
    summary="The contract document, bilingual: the worker's language beside the destination's",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}},
        503: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "the PDF fonts are not installed"},
    },
)
async def contract_document(
    contract_id: uuid.UUID,
    session: SessionDep,
    principal: Reader,
    settings: Annotated[ContractsSettings, Depends(_settings)],
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
    lang: Annotated[
        str | None, Query(max_length=12, description="the worker-side language; the contract's by default")
    ] = None,
    version: Annotated[int | None, Query(ge=1, description="a past version; the current one by default")] = None,
) -> Response:
    document = await service.contract_document(
        session=session,
        principal=principal,
        settings=settings,
        contract_id=contract_id,
        format=format,
        lang=lang,
        version=version,
    )
    return Response(
        document.body,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "ETag": f'"{document.content_hash[:32]}-{"-".join(document.languages)}-{format}"',
            "Content-Language": ", ".join(document.languages),
        },
    )
