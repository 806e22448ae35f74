"""HTTP routes of the screening domain: compliance officers screen and resolve; auditors and admins read hits.

Loading a watchlist is here too: the upload re-screens businesses against the entries it changed, which
is screening's to do (watchlists only load)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, RuleViolations, Violation, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.deps import DatabaseDep, LedgerDep, ReadSessionDep, SettingsDep, WriteSessionDep
from fairpath.vetting.screening import flows, service
from fairpath.vetting.screening.auth import HitReader, HitScreener
from fairpath.vetting.screening.schemas import HitResolution, HitStatus, ScreeningHitPublic, ScreeningPublic
from fairpath.vetting.screening.service import HitResolved
from fairpath.vetting.screening.tables import ScreeningHit
from fairpath.vetting.watchlists import service as watchlists
from fairpath.vetting.watchlists.auth import WatchlistKeeper
from fairpath.vetting.watchlists.schemas import ImportFormat, ImportMode, WatchlistImportPublic

router = APIRouter(tags=["screening"], responses=PROBLEM_RESPONSES)
# Loading a list is documented with the watchlists.
watchlist_imports_router = APIRouter(tags=["watchlists"], responses=PROBLEM_RESPONSES)


def _rescreening(request: Request) -> flows.BackgroundRescreening:
    return request.app.state.rescreening


# Where an import's route hands its re-screening, to run in the background after the answer.
RescreeningDep = Annotated[flows.BackgroundRescreening, Depends(_rescreening)]


@router.post(
    "/v1/businesses/{business_id}/screenings",
    status_code=status.HTTP_201_CREATED,
    response_model=ScreeningPublic,
    summary="Screen a business against every watchlist",
    responses=problems(NotFound),
)
async def screen_business(
    business_id: uuid.UUID,
    settings: SettingsDep,
    database: DatabaseDep,
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: HitScreener,
) -> ScreeningPublic:
    # Matched in a read transaction of its own (database), recorded in the request's write session.
    screening, hits = await service.screen_business_by_id(
        database=database,
        session=session,
        ledger=ledger,
        principal=principal,
        business_id=business_id,
        threshold=settings.screening_threshold,
    )
    return service.present(screening, hits)


def _page(rows: list[ScreeningHit], limit: int) -> Page[ScreeningHitPublic]:
    return Page.of([service.present_hit(h) for h in rows[:limit]], more=len(rows) > limit)


@router.get(
    "/v1/businesses/{business_id}/screening-hits",
    response_model=Page[ScreeningHitPublic],
    summary="A business's screening hits, optionally by status",
    responses=problems(NotFound),
)
async def list_hits(
    business_id: uuid.UUID,
    session: ReadSessionDep,
    _: HitReader,
    status: HitStatus | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ScreeningHitPublic]:
    rows = await service.find_hits(
        session, business_id=business_id, status=status, after=decode_cursor(cursor), limit=limit + 1
    )
    return _page(rows, limit)


@router.get(
    "/v1/screening-hits",
    response_model=Page[ScreeningHitPublic],
    summary="Every business's screening hits, oldest first: status=potential is the review queue",
)
async def hit_queue(
    session: ReadSessionDep,
    _: HitReader,
    status: HitStatus | None = None,
    watchlist_kind: WatchlistKind | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ScreeningHitPublic]:
    rows = await service.find_hits(
        session, status=status, watchlist_kind=watchlist_kind, after=decode_cursor(cursor), limit=limit + 1
    )
    return _page(rows, limit)


@router.get(
    "/v1/screening-hits/{hit_id}",
    response_model=ScreeningHitPublic,
    summary="One screening hit",
    responses=problems(NotFound),
)
async def get_hit(hit_id: uuid.UUID, session: ReadSessionDep, _: HitReader) -> ScreeningHitPublic:
    return service.present_hit(await service.get_hit(session, hit_id))


@router.post(
    "/v1/screening-hits/{hit_id}/resolution",
    response_model=ScreeningHitPublic,
    summary="Confirm or dismiss a potential hit, with a reason",
    responses=problems(NotFound, HitResolved),
)
async def resolve_hit(
    hit_id: uuid.UUID, body: HitResolution, session: WriteSessionDep, ledger: LedgerDep, principal: HitScreener
) -> ScreeningHitPublic:
    return service.present_hit(
        await service.resolve_hit(session=session, ledger=ledger, principal=principal, hit_id=hit_id, data=body)
    )


_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "format": "binary"},
                "example": '{"id": "NK-1", "schema": "Company", "properties": {"name": ["Acme LLC"]}}\n',
            },
            "text/csv": {
                "schema": {"type": "string", "format": "binary"},
                "example": "id,name,aliases,country,registration_number\nX1,Acme LLC,Acme Trading;Akme,AE,CN-123\n",
            },
        },
    }
}


@watchlist_imports_router.post(
    "/v1/watchlists/{watchlist_id}/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchlistImportPublic,
    summary="Load a list by streamed upload (FollowTheMoney JSON lines or CSV)",
    openapi_extra=_UPLOAD,
    description="The upload is read as it arrives and loaded in batches; `GET /v1/imports/{id}` shows the "
    "progress meanwhile. Bad lines are reported with their numbers and reasons; the rest still load. "
    "`mode=replace` (the default) treats the upload as the whole list and removes entries it lacks. "
    "The answer comes once the list is loaded; businesses are then re-screened against the entries that "
    "changed, in the background: `rescreening` says how far (`GET /v1/imports/{id}`).",
    responses=problems(NotFound),
)
async def import_watchlist(
    watchlist_id: uuid.UUID,
    request: Request,
    database: DatabaseDep,
    ledger: LedgerDep,
    rescreening: RescreeningDep,
    principal: WatchlistKeeper,
    upload_format: ImportFormat | None = Query(
        default=None, alias="format", description="default: csv for text/csv, else ftm"
    ),
    mode: ImportMode = ImportMode.replace,
) -> WatchlistImportPublic:
    if upload_format is None:
        content_type = request.headers.get("content-type", "")
        upload_format = ImportFormat.csv if content_type.startswith("text/csv") else ImportFormat.ftm
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        raise RuleViolations([Violation(field="content-length", rule="integer", message="not a byte count")])
    # No request-wide session here: each batch commits on its own, so the job's progress can be read meanwhile.
    job = await watchlists.start_import(
        database,
        ledger,
        principal=principal,
        watchlist_id=watchlist_id,
        fmt=upload_format,
        mode=mode,
        bytes_total=int(length) if length else None,
    )
    job = await flows.load_watchlist(database, ledger, job=job, principal=principal, chunks=request.stream())
    rescreening.start(job, principal.actor)
    async with database.session(read_only=True) as session:
        return await watchlists.present_import(session, await watchlists.get_import(session, job.id))
