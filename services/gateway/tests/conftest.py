"""Fixtures of the gateway's tests: a real HTTP upstream that echoes what it receives, and the gateway."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from fairpath.common.config import CommonSettings
from fairpath.common.testing.nats import free_port, wait_until
from fairpath.gateway.accounts.demo import ensure_demo_accounts
from fairpath.gateway.app import create_app
from fairpath.gateway.config import GatewaySettings

# Argon2id as cheap as it goes: the tests hash a great many passwords; one test checks the real parameters.
CHEAP_HASHING = {"password_hash_time_cost": 1, "password_hash_memory_kib": 1024, "password_hash_parallelism": 1}
# The whole suite signs in and calls from one address with a few keys: the limits out of its way (the
# protection tests run a gateway of their own with small ones).
RAISED_LIMITS = {
    "rate_limit_per_address": "100000/minute",
    "rate_limit_per_api_key": "100000/minute",
    "rate_limit_per_user": "100000/minute",
    "sign_in_failures_per_account": "100000/minute",
    "sign_in_failures_per_address": "100000/minute",
}


def echo_app() -> FastAPI:
    app = FastAPI(openapi_url=None)  # a stand-in upstream: no document of its own

    @app.api_route("/v1/{path:path}", methods=["GET", "POST", "PATCH", "PUT", "DELETE"])
    async def echo(path: str, request: Request) -> JSONResponse:
        if path.endswith("slow"):
            await asyncio.sleep(2.5)
        body = await request.body()
        response = JSONResponse(
            {
                "path": request.url.path,
                "raw_path": request.scope["raw_path"].decode("latin-1"),
                "query": request.url.query,
                "headers": dict(request.headers),
                "header_list": request.headers.items(),
                "body": body.decode(),
            }
        )
        response.set_cookie("upstream_session", "secret")
        return response

    @app.get("/readyz")
    async def ready() -> dict:
        return {"status": "ready"}

    return app


@pytest.fixture(scope="session")
async def echo_upstream() -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(echo_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, timeout=30, interval=0.01, message="the test server to start")
    yield f"http://127.0.0.1:{port}"
    # A test server: the connections a test left open (an upload cut short) are not waited for.
    server.should_exit = server.force_exit = True
    await task


def gateway_settings(common: CommonSettings, keypair, database_url: str, **overrides) -> GatewaySettings:
    values = {
        "database_url": database_url,
        "common": common,
        "principal_signing_key": keypair.private_pem,
        "token_secret": "test-token-secret-of-at-least-32-bytes",
        "totp_key": "test-totp-key-of-at-least-32-bytes-long",
        **CHEAP_HASHING,
        **RAISED_LIMITS,
    }
    return GatewaySettings(**(values | overrides))


@pytest.fixture(scope="session")
async def gateway_app(echo_upstream: str, common_settings: CommonSettings, keypair, database_url):
    closed_port = free_port()
    settings = gateway_settings(
        common_settings,
        keypair,
        await database_url("gateway"),
        vetting_urls=f"http://127.0.0.1:{closed_port},{echo_upstream}",
        contracts_urls=f"http://127.0.0.1:{closed_port}",
        registry_urls=echo_upstream,
        upstream_read_timeout=1.0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def demo_credentials(gateway_app: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The demo accounts, made in the test gateway's database as `./fairpath up` makes them."""
    var = tmp_path_factory.mktemp("gateway-var")
    state = gateway_app.state
    credentials = await ensure_demo_accounts(
        database=state.database,
        ledger=state.ledger,
        accounts=state.accounts,
        credentials_path=var / "demo-credentials.json",
        gateway_url="http://gateway",
    )
    return var, credentials


@pytest.fixture(scope="session")
async def gateway(gateway_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def api_key(credentials: dict, user: str) -> dict[str, str]:
    return {"X-API-Key": credentials["users"][user]["api_key"]}


__all__ = ["api_key", "json"]


@asynccontextmanager
async def echo_gateway(gateway_app: FastAPI, echo_upstream: str, common: CommonSettings, keypair, **overrides):
    """A second gateway on the test gateway's accounts, every service the echoing upstream, with the settings a
    test needs (small limits, say)."""
    settings = gateway_settings(
        common,
        keypair,
        gateway_app.state.settings.database_url,
        events_enabled=False,
        vetting_urls=echo_upstream,
        contracts_urls=echo_upstream,
        registry_urls=echo_upstream,
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client of `app` calling from `address` (the limits count by address)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway")
