"""The app factory every service uses: the same lifespan, middleware, errors, health and audit."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from fairpath.common import services
from fairpath.common.audit_checkpoints import CheckpointSigner
from fairpath.common.audit_retention import HeldRecords
from fairpath.common.audit_routes import audit_router
from fairpath.common.audit_schedule import start_audit_schedule
from fairpath.common.auth import PrincipalVerifier
from fairpath.common.clock import CLOCK
from fairpath.common.config import CommonSettings, ServiceSettings
from fairpath.common.db import Database, serving_pool
from fairpath.common.errors import install_error_handlers
from fairpath.common.events.broker import Broker
from fairpath.common.events.clock import ClockFollower
from fairpath.common.events.consumer import EventConsumer, Subscription
from fairpath.common.events.metrics import consumers_refresh, outbox_refresh
from fairpath.common.events.relay import OutboxRelay
from fairpath.common.health import health_router
from fairpath.common.ledger import Ledger, LedgerTables
from fairpath.common.logging import configure_logging
from fairpath.common.middleware import RequestContextMiddleware
from fairpath.common.migrations import upgrade
from fairpath.common.tasks import stop_task
from fairpath.common.tracing import start_tracing
from fairpath.common.warmup import Warm, warm_up

# A hook runs after the database is ready and may enter contexts (background tasks) on the stack.
StartupHook = Callable[[FastAPI, AsyncExitStack], Awaitable[None]]


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    fallback_routers: Sequence[APIRouter] = (),
    tables: LedgerTables,
    migrations: Path,
    on_startup: Sequence[StartupHook] = (),
    subscriptions: Sequence[Subscription] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
    audit_hold_scope: Sequence[HeldRecords] = (),
    warm: Sequence[Warm] = (),
) -> FastAPI:
    """A service's app. `audit_hold_scope` names the service's kinds of records that belong to a business, whose
    audit entries a legal hold on the business keeps past their retention (besides the business's own).
    The process warms up (fairpath.common.warmup, then the service's `warm` functions) before it serves, so its
    first write after /readyz is as fast as the next.
    Traced when FAIRPATH_OTLP_ENDPOINT is set (fairpath.common.tracing)."""
    common = settings.common
    service = settings.service_name
    tracing = start_tracing(service, common)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, common.log_level)
        set_clock(common)
        database = Database(settings.database_url, **serving_pool(settings.database_url))
        if tracing is not None:
            tracing.instrument_database(database)
            tracing.instrument_httpx()
        app.state.settings = settings
        app.state.database = database
        app.state.ledger = Ledger(tables, digest_key=common.audit_digest_key.encode(), database=database)
        app.state.principal_verifier = PrincipalVerifier(common.principal_public_key)
        app.state.audit_signer = CheckpointSigner(service, settings.audit_signing_key)
        app.state.audit_hold_scope = tuple(audit_hold_scope)
        app.state.readiness_checks = {"database": database.ping}
        app.state.metrics_refreshes = [outbox_refresh(database, tables.outbox, service)]
        async with AsyncExitStack() as stack:
            if tracing is not None:
                stack.push_async_callback(tracing.shutdown)  # last: what the shutdown did is exported too
            stack.push_async_callback(database.dispose)
            await upgrade(database, migrations)
            if settings.events_enabled:
                await _start_events(app, stack, subscriptions)
            for hook in on_startup:
                await hook(app, stack)
            await start_audit_schedule(app, stack)
            await warm_up(app, warm)  # last: the server listens (and /readyz answers) once the lifespan started
            yield

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan, openapi_tags=openapi_tags)
    app.state.tracing = tracing
    if tracing is not None:
        tracing.instrument_app(app)
    install_error_handlers(app)
    # The gateway answers clients itself; a service answers the gateway, and names its route for the metrics.
    app.add_middleware(RequestContextMiddleware, service=service, announce_route=service != services.GATEWAY.name)
    app.include_router(health_router(service))
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router(service, public_checkpoints=common.audit_public_checkpoints))
    for router in fallback_routers:  # catch-alls go last so they never shadow a route
        app.include_router(router)
    return app


def set_clock(common: CommonSettings) -> None:
    """Production keeps the system's clock for good; elsewhere FAIRPATH_CLOCK_AT sets the date at start."""
    if common.is_production:
        CLOCK.fix_to_system()
    elif common.clock_at is not None:
        CLOCK.set_now(common.clock_at)


async def _start_events(app: FastAPI, stack: AsyncExitStack, subscriptions: Sequence[Subscription]) -> None:
    """Connect to the broker in the background; relay and consumers start at once and wait for it."""
    settings: ServiceSettings = app.state.settings
    broker = Broker(
        settings.common.nats_url, name=f"fairpath-{settings.service_name}", replicas=settings.common.stream_replicas
    )
    connecting = asyncio.create_task(broker.connect_forever(), name="broker-connect")

    async def _close() -> None:
        await stop_task(connecting)
        await broker.close()

    stack.push_async_callback(_close)
    app.state.broker = broker
    app.state.readiness_checks["broker"] = broker.check
    tracer = app.state.tracing.tracer if app.state.tracing is not None else None
    relay = OutboxRelay(
        app.state.database, app.state.ledger.outbox, broker, service=settings.service_name, tracer=tracer
    )
    app.state.relay = relay
    relay.start()
    stack.push_async_callback(relay.stop)
    if not settings.common.is_production:
        follower = ClockFollower(broker)
        follower.start()
        stack.push_async_callback(follower.stop)
    app.state.consumers = []
    for subscription in subscriptions:
        # The retry policy is the operator's (settings), the same for every consumer of the process.
        subscription = dataclasses.replace(
            subscription,
            max_deliver=settings.common.event_max_deliveries,
            backoff=settings.common.event_retry_backoff,
        )
        consumer = EventConsumer(subscription, app.state.database, app.state.ledger, broker, tracer=tracer)
        consumer.start()
        stack.push_async_callback(consumer.stop)
        app.state.consumers.append(consumer)
    if subscriptions:
        app.state.metrics_refreshes.append(consumers_refresh(broker, [(s.stream, s.name) for s in subscriptions]))
