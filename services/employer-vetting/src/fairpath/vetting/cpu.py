"""Where the vetting service's CPU-heavy work runs: a screening's matching (candidate retrieval and
logic-v2's scoring) and an import's batches (parsing, keys, writing) go to worker processes, so that the
event loop keeps answering requests (`/healthz` included) meanwhile.

Processes, not threads: the matcher (nomenklatura over rigour) gives the GIL up and takes it back many
times a millisecond, and a thread waiting for it meanwhile, the loop's, may wait a hundred milliseconds
and more (measured here: a ticker thread starved for up to 190 ms beside one thread scoring); a process
has a GIL of its own. Each worker loads logic-v2's name data once (about 400 MB, 7 to 31 s): in its
initializer when the service warms up (before it reports ready; a worker still warming takes no work),
else on its first comparison. FAIRPATH_VETTING_MATCHING_PROCESSES sizes the pool: one process beside the
loop uses a second core; more help on more cores, at 400 MB or so each.

The app opens the pool for its lifetime (`worker_pool`); outside an app (a benchmark, a script) the work
goes to the loop's default thread executor: off the loop's thread either way. Workers are spawned, not
forked: a script that starts the app itself needs the usual `if __name__ == "__main__":` guard. A worker
that dies (killed for memory, say) breaks the pool: the next call starts a new one. Work that reads or
writes the database there opens it in the worker (`run_apart`).
"""

import asyncio
import contextlib
import functools
import multiprocessing
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

from sqlalchemy.pool import NullPool

from fairpath.common.db import Database

P = ParamSpec("P")
T = TypeVar("T")

# A fork of a process that runs threads (the database driver's) may copy a lock held mid-way: spawn.
_CONTEXT = multiprocessing.get_context("spawn")


def _ready() -> bool:
    return True


class WorkerPool:
    """Worker processes with the work submitted to them; `in_flight` counts what was submitted and has not
    come back (a screening waiting for a worker included)."""

    def __init__(self, processes: int, *, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        self.processes = processes
        self._initializer, self._initargs = initializer, initargs
        self._executor = self._new_executor()
        self.in_flight = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes, mp_context=_CONTEXT, initializer=self._initializer, initargs=self._initargs
        )

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in a worker (a module-level function; arguments and result pickled)."""
        self.in_flight += 1
        try:
            for attempt in range(2):
                executor = self._executor
                try:
                    return await asyncio.wrap_future(executor.submit(fn, *args, **kwargs))
                except BrokenProcessPool:
                    if attempt:
                        raise
                    if self._executor is executor:  # the first to notice starts a new pool
                        executor.shutdown(wait=False, cancel_futures=True)
                        self._executor = self._new_executor()
            raise AssertionError("unreachable")
        finally:
            self.in_flight -= 1

    async def start(self) -> None:
        """Start every worker now; returns once one has run its initializer (the warm-up) and so takes work."""
        await asyncio.gather(*(self.run(_ready) for _ in range(self.processes)))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


# The pools the apps of this process opened, latest last (a test session runs several apps in one process).
_pools: list[WorkerPool] = []


@contextlib.contextmanager
def worker_pool(
    processes: int, *, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> Iterator[WorkerPool]:
    pool = WorkerPool(processes, initializer=initializer, initargs=initargs)
    _pools.append(pool)
    try:
        yield pool
    finally:
        _pools.remove(pool)
        pool.close()


async def off_loop(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in the app's worker processes, awaited without holding the loop; outside an app
    in the loop's default thread executor."""
    if _pools:
        return await _pools[-1].run(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args, **kwargs))


# What work run in a worker (a process, or a thread of the default executor outside an app) reads and writes
# the database with: an event loop of its own, kept from call to call, and its own connections.
_apart = threading.local()


def run_apart(database_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """`work(database)` to its end, in this worker, with the service's database opened here: a connection
    per session, closed after it (nothing is left open when the worker exits)."""
    loop = getattr(_apart, "loop", None)
    if loop is None:
        loop = _apart.loop = asyncio.new_event_loop()
        _apart.databases = {}
    databases: dict[str, Database] = _apart.databases
    if database_url not in databases:
        databases[database_url] = Database(database_url, poolclass=NullPool)
    return loop.run_until_complete(work(databases[database_url]))
