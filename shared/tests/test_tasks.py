"""A background task stops when asked even when what it awaits swallows the cancellation, as Python 3.11's
`asyncio.wait_for` and nats-py's `next_msg` on a closed connection do; and a stop never hangs a shutdown."""

import asyncio
import logging

from fairpath.common.tasks import repeat, stop_task


def supervised_loop(swallowed: list[int], swallow: int, entered: asyncio.Event):
    """A loop like the event consumer's: it restarts after any failure, and its first `swallow` cancellations
    come back to it as an ordinary error (what nats-py raises when the connection closed meanwhile)."""

    async def run() -> None:
        while True:
            try:
                try:
                    entered.set()
                    await asyncio.Event().wait()  # a fetch that never answers
                except asyncio.CancelledError:
                    if len(swallowed) < swallow:
                        swallowed.append(1)
                        raise ConnectionError("connection closed") from None
                    raise
            except ConnectionError:
                continue  # "consumer loop failed; restarting"

    return run


async def test_a_loop_that_swallows_cancellations_is_still_stopped():
    swallowed: list[int] = []
    entered = asyncio.Event()
    task = asyncio.create_task(supervised_loop(swallowed, swallow=3, entered=entered)())
    await entered.wait()
    await stop_task(task, timeout=10)
    assert task.done() and task.cancelled()
    assert len(swallowed) == 3  # it ran on after each of three cancellations, and the fourth ended it


async def test_a_task_that_never_ends_makes_the_stop_give_up_with_a_warning_not_hang(caplog):
    gate, entered = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        while not gate.is_set():
            try:
                entered.set()
                await gate.wait()
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn(), name="stubborn")
    await entered.wait()
    with caplog.at_level(logging.WARNING, logger="fairpath.tasks"):
        await asyncio.wait_for(stop_task(task, timeout=0.5), timeout=5)
    assert not task.done()
    assert [r.task for r in caplog.records if r.getMessage() == "background task did not stop in time"] == ["stubborn"]
    gate.set()
    await stop_task(task)
    assert task.done()


async def test_a_task_that_ended_with_an_error_is_logged_and_the_stop_goes_on(caplog):
    async def failing() -> None:
        raise RuntimeError("boom")

    task = asyncio.create_task(failing(), name="failing")
    await asyncio.wait({task})
    with caplog.at_level(logging.WARNING, logger="fairpath.tasks"):
        await stop_task(task)
    assert [(r.task, r.error) for r in caplog.records] == [("failing", "RuntimeError")]


async def test_stopping_no_task_is_a_no_op():
    await stop_task(None)


async def test_a_repeated_job_outlives_its_failures_and_runs_at_once_while_work_waits(caplog):
    rounds: list[str] = []
    backlog = [3]  # three batches of work, then nothing
    done = asyncio.Event()

    async def job() -> bool:
        rounds.append("round")
        if len(rounds) == 1:
            raise RuntimeError("the database was away")
        if backlog[0]:
            backlog[0] -= 1
            return True  # more waits: the next round at once, not after an hour
        done.set()
        return False

    with caplog.at_level(logging.WARNING, logger="fairpath.tasks"):
        task = asyncio.create_task(repeat(job, every=0.05, name="batches"))
        await asyncio.wait_for(done.wait(), timeout=10)
        await stop_task(task)
    assert len(rounds) == 5  # the failed round, three batches, the round that found nothing
    assert [(r.task, r.error) for r in caplog.records] == [("batches", "RuntimeError")]


async def test_a_job_that_waits_first_does_not_run_at_start():
    ran, probe_ran = asyncio.Event(), asyncio.Event()

    async def job() -> None:
        ran.set()

    async def probe() -> None:
        probe_ran.set()

    # Started together, the first task reaches its first wait before the second runs its job at once.
    waiting = asyncio.create_task(repeat(job, every=3600, name="hourly", wait_first=True))
    at_once = asyncio.create_task(repeat(probe, every=3600, name="probe"))
    await asyncio.wait_for(probe_ran.wait(), timeout=10)
    assert not ran.is_set()
    await asyncio.gather(stop_task(waiting), stop_task(at_once))
