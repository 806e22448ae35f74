"""The gateway's app factory (`uvicorn --factory fairpath.gateway.app:create_app`)."""

from contextlib import AsyncExitStack

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware

from fairpath.common.app import create_service_app
from fairpath.common.auth import PrincipalSigner
from fairpath.common.errors import problem_response
from fairpath.gateway import all_tables  # noqa: F401 - every table registered before migrations run
from fairpath.gateway.accounts.authentication import ApiKeyUse, authenticate
from fairpath.gateway.accounts.consumers import known_worker_subscription, linked_business_subscription
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.importer import import_identities_file
from fairpath.gateway.accounts.routes import admin_router, auth_router, me_router
from fairpath.gateway.compliance.routes import router as compliance_router
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.db import MIGRATIONS, ledger_tables
from fairpath.gateway.operations.routes import clock_router
from fairpath.gateway.operations.routes import router as operations_router
from fairpath.gateway.portal.site import install as install_portal
from fairpath.gateway.protection.addresses import TrustedProxies
from fairpath.gateway.protection.limits import RateLimits, SignInFailures, Throttled
from fairpath.gateway.protection.middleware import ProtectionMiddleware
from fairpath.gateway.routing import docs, openapi
from fairpath.gateway.routing.middleware import ServiceForwarding
from fairpath.gateway.routing.routes import STREAMED_IMPORTS
from fairpath.gateway.routing.routes import router as forward_router
from fairpath.gateway.routing.tracing import upstream_trace_config
from fairpath.gateway.routing.upstreams import Upstreams
from fairpath.gateway.warmup import WARMS


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
    tracing = app.state.tracing
    upstreams = Upstreams(
        settings.upstreams(),
        connect_timeout=settings.upstream_connect_timeout,
        read_timeout=settings.upstream_read_timeout,
        trace_configs=[upstream_trace_config(tracing.tracer)] if tracing is not None else None,
    )
    stack.push_async_callback(upstreams.close)
    app.state.upstreams = upstreams
    # Reported by /readyz, not part of the gateway's readiness: its own database (and broker) decide that.
    app.state.upstream_checks = {service: _upstream_check(upstreams, service) for service in settings.upstreams()}


def _upstream_check(upstreams: Upstreams, service: str):  # noqa: ANN202
    async def check() -> None:
        if not await upstreams.ready(service):
            raise ConnectionError(f"{service} is not ready")

    return check


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    app_settings = settings or GatewaySettings()
    app = create_service_app(
        settings=app_settings,
        title="Fairpath",
        description=(
            "Ethical recruitment due diligence for migrant workers. Authenticate with `X-API-Key` "
            "(agency software) or a bearer token from `POST /v1/auth/token` (people), or a token of your "
            "organisation's single sign-on issuer."
        ),
        routers=[auth_router, me_router, admin_router, operations_router, clock_router, compliance_router],
        fallback_routers=[forward_router],
        tables=ledger_tables,
        migrations=MIGRATIONS,
        warm=WARMS,
        on_startup=[_start_accounts, _start_routing],
        subscriptions=[linked_business_subscription(), known_worker_subscription()],
    )
    # The gateway's own routes (its audit chain, its operations, the forwarding) take the caller the gateway
    # authenticates, not a forwarded principal: `CurrentPrincipal` and `roles(...)` resolve to it (set on the
    # app's state, not as a dependency override, which FastAPI re-resolves on every request).
    app.state.authenticate = authenticate
    _protect(app, app_settings)
    app.user_middleware.append(Middleware(ServiceForwarding))  # innermost: inside the protection
    openapi.install(app)
    docs.install(app)
    install_portal(app)  # the partner portal's pages under /portal/, and `/` sending visitors there
    return app


def _protect(app: FastAPI, settings: GatewaySettings) -> None:
    """Rate limits, the failed sign-in throttle, the body limit and the refusal of malformed requests, in a
    middleware inside the request context one (so its answers carry the request id and are logged)."""
    rate_limits = RateLimits.create(
        storage_url=settings.rate_limit_storage_url,
        strategy=settings.rate_limit_strategy,
        per_address=settings.rate_limit_per_address,
        per_api_key=settings.rate_limit_per_api_key,
        per_user=settings.rate_limit_per_user,
    )
    app.state.rate_limits = rate_limits
    app.state.sign_in_failures = SignInFailures(
        storage_url=settings.rate_limit_storage_url,
        per_account=settings.sign_in_failures_per_account,
        per_address=settings.sign_in_failures_per_address,
    )
    app.user_middleware.append(
        Middleware(
            ProtectionMiddleware,
            proxies=TrustedProxies(settings.trusted_proxy_networks()),
            rate_limits=rate_limits,
            max_body_bytes=settings.max_body_bytes,
            max_import_body_bytes=settings.max_import_body_bytes,
            import_paths=STREAMED_IMPORTS,
        )
    )
    app.add_exception_handler(Throttled, _throttled)


async def _throttled(_: Request, exc: Throttled) -> JSONResponse:
    return problem_response(exc.problem(), {"Retry-After": str(exc.retry_after)})
