"""HTTP routes of the watchlists domain: admins keep the lists; the operator's officers and auditors read them."""

import uuid

from fastapi import APIRouter, Query, Request, status

from fairpath.common.auth import Role, roles
from fairpath.common.db import Database, SessionDep
from fairpath.common.errors import PROBLEM_RESPONSES, RuleViolations, Violation
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.screening.service import DEFAULT_THRESHOLD
from fairpath.vetting.watchlists import service
from fairpath.vetting.watchlists.schemas import (
    ImportFormat,
    ImportMode,
    ImportRejection,
    WatchlistCreate,
    WatchlistImportPublic,
    WatchlistPublic,
)
from fairpath.vetting.watchlists.tables import Watchlist, WatchlistImport

router = APIRouter(tags=["watchlists"], responses=PROBLEM_RESPONSES)

ListKeeper = roles(Role.admin)
# Agencies and employers never see what is on a list, nor that a list exists.
ListReader = roles(Role.admin, Role.compliance_officer, Role.auditor)

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


def _public(watchlist: Watchlist, entries: int) -> WatchlistPublic:
    return WatchlistPublic.model_validate({**watchlist.model_dump(), "entries": entries})


@router.post(
    "/v1/watchlists",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchlistPublic,
    summary="Create a watchlist (sanctions, debarment or the operator's own blocklist)",
)
async def create_watchlist(body: WatchlistCreate, session: SessionDep, principal: ListKeeper) -> WatchlistPublic:
    return _public(await service.create_watchlist(session=session, principal=principal, data=body), 0)


@router.get("/v1/watchlists", response_model=Page[WatchlistPublic], summary="The watchlists")
async def list_watchlists(
    session: SessionDep, _: ListReader, cursor: CursorParam = None, limit: LimitParam = 50
) -> Page[WatchlistPublic]:
    rows = await service.list_watchlists(session, after=decode_cursor(cursor), limit=limit + 1)
    counts = await service.entry_counts(session, [w.id for w in rows[:limit]])
    items = [_public(w, counts.get(w.id, 0)) for w in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get("/v1/watchlists/{watchlist_id}", response_model=WatchlistPublic, summary="One watchlist")
async def get_watchlist(watchlist_id: uuid.UUID, session: SessionDep, _: ListReader) -> WatchlistPublic:
    watchlist = await service.get_watchlist(session, watchlist_id)
    return _public(watchlist, (await service.entry_counts(session, [watchlist.id])).get(watchlist.id, 0))


async def _import_public(session, job: WatchlistImport) -> WatchlistImportPublic:  # noqa: ANN001
    rejections = await service.import_rejections(session, job.id)
    progress = None
    if job.status != "running":
        progress = 1.0
    elif job.bytes_total:
        progress = round(min(job.bytes_read / job.bytes_total, 1.0), 4)
    return WatchlistImportPublic.model_validate(
        {
            **job.model_dump(),
            "progress": progress,
            "rejections": [ImportRejection(line=r.line, reason=r.reason) for r in rejections],
            "rejections_truncated": job.rejected > len(rejections),
        }
    )


@router.post(
    "/v1/watchlists/{watchlist_id}/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchlistImportPublic,
    summary="Load a list by streamed upload (FollowTheMoney JSON lines or CSV)",
    openapi_extra=_UPLOAD,
    description="The upload is read as it arrives and loaded in batches; `GET /v1/imports/{id}` shows the "
    "progress meanwhile. Bad lines are reported with their numbers and reasons; the rest still load. "
    "`mode=replace` (the default) treats the upload as the whole list and removes entries it lacks. "
    "Businesses are then re-screened against the entries that changed.",
)
async def import_watchlist(
    watchlist_id: uuid.UUID,
    request: Request,
    principal: ListKeeper,
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
    database: Database = request.app.state.database
    # No request-wide session here: each batch commits on its own, so the job's progress can be read meanwhile.
    job = await service.start_import(
        database,
        principal=principal,
        watchlist_id=watchlist_id,
        fmt=upload_format,
        mode=mode,
        bytes_total=int(length) if length else None,
    )
    threshold = getattr(request.app.state.settings, "screening_threshold", DEFAULT_THRESHOLD)
    job = await service.run_import(database, job=job, principal=principal, chunks=request.stream(), threshold=threshold)
    relay = getattr(request.app.state, "relay", None)
    if relay is not None and job.new_hits:
        relay.wake()
    async with database.session(read_only=True) as session:
        return await _import_public(session, await service.get_import(session, job.id))


@router.get(
    "/v1/watchlists/{watchlist_id}/imports",
    response_model=Page[WatchlistImportPublic],
    summary="A watchlist's imports, newest first",
)
async def list_imports(
    watchlist_id: uuid.UUID, session: SessionDep, _: ListReader, cursor: CursorParam = None, limit: LimitParam = 20
) -> Page[WatchlistImportPublic]:
    rows = await service.imports_of(session, watchlist_id, after=decode_cursor(cursor), limit=limit + 1)
    items = [await _import_public(session, job) for job in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/imports/{import_id}",
    response_model=WatchlistImportPublic,
    summary="An import job: progress, loaded and rejected counts, bad lines with their numbers",
)
async def get_import(import_id: uuid.UUID, session: SessionDep, _: ListReader) -> WatchlistImportPublic:
    return await _import_public(session, await service.get_import(session, import_id))
