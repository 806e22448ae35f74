"""Background tasks that stop when asked: the relay, the consumers, the clock follower and the scheduled jobs.

One cancellation is not always enough. On Python 3.11, `asyncio.wait_for` (used throughout nats-py) returns
its inner result when a cancellation lands just as that result arrives, and nats-py turns a cancellation
into `ConnectionClosedError` when the connection is closed; a loop that carries on after either never ends,
and a shutdown waiting for it hangs. So a stop cancels again until the task has ended, and after a bound
gives up with a warning rather than hold the process."""

import asyncio
import logging

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
