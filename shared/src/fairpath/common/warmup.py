"""Warming a service process up before it reports ready, so that its first request is as fast as the next.

A fresh process otherwise pays on its first requests what it loads or opens lazily: the ORM's mappers
configured on first use, anyio's backend and worker thread (imported and started by the first request that runs
code in a thread), the database connections of its pool, the reference data validation reads (ISO 639
languages, ISCO-08 occupations) and whatever the service itself keeps for first use (a cipher's keys, say).
`warm_up` does all of that in the app's lifespan, after the database is migrated and before the server listens,
then each service's own `Warm` functions; the app records what was warmed on `app.state.warmed`."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import QueuePool

from fairpath.common.db import Database
from fairpath.common.occupations import isco08
from fairpath.common.reference import is_language_tag

log = logging.getLogger("fairpath.warmup")

# A service's own warming, run after the common one: loads what its write paths would load on first use.
Warm = Callable[[FastAPI], Awaitable[None]]

# Connections opened (and left in the pool) before ready: one for each of a few requests arriving at once.
POOL_CONNECTIONS = 4


@dataclass(frozen=True)
class Warmed:
    """What a process warmed before it reported ready."""

    pool_connections: int
    service_warms: tuple[str, ...]
    duration_ms: int


async def warm_up(app: FastAPI, warms: Sequence[Warm] = ()) -> Warmed:
    """The common warming, then the service's own, in order. Recorded on `app.state.warmed`."""
    started = time.perf_counter()
    configure_mappers()
    # Runs in anyio's worker thread: imports its backend and starts the thread the first request would.
    await anyio.to_thread.run_sync(load_reference_data)
    opened = await fill_pool(app.state.database, POOL_CONNECTIONS)
    for warm in warms:
        await warm(app)
    warmed = Warmed(
        pool_connections=opened,
        service_warms=tuple(getattr(w, "__name__", repr(w)) for w in warms),
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    app.state.warmed = warmed
    log.info("warmed up", extra={"duration_ms": warmed.duration_ms})
    return warmed


def load_reference_data() -> None:
    """The reference lists loaded on first use: ISCO-08 occupations, ISO 639 languages and ISO 15924 scripts
    (countries and currencies are loaded when fairpath.common.reference is imported)."""
    isco08()
    is_language_tag("en-Latn-GB")


async def fill_pool(database: Database, connections: int) -> int:
    """Open `connections` connections at once and give them back to the pool, which keeps them for the first
    requests (no statement: a write transaction each would queue behind the others on SQLite). Returns how many
    the pool holds. A pool that keeps no connections apart (an in-memory SQLite database's one) is only pinged."""
    pool = database.engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        await database.ping()
        return 0
    async with AsyncExitStack() as stack:
        await asyncio.gather(*(stack.enter_async_context(database.engine.connect()) for _ in range(connections)))
    return pool.checkedin()
