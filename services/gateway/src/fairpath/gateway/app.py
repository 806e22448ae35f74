"""The gateway's app factory (`uvicorn --factory fairpath.gateway.app:create_app`)."""

from contextlib import AsyncExitStack

from fastapi import FastAPI

from fairpath.common.app import create_service_app
from fairpath.common.auth import PrincipalSigner, current_principal
from fairpath.gateway import all_tables  # noqa: F401 - every table registered before migrations run
from fairpath.gateway.accounts.authentication import ApiKeyUse, authenticate
from fairpath.gateway.accounts.consumers import known_worker_subscription, linked_business_subscription
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.importer import import_identities_file
from fairpath.gateway.accounts.routes import admin_router, auth_router, me_router
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.db import MIGRATIONS, ledger_tables
from fairpath.gateway.operations.routes import clock_router
from fairpath.gateway.operations.routes import router as operations_router
from fairpath.gateway.routing import openapi
from fairpath.gateway.routing.routes import router as forward_router
from fairpath.gateway.routing.upstreams import Upstreams


async def _start_accounts(app: FastAPI, stack: AsyncExitStack) -> None:
    settings: GatewaySettings = app.state.settings
    accounts = Accounts.from_settings(settings)
    stack.push_async_callback(accounts.close)
    app.state.accounts = accounts
    app.state.api_key_use = ApiKeyUse()
    await accounts.passwords.verify(None, "")  # makes the dummy hash before the first sign-in needs it
    await import_identities_file(app.state.database, app.state.ledger, settings.identities_file)


async def _start_routing(app: FastAPI, stack: AsyncExitStack) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.principal_signer = PrincipalSigner(settings.principal_signing_key, settings.principal_ttl_seconds)
    upstreams = Upstreams(
        settings.upstreams(),
        connect_timeout=settings.upstream_connect_timeout,
        read_timeout=settings.upstream_read_timeout,
    )
    stack.push_async_callback(upstreams.close)
    app.state.upstreams = upstreams
    for service in settings.upstreams():
        app.state.readiness_checks[service] = _upstream_check(upstreams, service)


def _upstream_check(upstreams: Upstreams, service: str):  # noqa: ANN202
    async def check() -> None:
        if not await upstreams.ready(service):
            raise ConnectionError(f"{service} is not ready")

    return check


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    app = create_service_app(
        settings=settings or GatewaySettings(),
        title="Fairpath",
        description=(
            "Ethical recruitment due diligence for migrant workers. Authenticate with `X-API-Key` "
            "(agency software) or a bearer token from `POST /v1/auth/token` (people), or a token of your "
            "organisation's single sign-on issuer."
        ),
        routers=[auth_router, me_router, admin_router, operations_router, clock_router],
        fallback_routers=[forward_router],
        tables=ledger_tables,
        migrations=MIGRATIONS,
        on_startup=[_start_accounts, _start_routing],
        subscriptions=[linked_business_subscription(), known_worker_subscription()],
    )
    # The gateway's own routes (its audit chain, its operations, the forwarding) take the caller the gateway
    # authenticates, not a forwarded principal: `CurrentPrincipal` and `roles(...)` resolve to it.
    app.dependency_overrides[current_principal] = authenticate
    openapi.install(app)
    return app
