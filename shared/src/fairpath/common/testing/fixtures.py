"""Pytest plugin: real infrastructure for every test suite in the workspace.

- `nats_server`: a nats-server with JetStream on a free port, temporary store.
- `backend`: each database test runs on SQLite and on PostgreSQL. PostgreSQL comes
  from FAIRPATH_TEST_POSTGRES_URL; when unset or unreachable its tests skip, and
  with CI=true a skipped PostgreSQL test fails the run.
- `database_url(name)`: a new database for this run on the current backend,
  dropped at the end of the session.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from fairpath.common.config import CommonSettings
from fairpath.common.secrets import Keypair
from fairpath.common.testing import PrincipalMinter, throwaway_keypair
from fairpath.common.testing.nats import NatsServer, env_is_ci

POSTGRES_ENV = "FAIRPATH_TEST_POSTGRES_URL"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # noqa: ARG001 - the hook's signature
    outcome = yield
    report = outcome.get_result()
    # Under CI a PostgreSQL test that skips is a failure: the suite promises both databases.
    if report.skipped and env_is_ci() and "[postgres" in item.nodeid:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true: {report.longrepr}"


@pytest.fixture(scope="session")
def keypair() -> Keypair:
    return throwaway_keypair()


@pytest.fixture(scope="session")
def minter(keypair: Keypair) -> PrincipalMinter:
    return PrincipalMinter(keypair)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def common_settings(
    tmp_path_factory: pytest.TempPathFactory, keypair: Keypair, nats_server: NatsServer
) -> CommonSettings:
    return CommonSettings(
        env="test",
        var_dir=tmp_path_factory.mktemp("var"),
        nats_url=nats_server.url,
        principal_public_key=keypair.public_pem,
        audit_digest_key="test-audit-digest-key",
        log_level="WARNING",
    )


class PostgresAdmin:
    """Creates and drops this run's databases on the server FAIRPATH_TEST_POSTGRES_URL names."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://")
        self.created: list[str] = []
        self.run_id = uuid.uuid4().hex[:8]

    async def _admin(self):  # noqa: ANN202
        return await asyncpg.connect(self.url, timeout=5)

    async def reachable(self) -> bool:
        try:
            conn = await self._admin()
        except (OSError, asyncio.TimeoutError, Exception):  # noqa: BLE001 - unreachable for any reason
            return False
        await conn.close()
        return True

    async def create(self, name: str) -> str:
        db = f"fp_test_{self.run_id}_{name}"
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            await conn.execute(f'CREATE DATABASE "{db}"')
        finally:
            await conn.close()
        self.created.append(db)
        base = self.url.rsplit("/", 1)[0]
        return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{db}"

    async def drop_all(self) -> None:
        if not self.created:
            return
        conn = await self._admin()
        try:
            for db in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
async def postgres_admin() -> AsyncIterator[PostgresAdmin | None]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    admin = PostgresAdmin(url)
    if not await admin.reachable():
        yield None
        return
    yield admin
    await admin.drop_all()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
async def database_url(backend: str, postgres_admin: PostgresAdmin | None, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """`await database_url("vetting")`: a new, empty database on the current backend."""
    if backend == "postgres" and postgres_admin is None:
        pytest.skip(f"PostgreSQL not reachable ({POSTGRES_ENV} unset or down)")
    folder = tmp_path_factory.mktemp(f"db-{backend}")

    async def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{folder / name}.db"
        assert postgres_admin is not None
        return await postgres_admin.create(f"{name}_{uuid.uuid4().hex[:6]}")

    return make
