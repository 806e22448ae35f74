"""Loading a watchlist, then re-screening businesses against the entries the load changed: the watchlists
domain loads, the screening domain re-screens, and this flow (above both) runs one after the other."""

from collections.abc import AsyncIterator

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.ledger import Ledger
from fairpath.vetting.screening.service import rescreen_after_list_change
from fairpath.vetting.watchlists import service as watchlists
from fairpath.vetting.watchlists.tables import WatchlistImport


async def load_watchlist(
    database: Database,
    ledger: Ledger,
    *,
    job: WatchlistImport,
    principal: Principal,
    chunks: AsyncIterator[bytes],
    threshold: float,
) -> WatchlistImport:
    """Load the upload into the list (batch by batch), then re-screen against what it changed, if anything."""
    job = await watchlists.run_import(database, ledger, job=job, principal=principal, chunks=chunks)
    if watchlists.changed_the_list(job):
        businesses, hits = await rescreen_after_list_change(
            database, ledger, import_id=job.id, actor=principal.actor, threshold=threshold
        )
        await watchlists.record_rescreening(database, job, businesses=businesses, hits=hits)
    return job
