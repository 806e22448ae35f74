"""SQLite's writers queue in the process (fairpath.common.db.WriterQueue): each write session begins as the one
before it ends, in the order they came, an event consumer's ahead of the waiting requests; a writer that gives up
waiting leaves the queue, and one given its turn as it gave up passes the turn on."""

import asyncio

from sqlalchemy import text

from fairpath.common.db import Database, WriterQueue
from fairpath.common.testing.nats import wait_until


async def test_sqlite_writers_take_their_turns_in_order_and_those_ahead_go_first(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE turn (n INTEGER PRIMARY KEY AUTOINCREMENT, writer TEXT)"))
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with database.session() as session:
            await session.execute(text("INSERT INTO turn (writer) VALUES ('first')"))
            holding.set()
            await release.wait()

    async def writer(name: str, *, ahead: bool = False) -> None:
        async with database.session(ahead=ahead) as session:
            await session.execute(text("INSERT INTO turn (writer) VALUES (:name)"), {"name": name})

    try:
        holder = asyncio.create_task(first())
        await holding.wait()
        waiting = []
        for name, ahead in [("request 1", False), ("request 2", False), ("consumer", True)]:
            waiting.append(asyncio.create_task(writer(name, ahead=ahead)))
            queued = len(waiting)
            await wait_until(lambda: database.writers.waiting == queued, timeout=5, message=f"{name} in the queue")
        # A reader never waits for the writers: it reads what was committed (not yet the first writer's row).
        async with database.session(read_only=True) as session:
            assert (await session.execute(text("SELECT count(*) FROM turn"))).scalar_one() == 0
        release.set()
        await asyncio.gather(holder, *waiting)
        async with database.session(read_only=True) as session:
            order = (await session.execute(text("SELECT writer FROM turn ORDER BY n"))).scalars().all()
        assert order == ["first", "consumer", "request 1", "request 2"]
    finally:
        await database.dispose()


async def test_a_writer_that_gives_up_waiting_leaves_the_queue_and_the_turn_goes_on():
    queue = WriterQueue()
    await queue.acquire()
    gave_up = asyncio.create_task(queue.acquire())
    next_one = asyncio.create_task(queue.acquire())
    await wait_until(lambda: queue.waiting == 2, timeout=5, message="both writers in the queue")
    gave_up.cancel()
    await asyncio.gather(gave_up, return_exceptions=True)
    queue.release()
    await asyncio.wait_for(next_one, timeout=5)  # the turn skipped the one that left
    queue.release()
    await asyncio.wait_for(queue.acquire(), timeout=5)  # free again


async def test_a_writer_given_its_turn_as_it_gave_up_passes_the_turn_on():
    queue = WriterQueue()
    await queue.acquire()
    late = asyncio.create_task(queue.acquire())
    after = asyncio.create_task(queue.acquire())
    await wait_until(lambda: queue.waiting == 2, timeout=5, message="both writers in the queue")
    queue.release()  # `late` holds the turn now, but is cancelled before it runs
    late.cancel()
    await asyncio.gather(late, return_exceptions=True)
    await asyncio.wait_for(after, timeout=5)


async def test_a_write_session_opened_inside_another_of_the_same_task_does_not_wait_for_it(tmp_path):
    """The ledger audits a refused request in a session of its own after rolling the caller's back."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE refusal (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT)"))
    try:
        async with asyncio.timeout(5):
            async with database.session() as outer:
                await outer.execute(text("INSERT INTO refusal (note) VALUES ('rolled back')"))
                await outer.rollback()
                async with database.session() as own:
                    await own.execute(text("INSERT INTO refusal (note) VALUES ('audited')"))
            # ...and the turn is free again for another task.
            await asyncio.create_task(_write(database, "after"))
        async with database.session(read_only=True) as session:
            notes = (await session.execute(text("SELECT note FROM refusal ORDER BY id"))).scalars().all()
        assert notes == ["audited", "after"]
    finally:
        await database.dispose()


async def _write(database: Database, note: str) -> None:
    async with database.session() as session:
        await session.execute(text("INSERT INTO refusal (note) VALUES (:note)"), {"note": note})


async def test_a_write_session_holds_the_turn_only_once_it_has_begun(tmp_path):
    """A request's write session opens before its work (a screening waiting for a matching worker, say): until its
    first statement it keeps no other writer waiting, as SQLite's own lock would not."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'idle.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE refusal (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT)"))
    try:
        async with asyncio.timeout(5), database.session() as waiting:
            await asyncio.create_task(_write(database, "meanwhile"))
            await waiting.execute(text("INSERT INTO refusal (note) VALUES ('then')"))
        async with database.session(read_only=True) as session:
            notes = (await session.execute(text("SELECT note FROM refusal ORDER BY id"))).scalars().all()
        assert notes == ["meanwhile", "then"]
    finally:
        await database.dispose()


async def test_a_connection_thrown_away_in_a_transaction_gives_back_its_turn(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'invalid.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE refusal (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT)"))
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text("INSERT INTO refusal (note) VALUES ('lost')"))
            await conn.invalidate()  # as after an error the driver cannot recover from
        async with asyncio.timeout(5):
            await _write(database, "next")
        assert database.writers.waiting == 0
    finally:
        await database.dispose()
