"""The outbox relay: publishes committed events to JetStream and marks them sent after the ack.

It never holds the database while it waits on the broker: a batch is claimed in a short
transaction (its rows' `next_attempt_at` set past the time a publish can take, the lease),
published with no connection held, then settled in another short transaction. Safe with
several replicas: on PostgreSQL the claim skips rows another relay has locked (FOR UPDATE
SKIP LOCKED) and the lease keeps them away afterwards; on SQLite the write lock serialises
claims. A crash between publish and settle re-publishes after the lease with the same
`Nats-Msg-Id`, which JetStream deduplicates (and consumers' inboxes catch past the window).
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Row, Table, and_, or_, select, update

from fairpath.common.db import Database
from fairpath.common.events.broker import Broker
from fairpath.common.events.metrics import RELAY_FAILURES, RELAY_PUBLISHED
from fairpath.common.tasks import stop_task
from fairpath.common.timeutil import utcnow

log = logging.getLogger("fairpath.events.relay")

MAX_BACKOFF_SECONDS = 60.0
# Ids per IN (...) list: well inside every backend's limit on bound parameters.
_CHUNK = 500


def _chunks(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        outbox: Table,
        broker: Broker,
        *,
        service: str = "",
        batch_size: int = 1000,
        idle_interval: float = 0.05,
        max_idle_interval: float = 0.5,
        ack_timeout: float = 10.0,
    ) -> None:
        self.database = database
        self.outbox = outbox
        self.broker = broker
        self.service = service
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_idle_interval = max_idle_interval
        self.ack_timeout = ack_timeout
        # A publish takes at most two ack timeouts (submitting, then waiting for the acks).
        self.lease_seconds = 3 * ack_timeout
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Publish soon: called after a commit that wrote events."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch; return how many events were acknowledged.

        Three steps, and only the first and last touch the database, each in a short transaction of
        its own: claim a batch, publish it with no database connection held (a broker that is slow or
        gone never holds the write lock, so writes commit in their usual time), settle the outcome."""
        js = self.broker.js
        assert js is not None
        rows = await self._claim()
        if not rows:
            return 0
        results = await self._publish(js, rows)
        return await self._settle(rows, results)

    def _due(self, now: datetime) -> ColumnElement[bool]:
        outbox = self.outbox
        return and_(
            outbox.c.sent_at.is_(None), or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now)
        )

    async def _claim(self) -> list[Row]:
        """Take a batch of due events for this relay: their `next_attempt_at` moves past the time a
        publish can take (the lease), so no other relay takes them meanwhile. If this relay dies
        before settling, the lease runs out and another publishes them (deduplicated by Nats-Msg-Id)."""
        now = utcnow()
        # Look before taking the write lock, so an idle relay never blocks writers.
        async with self.database.session(read_only=True) as session:
            if (await session.execute(select(self.outbox.c.id).where(self._due(now)).limit(1))).first() is None:
                return []
        async with self.database.session() as session:
            query = (
                select(self.outbox.c.id, self.outbox.c.subject, self.outbox.c.body, self.outbox.c.attempts)
                .where(self._due(now))
                .order_by(self.outbox.c.id)
                .limit(self.batch_size)
            )
            if not self.database.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.execute(query)).all())
            lease_ends = now + timedelta(seconds=self.lease_seconds)
            for chunk in _chunks([row.id for row in rows]):
                await session.execute(
                    update(self.outbox).where(self.outbox.c.id.in_(chunk)).values(next_attempt_at=lease_ends)
                )
        return rows

    async def _settle(self, rows: list[Row], results: list) -> int:
        """Mark the acknowledged events sent; put the others back for a retry after a backoff."""
        now = utcnow()
        sent = [row.id for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
        failed: dict[tuple[int, str], list] = {}
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed.setdefault((row.attempts, type(result).__name__), []).append(row.id)
        async with self.database.session() as session:
            for chunk in _chunks(sent):
                await session.execute(update(self.outbox).where(self.outbox.c.id.in_(chunk)).values(sent_at=now))
            for (attempts, error), ids in failed.items():
                delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2**attempts)
                for chunk in _chunks(ids):
                    await session.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id.in_(chunk))
                        .values(attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=delay), last_error=error)
                    )
        RELAY_PUBLISHED.labels(self.service).inc(len(sent))
        if failed:
            RELAY_FAILURES.labels(self.service).inc(len(rows) - len(sent))
            log.warning("events not acknowledged; will retry", extra={"count": len(rows) - len(sent)})
        return len(sent)

    async def _publish(self, js, rows) -> list:  # noqa: ANN001
        """Publish a batch; each result is the ack or the exception that stands for it.

        Neither a publish stuck on a dropped connection nor an ack that never comes may hold the
        batch, and its row locks, for longer than the ack timeout."""
        futures: list[asyncio.Future] = []

        async def submit() -> None:
            for row in rows:
                futures.append(await js.publish_async(row.subject, row.body, headers={"Nats-Msg-Id": str(row.id)}))

        try:
            await asyncio.wait_for(submit(), timeout=self.ack_timeout)
        except TimeoutError:
            pass
        if futures:
            await asyncio.wait(futures, timeout=self.ack_timeout)
        results: list = []
        for i in range(len(rows)):
            future = futures[i] if i < len(futures) else None
            if future is None or not future.done():
                if future is not None:
                    future.cancel()
                results.append(TimeoutError())
            else:
                results.append(future.exception() or future.result())
        return results

    async def retry_backlog_now(self) -> None:
        """The broker is back: events that failed while it was away are due at once, not after their backoff."""
        async with self.database.session() as session:
            await session.execute(
                update(self.outbox)
                .where(self.outbox.c.sent_at.is_(None), self.outbox.c.attempts > 0)
                .values(next_attempt_at=None)
            )

    async def run(self) -> None:
        interval = self.idle_interval
        was_connected = False
        while True:
            try:
                connected = self.broker.connected
                if connected and not was_connected:
                    await self.retry_backlog_now()
                was_connected = connected
                published = await self.relay_once() if connected else 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the relay must outlive any one failure
                log.warning("relay batch failed", extra={"error": type(exc).__name__})
                published = 0
                interval = min(self.max_idle_interval * 4, interval * 2)
            if published:
                interval = self.idle_interval
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
            interval = min(self.max_idle_interval, interval * 1.5)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None
