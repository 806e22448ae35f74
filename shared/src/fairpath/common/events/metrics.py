"""Prometheus metrics of the event machinery: what the relay publishes or fails to, how each consumer handles
events, and, read when `/metrics` is scraped (never on a request's path), the outbox's backlog and the age of its
oldest unsent event, each consumer's pending and redelivered messages on JetStream, and its dead letters."""

import logging
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Table, func, select

from fairpath.common import services
from fairpath.common.db import Database
from fairpath.common.events.broker import Broker
from fairpath.common.timeutil import utcnow

log = logging.getLogger("fairpath.events.metrics")

# One refresh of the gauges read at scrape time.
Refresh = Callable[[], Awaitable[None]]

RELAY_PUBLISHED = Counter(
    "fairpath_outbox_published_total", "Events the relay published and JetStream acked", ["service"]
)
RELAY_FAILURES = Counter(
    "fairpath_outbox_publish_failures_total", "Events a publish failed for (retried after a backoff)", ["service"]
)
OUTBOX_BACKLOG = Gauge("fairpath_outbox_backlog", "Committed events not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "fairpath_outbox_oldest_age_seconds", "Age of the oldest committed event not yet published (0: none)", ["service"]
)
EVENTS_HANDLED = Counter(
    "fairpath_events_handled_total",
    "Events a consumer took: applied, duplicate (seen before), ignored (not its type), failed (to be retried) or "
    "dead_lettered",
    ["consumer", "outcome"],
)
EVENT_HANDLING = Histogram(
    "fairpath_event_handling_seconds",
    "Time to handle one event, its transaction included",
    ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
CONSUMER_PENDING = Gauge(
    "fairpath_consumer_pending", "Messages on the stream the consumer has not yet taken", ["consumer"]
)
CONSUMER_ACK_PENDING = Gauge(
    "fairpath_consumer_ack_pending", "Messages the consumer took and has not acknowledged yet", ["consumer"]
)
CONSUMER_REDELIVERED = Gauge(
    "fairpath_consumer_redelivered", "Messages delivered to the consumer more than once, not yet acked", ["consumer"]
)
DEAD_LETTERS = Gauge("fairpath_dead_letters", "Events parked on the dead-letter stream for a consumer", ["consumer"])


def outbox_refresh(database: Database, outbox: Table, service: str) -> Refresh:
    async def refresh() -> None:
        async with database.session(read_only=True) as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
                )
            ).one()
        OUTBOX_BACKLOG.labels(service).set(count)
        OUTBOX_OLDEST_AGE.labels(service).set(0 if oldest is None else (utcnow() - oldest).total_seconds())

    return refresh


def consumers_refresh(broker: Broker, consumers: Sequence[tuple[str, str]]) -> Refresh:
    """`consumers`: (stream, durable name) of each of the service's consumers."""

    async def refresh() -> None:
        if broker.js is None or not broker.connected:
            return
        for stream, name in consumers:
            info = await broker.js.consumer_info(stream, name, timeout=1.0)
            CONSUMER_PENDING.labels(name).set(info.num_pending or 0)
            CONSUMER_ACK_PENDING.labels(name).set(info.num_ack_pending or 0)
            CONSUMER_REDELIVERED.labels(name).set(info.num_redelivered or 0)
        parked = await broker.js.stream_info(services.DLQ_STREAM, subjects_filter=f"{services.DLQ_SUBJECT_PREFIX}>")
        subjects = parked.state.subjects or {}
        for _, name in consumers:
            DEAD_LETTERS.labels(name).set(subjects.get(f"{services.DLQ_SUBJECT_PREFIX}{name}", 0))

    return refresh
