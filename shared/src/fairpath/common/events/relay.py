"""The outbox relay: publishes committed events to JetStream and marks them sent after the ack.

Two ways in. The events a transaction of this process records are handed to the relay as it commits
(`Database.committed_events`) and published at once, from memory: their rows were written leased to this
relay (`HANDOFF_LEASE`), so no relay polls them meanwhile, and a crash before the publish leaves them to the
next relay that looks once the lease has passed. Every other event (a retry, one another process wrote, one
left by a crash) is found by polling the table: a batch is claimed in a short transaction (its rows'
`next_attempt_at` set past the time a publish can take, the lease) and published.

Either way it never holds the database while it waits on the broker: the publish runs with no connection held,
then the outcome is settled in a short transaction of its own. Safe with several replicas: on PostgreSQL the
claim skips rows another relay has locked (FOR UPDATE SKIP LOCKED) and the lease keeps them away afterwards; on
SQLite the write lock serialises claims. A crash between publish and settle re-publishes after the lease with
the same `Nats-Msg-Id`, which JetStream deduplicates (and consumers' inboxes catch past the window).
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from opentelemetry.trace import Tracer
from sqlalchemy import ColumnElement, Row, Table, and_, or_, select, update

from fairpath.common.db import Database
from fairpath.common.events.broker import Broker
from fairpath.common.events.metrics import RELAY_FAILURES, RELAY_PUBLISHED
from fairpath.common.events.outbox import PendingEvent
from fairpath.common.tasks import stop_task
from fairpath.common.timeutil import utcnow
from fairpath.common.tracing import mark_failed, publish_spans

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
        tracer: Tracer | None = None,
    ) -> None:
        self.database = database
        self.outbox = outbox
        self.broker = broker
        self.service = service
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.max_idle_interval = max_idle_interval
        self.ack_timeout = ack_timeout
        # Set when tracing is on: each publish is a span in the trace its event carries.
        self.tracer = tracer
        # A publish takes at most two ack timeouts (submitting, then waiting for the acks).
        self.lease_seconds = 3 * ack_timeout
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        # Events committed by this process, waiting for the relay's next turn (`take`).
        self._handed: list[PendingEvent] = []

    def take(self, events: list[PendingEvent]) -> None:
        """Publish these committed events soon: called by the database as a transaction that recorded them commits."""
        self._handed.extend(events)
        self._wake.set()

    async def relay_handed(self) -> int:
        """Publish a batch of the events handed over; return how many were acknowledged. While the broker is away
        they are settled as failed at once, so that they are due again as soon as it is back (`retry_backlog_now`)."""
        rows, self._handed = self._handed[: self.batch_size], self._handed[self.batch_size :]
        if not rows:
            return 0
        if self.broker.connected and self.broker.js is not None:
            results = await self._publish(self.broker.js, rows)
        else:
            results = [ConnectionError("no broker")] * len(rows)
        return await self._settle(rows, results)

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
        spans = publish_spans(self.tracer, [(row.subject, row.body) for row in rows]) if self.tracer else None

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
        if spans is not None:
            for span, result in zip(spans, results, strict=True):
                if isinstance(result, BaseException):
                    mark_failed(span, result)
                span.end()
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
        """Publish what is handed over as it comes; poll the table when idle, more often after it found events."""
        loop = asyncio.get_running_loop()
        interval = self.idle_interval
        next_poll = 0.0
        was_connected = False
        while True:
            try:
                connected = self.broker.connected
                if connected and not was_connected:
                    await self.retry_backlog_now()
                was_connected = connected
                if self._handed:
                    await self.relay_handed()
                if connected and loop.time() >= next_poll:
                    polled = await self.relay_once()
                    interval = self.idle_interval if polled else min(self.max_idle_interval, interval * 1.5)
                    next_poll = loop.time() + (0 if polled else interval)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the relay must outlive any one failure
                log.warning("relay batch failed", extra={"error": type(exc).__name__})
                interval = min(self.max_idle_interval * 4, interval * 2)
                next_poll = loop.time() + interval
            if self._handed or (connected and next_poll <= loop.time()):
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=next_poll - loop.time() if connected else interval)

    def start(self) -> None:
        """Run, and take the events this process's transactions commit."""
        self.database.committed_events = self.take
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop taking events and running; what was handed over and not yet published is published now (a
        process that stops in order leaves nothing waiting for its lease to run out), within the ack timeout."""
        if self.database.committed_events == self.take:
            self.database.committed_events = None
        await stop_task(self._task)
        self._task = None
        if self._handed and self.broker.connected:
            try:
                async with asyncio.timeout(self.ack_timeout):
                    while self._handed:
                        await self.relay_handed()
            except Exception as exc:  # noqa: BLE001 - a stop goes on; the rows are published after their lease
                log.warning("handed events left for the next relay", extra={"error": type(exc).__name__})
