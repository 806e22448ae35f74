"""Loading a watchlist, then re-screening businesses against the entries the load changed: the watchlists
domain loads, the screening domain re-screens, and this flow (above both) runs one after the other.

The import's request answers once the list is loaded; the re-screening runs in the background
(`BackgroundRescreening`), its matching off the event loop and each business in a short transaction of
its own, so requests meanwhile are not held up. The job shows it (`rescreening`: pending, running,
completed). A re-screening cut short (the process stopped) is taken up again by the scheduled jobs
(`resume_stalled_rescreenings`), where it stopped."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.ledger import Ledger
from fairpath.common.tasks import stop_task
from fairpath.common.timeutil import utcnow
from fairpath.vetting.screening.service import rescreen_after_list_change, rescreening_counts
from fairpath.vetting.watchlists import service as watchlists
from fairpath.vetting.watchlists.schemas import RescreeningStatus
from fairpath.vetting.watchlists.tables import WatchlistImport

log = logging.getLogger("fairpath.vetting.screening")

# A re-screening that has shown no progress for this long was cut short: the scheduled jobs take it up again.
STALLED_AFTER = timedelta(minutes=10)


async def load_watchlist(
    database: Database,
    ledger: Ledger,
    *,
    job: WatchlistImport,
    principal: Principal,
    chunks: AsyncIterator[bytes],
) -> WatchlistImport:
    """Load the upload into the list (batch by batch). When it changed the list, the job's re-screening is
    `pending`: hand the job to `BackgroundRescreening.start` (or run `rescreen_after_import`)."""
    return await watchlists.run_import(database, ledger, job=job, principal=principal, chunks=chunks)


async def rescreen_after_import(
    database: Database,
    ledger: Ledger,
    *,
    import_id: uuid.UUID,
    actor: str,
    threshold: float,
    stale_before: timedelta | None = None,
) -> bool:
    """Re-screen businesses against what an import changed, if this caller claims the job's re-screening
    (pending, or stalled with `stale_before`); the job's counts follow page by page. True when it ran."""
    stale = utcnow() - stale_before if stale_before is not None else None
    if not await watchlists.claim_rescreening(database, import_id, stale_before=stale):
        return False
    # Taken up again after a stop: what was recorded before counts too.
    base_businesses, base_hits = await rescreening_counts(database, import_id)

    async def progress(businesses: int, hits: int) -> None:
        await watchlists.record_rescreening(
            database,
            import_id,
            businesses=base_businesses + businesses,
            hits=base_hits + hits,
            status=RescreeningStatus.running,
        )

    try:
        businesses, hits = await rescreen_after_list_change(
            database, ledger, import_id=import_id, actor=actor, threshold=threshold, on_page=progress
        )
    except asyncio.CancelledError:
        raise  # left running: taken up again once it counts as stalled
    except Exception:
        log.exception("re-screening after an import failed", extra={"record_id": str(import_id)})
        await watchlists.record_rescreening(
            database,
            import_id,
            businesses=base_businesses,
            hits=base_hits,
            status=RescreeningStatus.failed,
        )
        raise
    await watchlists.record_rescreening(
        database,
        import_id,
        businesses=base_businesses + businesses,
        hits=base_hits + hits,
        status=RescreeningStatus.completed,
    )
    return True


async def resume_stalled_rescreenings(database: Database, ledger: Ledger, *, threshold: float) -> int:
    """The scheduled jobs' part: re-screenings pending or running with no progress for STALLED_AFTER (their
    process stopped) are run again, where they stopped. Returns how many ran."""
    resumed = 0
    for import_id in await watchlists.stalled_rescreenings(database, stale_before=utcnow() - STALLED_AFTER):
        resumed += await rescreen_after_import(
            database,
            ledger,
            import_id=import_id,
            actor="system:vetting",
            threshold=threshold,
            stale_before=STALLED_AFTER,
        )
    return resumed


class BackgroundRescreening:
    """The re-screenings the app's imports started, each in a task of its own; stopped with the app (a
    re-screening cut short stays `running` and is taken up again by the scheduled jobs)."""

    def __init__(self, database: Database, ledger: Ledger, *, threshold: float) -> None:
        self.database = database
        self.ledger = ledger
        self.threshold = threshold
        self._tasks: set[asyncio.Task] = set()

    def start(self, job: WatchlistImport, actor: str) -> None:
        if job.rescreening != RescreeningStatus.pending:
            return
        task = asyncio.create_task(self._run(job.id, actor), name=f"rescreening-{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, import_id: uuid.UUID, actor: str) -> None:
        with contextlib.suppress(Exception):  # logged, and the job says failed
            await rescreen_after_import(
                self.database, self.ledger, import_id=import_id, actor=actor, threshold=self.threshold
            )

    async def stop(self) -> None:
        await asyncio.gather(*(stop_task(task) for task in list(self._tasks)))
