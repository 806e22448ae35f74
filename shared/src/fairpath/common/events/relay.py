"""The outbox relay: publishes committed events to JetStream and marks them sent after the ack.

Safe with several replicas: on PostgreSQL each batch is claimed with
FOR UPDATE SKIP LOCKED; on SQLite the write lock (BEGIN IMMEDIATE) serialises relays.
A crash between publish and mark re-publishes with the same `Nats-Msg-Id`, which
JetStream deduplicates (and consumers' inboxes catch past the window).
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import Table, or_, select, update

from fairpath.common.db import Database
from fairpath.common.events.broker import Broker
from fairpath.common.timeutil import utcnow

log = logging.getLogger("fairpath.events.relay")

MAX_BACKOFF_SECONDS = 60.0


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        outbox: Table,
        broker: Broker,
        *,
        batch_size: int = 1000,
        idle_interval: float = 0.05,
        max_idle_interval: float = 0.5,
        ack_timeout: float = 10.0,
    ) -> None:
        self.database = database
        self.outbox = outbox
        self.broker = broker
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_idle_interval = max_idle_interval
        self.ack_timeout = ack_timeout
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Publish soon: called after a commit that wrote events."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch; return how many events were acknowledged."""
        js = self.broker.js
        assert js is not None
        now = utcnow()
        pending = (
            select(self.outbox.c.id)
            .where(self.outbox.c.sent_at.is_(None))
            .where(or_(self.outbox.c.next_attempt_at.is_(None), self.outbox.c.next_attempt_at <= now))
            .limit(1)
        )
        # Look before taking the write lock, so an idle relay never blocks writers.
        async with self.database.session(read_only=True) as session:
            if (await session.execute(pending)).first() is None:
                return 0
        async with self.database.session() as session:
            query = (
                select(self.outbox.c.id, self.outbox.c.subject, self.outbox.c.body, self.outbox.c.attempts)
                .where(self.outbox.c.sent_at.is_(None))
                .where(or_(self.outbox.c.next_attempt_at.is_(None), self.outbox.c.next_attempt_at <= now))
                .order_by(self.outbox.c.id)
                .limit(self.batch_size)
            )
            if not self.database.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            results = await self._publish(js, rows)
            sent = [row.id for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
            if sent:
                for chunk in range(0, len(sent), 500):
                    await session.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id.in_(sent[chunk : chunk + 500]))
                        .values(sent_at=utcnow())
                    )
            for row, result in zip(rows, results, strict=True):
                if isinstance(result, BaseException):
                    delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2**row.attempts)
                    await session.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id == row.id)
                        .values(
                            attempts=row.attempts + 1,
                            next_attempt_at=now + timedelta(seconds=delay),
                            last_error=type(result).__name__,
                        )
                    )
            if len(sent) < len(rows):
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

    async def run(self) -> None:
        interval = self.idle_interval
        while True:
            try:
                published = await self.relay_once() if self.broker.connected else 0
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
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
