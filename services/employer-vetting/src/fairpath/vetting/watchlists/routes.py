"""HTTP routes of the watchlists domain: admins keep the lists; the operator's officers and auditors read them.

Loading a list (`POST /v1/watchlists/{id}/imports`) re-screens businesses against what it changed, so its
route is screening's (screening/routes.py): the watchlists domain knows nothing of screening."""

import uuid

from fastapi import APIRouter, status

from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.vetting.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.vetting.watchlists import service
from fairpath.vetting.watchlists.auth import WatchlistKeeper, WatchlistReader
from fairpath.vetting.watchlists.schemas import WatchlistCreate, WatchlistImportPublic, WatchlistPublic
from fairpath.vetting.watchlists.service import DuplicateWatchlist

router = APIRouter(tags=["watchlists"], responses=PROBLEM_RESPONSES)


@router.post(
    "/v1/watchlists",
    status_code=status.HTTP_201_CREATED,
    response_model=WatchlistPublic,
    summary="Create a watchlist (sanctions, debarment or the operator's own blocklist)",
    responses=problems(DuplicateWatchlist),
)
async def create_watchlist(
    body: WatchlistCreate, session: WriteSessionDep, ledger: LedgerDep, principal: WatchlistKeeper
) -> WatchlistPublic:
    return service.present(
        await service.create_watchlist(session=session, ledger=ledger, principal=principal, data=body), 0
    )


@router.get("/v1/watchlists", response_model=Page[WatchlistPublic], summary="The watchlists")
async def list_watchlists(
    session: ReadSessionDep, _: WatchlistReader, cursor: CursorParam = None, limit: LimitParam = 50
) -> Page[WatchlistPublic]:
    rows = await service.list_watchlists(session, after=decode_cursor(cursor), limit=limit + 1)
    counts = await service.entry_counts(session, [w.id for w in rows[:limit]])
    items = [service.present(w, counts.get(w.id, 0)) for w in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/watchlists/{watchlist_id}",
    response_model=WatchlistPublic,
    summary="One watchlist",
    responses=problems(NotFound),
)
async def get_watchlist(watchlist_id: uuid.UUID, session: ReadSessionDep, _: WatchlistReader) -> WatchlistPublic:
    watchlist = await service.get_watchlist(session, watchlist_id)
    return service.present(watchlist, (await service.entry_counts(session, [watchlist.id])).get(watchlist.id, 0))


@router.get(
    "/v1/watchlists/{watchlist_id}/imports",
    response_model=Page[WatchlistImportPublic],
    summary="A watchlist's imports, newest first",
    responses=problems(NotFound),
)
async def list_imports(
    watchlist_id: uuid.UUID,
    session: ReadSessionDep,
    _: WatchlistReader,
    cursor: CursorParam = None,
    limit: LimitParam = 20,
) -> Page[WatchlistImportPublic]:
    rows = await service.imports_of(session, watchlist_id, after=decode_cursor(cursor), limit=limit + 1)
    items = [await service.present_import(session, job) for job in rows[:limit]]
    return Page.of(items, more=len(rows) > limit)


@router.get(
    "/v1/imports/{import_id}",
    response_model=WatchlistImportPublic,
    summary="An import job: progress, loaded and rejected counts, bad lines with their numbers",
    responses=problems(NotFound),
)
async def get_import(import_id: uuid.UUID, session: ReadSessionDep, _: WatchlistReader) -> WatchlistImportPublic:
    return await service.present_import(session, await service.get_import(session, import_id))
