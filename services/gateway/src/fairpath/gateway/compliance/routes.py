"""`GET /v1/compliance/businesses/{id}`: a business's compliance dossier, as JSON or one CSV file. Thin: the reads
are `sources`', the assembling `service`'s; every read of a dossier is an entry in the gateway's audit chain."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.timeutil import utcnow
from fairpath.gateway.compliance import service, sources
from fairpath.gateway.compliance.auth import DossierReader
from fairpath.gateway.compliance.schemas import Dossier, DossierFormat
from fairpath.gateway.deps import LedgerDep, SettingsDep
from fairpath.gateway.routing.upstreams import BadGateway, GatewayTimeout

router = APIRouter(prefix="/v1/compliance", tags=["compliance"], responses=PROBLEM_RESPONSES)

_CSV = {
    "description": "With `format=csv`: one CSV file, a row per record with its `section`; the file's name "
    "names the business and the day",
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "section,record_id,at,kind,status,worker_id,detail\r\n"
            'business,0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e,2026-03-01T09:00:00Z,employer,approved,,"{...}"\r\n',
        }
    },
    "headers": {
        "Content-Disposition": {
            "description": "attachment; filename=dossier-<business>-<date>.csv",
            "schema": {"type": "string"},
        }
    },
}


@router.get(
    "/businesses/{business_id}",
    response_model=Dossier,
    summary="A business's compliance dossier: every service's records about it, and one timeline",
    description="The business and its recruitment chain; licences and their verification; findings by IRIS "
    "principle; vetting cases with their decisions, reasons, who and when; the risk factors with their evidence; "
    "screening hits and their resolution; contracts by status with every substitution finding; fee reports by "
    "ILO category with their reimbursement; grievances by forced-labour indicator with outcomes and deadlines. "
    "Workers appear by id (an erased one as an erasure marker with its date; an anonymous grievance names none). "
    "Read from the services at once: a part a service could not give is null and named in `missing` with the "
    "reason. Every read is recorded in the gateway's audit chain. Auditors and compliance officers only.",
    responses={
        200: {"content": {"text/csv": _CSV["content"]["text/csv"]}, "headers": _CSV["headers"]},
        **problems(NotFound, BadGateway, GatewayTimeout),
    },
)
async def get_dossier(
    business_id: uuid.UUID,
    request: Request,
    principal: DossierReader,
    settings: SettingsDep,
    ledger: LedgerDep,
    output: Annotated[
        DossierFormat, Query(alias="format", description="json (the default) or csv")
    ] = DossierFormat.json,
) -> Response:
    state = request.app.state
    reads = sources.business_sources(business_id)
    token = state.principal_signer.sign(principal)
    answers = await sources.read_all(state.upstreams, reads, token, settings.dossier_read_timeout)
    now = utcnow()  # the system's clock, as deadlines met or missed are judged
    body, missing, name = service.written(business_id, reads, answers, now, output)
    # Recorded in a transaction of its own, once the reads are done: no write lock is held while services answer.
    async with state.database.session() as session:
        await ledger.append(
            session,
            actor=principal.actor,
            action="dossier.read",
            record_type="business",
            record_id=business_id,
            changes={"format": output.value, "missing": missing},
        )
    if output == DossierFormat.csv:
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(body, media_type="application/json")
