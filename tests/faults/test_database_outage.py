"""PostgreSQL unreachable for a few seconds, through a TCP proxy the test controls (the machine's server is never
touched): vetting answers each request within 2 s, with a 503 problem that says the database is unavailable
(never a 500), writes nothing by halves, reports itself not ready, and serves again without a restart once the
database answers; every write it accepted has its row and its event, once."""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from fairpath.common.auth import Role
from fairpath.common.errors import PROBLEM_JSON
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import NatsServer, wait_until
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.config import VettingSettings

from ..conftest import client_of
from .conftest import (
    FAULTS_TOGETHER,
    REGISTERED,
    WRITE_BOUND_SECONDS,
    Attempt,
    business_body,
    common_settings_for,
    events_named,
    keep_writing,
    once_each,
    postgres_or_skip,
    slow_writes,
    stream_events,
    timed_post,
)
from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(150), FAULTS_TOGETHER]

WRITERS = 3
DATABASE_UNAVAILABLE = "urn:fairpath:problem:database_unavailable"


@pytest.fixture(scope="module")
async def proxied_vetting(postgres_admin, keypair, nats_node: NatsServer, tmp_path_factory) -> AsyncIterator[tuple]:
    """Vetting on a PostgreSQL database of its own, reached only through the proxy."""
    postgres_or_skip(postgres_admin)
    url = make_url(await postgres_admin.create("faults_db_outage"))
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    common = common_settings_for(tmp_path_factory.mktemp("db-outage-var"), keypair, nats_node.url)
    settings = VettingSettings(
        database_url=url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        common=common,
        warm_matching=False,
    )
    app = create_vetting(settings)
    try:
        async with app.router.lifespan_context(app):
            yield app, proxy
    finally:
        await proxy.stop()


async def readiness(client: httpx.AsyncClient) -> tuple[int, dict]:
    response = await client.get("/readyz")
    return response.status_code, response.json()


async def test_requests_fail_fast_with_503_while_the_database_is_away_and_the_service_serves_again_after(
    proxied_vetting, minter, nats_node: NatsServer
) -> None:
    app, proxy = proxied_vetting
    headers = minter.headers(make_principal(Role.agency))
    attempts: list[Attempt] = []
    stop = asyncio.Event()
    async with client_of(app, "vetting") as vetting:
        await wait_until(lambda: _ready(vetting), timeout=30, message="vetting ready (database and broker)")

        async def register(name: str) -> Attempt:
            return await timed_post(vetting, "/v1/businesses", business_body(name), name, headers=headers)

        writers = [asyncio.create_task(keep_writing(register, f"Outage W{i}", stop, attempts)) for i in range(WRITERS)]
        try:
            await wait_until(lambda: sum(a.accepted for a in attempts) >= 6, timeout=30, message="writes before")
            proxy.cut()
            cut_at = time.monotonic()
            # While the database is away: not ready, reads refused as writes are, each at once.
            status, body = await readiness(vetting)
            assert (status, body["checks"]["database"]) == (503, "unavailable"), body
            started = time.monotonic()
            listed = await vetting.get("/v1/businesses", headers=headers)
            assert time.monotonic() - started < WRITE_BOUND_SECONDS
            assert listed.status_code == 503 and listed.json()["type"] == DATABASE_UNAVAILABLE, listed.text
            # The outage lasts until every writer has been refused twice (each refusal at once, as asserted below).
            await wait_until(
                lambda: sum(a.status == 503 and a.started >= cut_at for a in attempts) >= 2 * WRITERS,
                timeout=30, message="each writer refused during the outage",
            )  # fmt: skip
            restored_at = time.monotonic()
            proxy.restore()
            # Back without a restart: ready again, and accepting writes.
            await wait_until(lambda: _ready(vetting), timeout=15, message="ready again after the outage")
            after = len(attempts)
            await wait_until(
                lambda: sum(a.accepted for a in attempts[after:]) >= 2 * WRITERS, timeout=15, message="writes after"
            )
        finally:
            stop.set()
            await asyncio.gather(*writers)

    during = [a for a in attempts if a.within(cut_at, restored_at)]
    assert during, "no write was tried during the outage"
    assert [a.status for a in during if a.status != 503] == [], "every write while the database was away: 503"
    assert slow_writes(attempts, since=cut_at) == []
    # Every answer a 201 or a 503 problem naming the database; never a 500, never a dropped connection.
    assert {a.status for a in attempts} <= {201, 503}, sorted({str(a.status) for a in attempts})
    refused = [a for a in attempts if a.status == 503]
    assert refused
    for attempt in refused:
        assert attempt.content_type.startswith(PROBLEM_JSON), attempt.content_type
        assert (attempt.body["type"], attempt.body["title"]) == (DATABASE_UNAVAILABLE, "Database unavailable")

    # Each accepted write: its row once and its event once on the stream. Each refused one: nothing by halves
    # (a commit cut on its way back may have landed whole: row and event together, or neither).
    accepted = [a.name for a in attempts if a.accepted]
    # A relay's claim cut on its way back may have landed: those events wait out their lease (30 s) first.
    await wait_until(
        lambda: _published(nats_node.url, accepted), timeout=60, interval=0.3, message="accepted writes published"
    )
    rows = await _rows_named(app, [a.name for a in attempts])
    assert [name for name in accepted if rows.get(name) != 1] == []
    # A refused write whose commit landed was never handed to the relay (its commit failed as far as the process
    # knows): its event is published once its row's lease has run out and the relay's poll finds it.
    halves: list[tuple] = []

    async def whole() -> bool:
        rows = await _rows_named(app, [a.name for a in refused])
        events = events_named(await stream_events(nats_node.url, "VETTING"), REGISTERED, "legal_name")
        halves[:] = [
            (a.name, rows.get(a.name, 0), len(events.get(a.name, [])))
            for a in refused
            if rows.get(a.name, 0) != len(events.get(a.name, [])) or rows.get(a.name, 0) > 1
        ]
        return not halves

    try:
        await wait_until(whole, timeout=30, interval=0.3, message="each refused write whole or absent")
    except AssertionError:
        pytest.fail(f"written by halves (name, rows, events): {halves}")


async def _ready(client: httpx.AsyncClient) -> bool:
    status, body = await readiness(client)
    return status == 200 and body["checks"] == {"database": "ok", "broker": "ok"}


async def _published(nats_url: str, names: list[str]) -> bool:
    return once_each(await stream_events(nats_url, "VETTING"), REGISTERED, "legal_name", names) is not None


async def _rows_named(app, names: list[str]) -> dict[str, int]:
    async with app.state.database.session(read_only=True) as session:
        found = await session.execute(
            select(Business.legal_name, func.count())
            .where(Business.legal_name.in_(names))
            .group_by(Business.legal_name)
        )
        return dict(found.all())
