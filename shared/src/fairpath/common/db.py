"""The async database: SQLModel over SQLAlchemy's async engine, SQLite embedded or PostgreSQL.

SQLite runs in WAL mode with a busy timeout; transactions that write begin
IMMEDIATE so that two writers queue on the lock instead of failing half-way.
A session opened read-only runs each statement on its own on SQLite (no BEGIN, a round trip to the
driver's thread saved per request): like a PostgreSQL transaction at its default READ COMMITTED, each
statement sees what was committed when it started, and it never takes the write lock. It may not write:
a statement that would is refused (`ReadOnlySessionError`).

PostgreSQL may be away (a restart, a failover, the network): a connection is tested before each use
(`pool_pre_ping`), a new one is given up on after `FAIRPATH_DATABASE_CONNECT_TIMEOUT_SECONDS`, a free one in the
pool is waited for at most `FAIRPATH_DATABASE_POOL_TIMEOUT_SECONDS`, and a connection that cannot be made raises
`DatabaseUnavailable` (a 503 problem), so a request fails fast and the service serves again, without a
restart, as soon as the database answers.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import DateTime, Executable, Row, String, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util.concurrency import await_only, in_greenlet
from sqlmodel import SQLModel

from fairpath.common.errors import DatabaseUnavailable
from fairpath.common.timeutil import as_utc

READ_ONLY = "fairpath_read_only"
# A write session whose transaction goes before the other waiting writers (SQLite; `Database.session(ahead=True)`).
AHEAD = "fairpath_ahead"
# How long a writer waits for SQLite's write lock before it gives up.
SQLITE_BUSY_SECONDS = 30
# What a read-only session may run on SQLite (statements are checked by their first word).
_READING = ("SELECT", "WITH", "PRAGMA", "EXPLAIN", "VALUES")


class ReadOnlySessionError(RuntimeError):
    """A read-only session was asked to write: the route or job should open a write session."""


# The events a session recorded in its outbox (fairpath.common.events.outbox), handed to the process's outbox
# relay once the session commits; and whether a relay takes them (so their rows are leased to it).
EVENTS_WRITTEN = "fairpath_events_written"
HANDED_TO_RELAY = "fairpath_handed_to_relay"


def new_base() -> type[SQLModel]:
    """A SQLModel base with a MetaData of its own: one per service, so tables never clash."""

    class ServiceModel(SQLModel, registry=registry()):
        pass

    return ServiceModel


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class DatabaseSettings(BaseSettings):
    """How long a process waits on PostgreSQL before it gives up (FAIRPATH_DATABASE_...): a request while the
    database is unreachable is answered 503 within about the connect timeout."""

    model_config = SettingsConfigDict(env_prefix="FAIRPATH_DATABASE_", extra="ignore")

    # Making a connection (TCP, TLS, authentication): milliseconds on a healthy network.
    connect_timeout_seconds: float = Field(default=1.5, gt=0, le=60)
    # Waiting for a free connection when every one of the pool's is in use.
    pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)


# Connection failures asyncpg raises as they are (SQLAlchemy wraps only DB-API errors): the server is away,
# starting, shutting down or full.
_UNREACHABLE = (
    OSError,  # refused, reset, no route; TimeoutError (the connect timeout) is one too
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
)


def make_engine(url: str, *, writers: "WriterQueue | None" = None, **kwargs: Any) -> AsyncEngine:
    """The async engine; on SQLite its write transactions take their turns in `writers` (a queue of their own
    when not given)."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS}, **kwargs)
        _configure_sqlite(engine, writers or WriterQueue())
        return engine
    limits = DatabaseSettings()
    if "poolclass" not in kwargs:  # a NullPool takes no pool sizes
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", limits.pool_timeout_seconds)
        kwargs.setdefault("pool_pre_ping", True)
    kwargs["connect_args"] = {"timeout": limits.connect_timeout_seconds, **kwargs.get("connect_args", {})}
    engine = create_async_engine(url, **kwargs)
    _report_unreachable(engine)
    return engine


def _report_unreachable(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):  # noqa: ANN001, ANN202
        try:
            return dialect.connect(*cargs, **cparams)
        except _UNREACHABLE as exc:
            raise DatabaseUnavailable("the database is unavailable") from exc


def serving_pool(url: str) -> dict[str, int]:
    """Pool sizes for a service's own long-lived engine. Each aiosqlite connection is a thread: a service keeps
    enough open for a busy moment (16 requests at once) rather than opening and closing an overflow connection,
    a thread each, request after request (measured: a tenth of the gateway's time under 16 connections)."""
    if is_sqlite(url) and ":memory:" not in url:
        return {"pool_size": 20, "max_overflow": 20}
    return {}


def _configure_sqlite(engine: AsyncEngine, writers: "WriterQueue") -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Take transaction control from the driver so BEGIN is ours to issue.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # The DBAPI connections whose write transaction holds the turn; it is given back once the transaction's commit
    # or rollback is done (not before: the next writer's BEGIN IMMEDIATE would find SQLite's lock still held).
    holding: set[int] = set()
    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        options = conn.get_execution_options()
        if options.get(READ_ONLY, False):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if in_greenlet():  # always, through the async engine: its statements run in SQLAlchemy's greenlet
            await_only(writers.take_turn(ahead=options.get(AHEAD, False)))
            holding.add(id(dbapi_connection))
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_turn(dbapi_connection)
            raise

    def _end_turn(connection) -> None:  # noqa: ANN001 - the DBAPI connection, or the pool's proxy of it
        key = id(getattr(connection, "dbapi_connection", connection))
        if key in holding:
            holding.discard(key)
            writers.release()

    def _commit(dbapi_connection) -> None:  # noqa: ANN001
        try:
            commit(dbapi_connection)
        finally:
            _end_turn(dbapi_connection)

    def _rollback(dbapi_connection) -> None:  # noqa: ANN001
        try:
            rollback(dbapi_connection)
        finally:
            _end_turn(dbapi_connection)

    dialect.do_commit, dialect.do_rollback = _commit, _rollback

    @event.listens_for(engine.sync_engine, "checkin")
    @event.listens_for(engine.sync_engine, "invalidate")
    def _returned(dbapi_connection, *_args) -> None:  # noqa: ANN001
        # A connection back in the pool, or thrown away after an error, holds no transaction: nor any turn.
        _end_turn(dbapi_connection)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _reads_only(conn, _cursor, statement: str, _parameters, _context, _executemany: bool) -> None:  # noqa: ANN001
        # Without a BEGIN, a write would commit statement by statement: refused, not half done.
        if conn.get_execution_options().get(READ_ONLY, False) and not statement.lstrip()[:7].upper().startswith(
            _READING
        ):
            raise ReadOnlySessionError(f"a read-only session may not run {statement.split(None, 1)[0]!r}")


class WriterQueue:
    """SQLite's one writer at a time, queued in the process. A writer that finds SQLite's lock taken sleeps in its
    busy handler (1, 2, 5 ... up to 100 ms a try) however soon the lock is free; here each begins as the one before
    it ends. First come first served, except that writers `ahead` go before the waiting others. A write transaction
    takes its turn as it begins (its first statement: a write session that has not run one holds nothing) and gives
    it back as it commits or rolls back, as SQLite's lock is held.

    A task whose write transaction is open and that begins another does not wait for itself here: it meets SQLite's
    own lock, as it would without the queue."""

    def __init__(self) -> None:
        self._holder: asyncio.Task | None = None
        self._depth = 0
        self._ahead: deque[tuple[asyncio.Future, asyncio.Task]] = deque()
        self._others: deque[tuple[asyncio.Future, asyncio.Task]] = deque()

    async def acquire(self, ahead: bool = False) -> None:
        task = asyncio.current_task()
        assert task is not None
        if self._holder is task:
            self._depth += 1
            return
        if self._holder is None and not self._ahead and not self._others:
            self._holder, self._depth = task, 1
            return
        turn = asyncio.get_running_loop().create_future()
        queue = self._ahead if ahead else self._others
        entry = (turn, task)
        queue.append(entry)
        try:
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.release()  # given the turn as the wait was given up: pass it on
            elif entry in queue:
                queue.remove(entry)
            raise

    @property
    def waiting(self) -> int:
        return sum(not turn.done() for queue in (self._ahead, self._others) for turn, _ in queue)

    async def take_turn(self, *, ahead: bool = False) -> None:
        """`acquire`, given up after SQLite's own busy timeout as SQLite would (a 503 problem)."""
        try:
            async with asyncio.timeout(SQLITE_BUSY_SECONDS):
                await self.acquire(ahead)
        except TimeoutError:
            raise DatabaseUnavailable("the database is busy") from None

    def release(self) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        for queue in (self._ahead, self._others):
            while queue:
                turn, task = queue.popleft()
                if not turn.done():
                    self._holder, self._depth = task, 1
                    turn.set_result(None)  # that writer holds it now
                    return
        self._holder, self._depth = None, 0


class Database:
    """One engine and session factory per service process."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        # SQLite's writers of this process, in their turns (None on PostgreSQL).
        self.writers = WriterQueue() if is_sqlite(url) else None
        self.engine = make_engine(url, writers=self.writers, **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self._read_sessions = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._ahead_sessions = async_sessionmaker(
            self.engine.execution_options(**{AHEAD: True}), expire_on_commit=False
        )
        # Set while the process's outbox relay runs: the events a write session recorded, once it committed.
        self.committed_events: Callable[[list], None] | None = None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def session(self, *, read_only: bool = False, ahead: bool = False) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends normally, rolled back otherwise. On SQLite a write session
        waits its turn among the process's writers as it begins (`WriterQueue`); `ahead` puts it before the waiting
        ones that are not (an event consumer's: short, and what other services wait for)."""
        factory = self._read_sessions if read_only else self._ahead_sessions if ahead else self._sessions
        committed_events = None if read_only else self.committed_events
        async with factory() as session:
            if committed_events is not None:
                session.info[HANDED_TO_RELAY] = True
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if committed_events is not None and (events := session.info.get(EVENTS_WRITTEN)):
            committed_events(events)

    async def read_row(self, statement: Executable, params: dict[str, Any]) -> Row | None:
        """One row of a Core statement, or None, read without an ORM session: for the lookups every request
        makes, where building entities and a unit of work was a third of the cost (measured)."""
        async with self._read_engine.connect() as conn:
            return (await conn.execute(statement, params)).one_or_none()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.session(read_only=True) as session:
        yield session


async def _write_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


# The kind of session is part of each route's signature (polar's AsyncReadSession / AsyncSession).
# A read session never takes the write lock; a route that writes anything, an audit entry of a read
# included, declares a write session. Both are committed before the response is sent (scope="function"),
# so a failed commit becomes an error response instead of a lost write.
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]
WriteSessionDep = Annotated[AsyncSession, Depends(_write_session, scope="function")]


class EnumString(TypeDecorator):
    """A StrEnum kept in a VARCHAR column: the database sees the text (no enum type, no migration), the code
    gets the enum's member back on every row it reads, and writing a value outside the enum fails."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: the system stores timezone-aware UTC only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return as_utc(value) if value is not None else None
