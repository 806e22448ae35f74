"""HTTP routes of contract documents: the contract in the worker's language beside the destination's."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.contracts.deps import ReadSessionDep, SettingsDep
from fairpath.contracts.documents import service
from fairpath.contracts.documents.auth import DocumentReader
from fairpath.contracts.documents.pdf import FontsUnavailable

router = APIRouter(prefix="/v1/contracts", tags=["documents"], responses=PROBLEM_RESPONSES)


@router.get(
    "/{contract_id}/document",
    summary="The contract document, bilingual: the worker's language beside the destination's",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}} | problems(NotFound, FontsUnavailable),
)
async def contract_document(
    contract_id: uuid.UUID,
    session: ReadSessionDep,
    principal: DocumentReader,
    settings: SettingsDep,
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
