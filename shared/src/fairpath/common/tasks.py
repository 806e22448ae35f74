"""Background tasks that stop when asked: the relay, the consumers, the clock follower and the scheduled jobs
(`repeat`: a job run every so often for as long as the service runs).

One cancellation is not always enough. On Python 3.11, `asyncio.wait_for` (used throughout nats-py) returns
its inner result when a cancellation lands just as that result arrives, and nats-py turns a cancellation
into `ConnectionClosedError` when the connection is closed; a loop that carries on after either never ends,
and a shutdown waiting for it hangs. So a stop cancels again until the task has ended, and after a bound
gives up with a warning rather than hold the process."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

log = logging.getLogger("fairpath.tasks")

STOP_TIMEOUT_SECONDS = 10.0
_RECANCEL_SECONDS = 0.2


async def stop_task(task: asyncio.Task | None, *, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Cancel `task` and wait until it has ended, cancelling again while it runs on, for at most `timeout` s.

    A failure the task ended with is logged, never raised: a stop must go on to stop the rest."""
    if task is None:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not task.done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            log.warning("background task did not stop in time", extra={"task": task.get_name()})
            return
        task.cancel()
        await asyncio.wait({task}, timeout=min(_RECANCEL_SECONDS, remaining))
    if not task.cancelled() and task.exception() is not None:
        log.warning(
            "background task ended with an error",
            extra={"task": task.get_name(), "error": type(task.exception()).__name__},
        )


# A scheduled job: True when it left work for another round at once (a batch of a larger backlog).
Job = Callable[[], Awaitable[bool | None]]


async def repeat(job: Job, *, every: float, name: str, wait_first: bool = False) -> None:
    """Run `job` every `every` seconds, for good: a failure is logged (its type) and the next round tries again; a
    round that says more is waiting runs the next one at once."""
    if wait_first:
        await asyncio.sleep(every)
    while True:
        try:
            again = await job()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            log.warning("scheduled job failed", extra={"task": name, "error": type(exc).__name__})
            again = False
        if not again:
            await asyncio.sleep(every)


def start_repeating(stack: AsyncExitStack, job: Job, *, every: float, name: str, wait_first: bool = False) -> None:
    """`repeat` as a task of the service's lifespan: stopped (`stop_task`) when the service stops."""
    task = asyncio.create_task(repeat(job, every=every, name=name, wait_first=wait_first), name=name)
    stack.push_async_callback(stop_task, task)
