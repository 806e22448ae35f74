"""Fixtures of the cross-service tests: services with their event machinery on a real nats-server, and
one whole stack (every service a process, the demo users and records) shared by the suite's journeys,
the tenancy matrix and the fuzzing, so that it starts once."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from fairpath.common.config import CommonSettings
from fairpath.common.events.broker import Broker
from fairpath.common.testing.fixtures import POSTGRES_ENV, PostgresAdmin
from fairpath.common.testing.nats import env_is_ci
from fairpath.deploy.demo import seed_demo_businesses, seed_demo_worker
from fairpath.deploy.processes import StackConfig, build_stack
from fairpath.gateway.accounts.demo import ensure_demo_identities

from .test_launcher import stack_config


@pytest.fixture(scope="session")
async def broker(common_settings: CommonSettings) -> AsyncIterator[Broker]:
    broker = await Broker(common_settings.nats_url, name="tests").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


def client_of(app: FastAPI, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=f"http://{name}"
    )


SHARED_STACK_ENV = {
    # Screening's worker processes start on the first screening rather than before vetting reports ready.
    "FAIRPATH_VETTING_WARM_MATCHING": "false",
    # Every test calls from one address, with a handful of keys, as fast as the stack answers: the limits of
    # one real client would answer the matrix and the fuzzing with 429s. (The gateway's own tests cover them.)
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_ADDRESS": "1000/second",
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_API_KEY": "1000/second",
    "FAIRPATH_GATEWAY_RATE_LIMIT_PER_USER": "1000/second",
    "FAIRPATH_GATEWAY_RATE_LIMIT_VERIFY": "1000/second",
}


@dataclass
class LiveStack:
    """The running stack: its configuration, the demo users' credentials and the demo records
    ({"recruitment_agency": id, "employer": id, "worker": id})."""

    config: StackConfig
    credentials: dict[str, Any]
    demo: dict[str, str]

    @property
    def gateway(self) -> str:
        return self.config.gateway_url

    def api_key(self, username: str) -> str:
        return self.credentials["users"][username]["api_key"]

    def client(self, username: str | None = None, *, api_key: str | None = None) -> httpx.Client:
        """A client of the gateway as a demo user, or with an API key, or with no credentials at all."""
        key = api_key or (self.api_key(username) if username else None)
        return httpx.Client(base_url=self.gateway, timeout=30, headers={"X-API-Key": key} if key else {})


def _postgres_databases(admin: PostgresAdmin | None) -> dict[str, str]:
    """A database of its own on PostgreSQL for each service of the stack (FAIRPATH_<SERVICE>_DATABASE_URL)."""
    if admin is None or not asyncio.run(admin.reachable()):
        message = f"no PostgreSQL at {POSTGRES_ENV}"
        if env_is_ci():
            pytest.fail(f"{message}: the suite promises both databases under CI=true")
        pytest.skip(message)
    return {
        f"FAIRPATH_{service.upper()}_DATABASE_URL": asyncio.run(admin.create(f"stack_{service}"))
        for service in ("gateway", "vetting", "contracts", "registry")
    }


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def shared_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """nats-server, the three services and the gateway as processes, on SQLite and then on PostgreSQL, with
    the demo users, the demo agency and employer (not yet vetted) and the demo worker. Tests that use it make
    their own records, or tolerate what earlier tests left; tests/test_launcher.py and tests/test_up.py start
    stacks of their own, since they stop them."""
    env = dict(SHARED_STACK_ENV)
    admin = None
    if request.param == "postgres":
        url = os.environ.get(POSTGRES_ENV)
        admin = PostgresAdmin(url) if url else None
        env |= _postgres_databases(admin)
    config = stack_config(tmp_path_factory.mktemp(f"shared-stack-{request.param}"), **env)
    with pytest.MonkeyPatch.context() as patch:
        # The demo accounts go into the database the stack's gateway will use.
        if "FAIRPATH_GATEWAY_DATABASE_URL" in env:
            patch.setenv("FAIRPATH_GATEWAY_DATABASE_URL", env["FAIRPATH_GATEWAY_DATABASE_URL"])
        credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
    supervisor = build_stack(config)
    supervisor.start()
    try:
        demo = seed_demo_businesses(config.gateway_url, credentials)
        demo["worker"] = seed_demo_worker(config.gateway_url, credentials)
        yield LiveStack(config, credentials, demo)
    finally:
        supervisor.stop()
        if admin is not None:
            asyncio.run(admin.drop_all())


# First: pytest-xdist's own hook reads the xdist_group markers to send each group to one worker, and this
# conftest is loaded before xdist's worker plugin, so without `tryfirst` its markers would come too late.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on the shared stack run first, one database's stack after the other, the journey first and the
    fuzzing last on each:
    it writes what it likes through the stack (reference tables included), and the journeys and the matrix
    should not depend on what it left.
    With `-n` (pytest-xdist, as `./fairpath test` runs), they all go to one worker, so the stack starts once,
    and first, so the longest share of the suite does not start when the rest is done."""
    on_stack = {item for item in items if "shared_stack" in getattr(item, "fixturenames", ())}
    for item in on_stack:
        item.add_marker(pytest.mark.xdist_group("shared_stack"))

    def order(item: pytest.Item) -> tuple:
        if item not in on_stack:
            return (1, "", False)
        backend = getattr(item, "callspec", None) and item.callspec.params.get("shared_stack", "")
        # One stack per database: its tests together, the journey first (the portal's tests read the contract it
        # makes), the fuzzing last, then the next database's.
        name = item.path.name
        return (0, backend or "", name == "test_fuzz_gateway.py", name != "test_journey.py")

    items.sort(key=order)
