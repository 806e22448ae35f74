"""A 3-node NATS JetStream cluster on loopback, the streams at 3 replicas (FAIRPATH_STREAM_REPLICAS), the services'
NATS URL listing every node: the node leading the VETTING stream is killed (SIGKILL) while a client keeps
registering businesses through vetting. Every write answers within 2 s, and every accepted one reaches the
stream once and is applied once by contracts, its inbox counted by event id. The services run as in production
beside a cluster: on PostgreSQL, a database of their own each."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.businesses.tables import BusinessProjection
from fairpath.contracts.config import ContractsSettings
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.config import VettingSettings

from ..conftest import client_of
from .conftest import (
    FAULTS_TOGETHER,
    REGISTERED,
    Attempt,
    business_body,
    common_settings_for,
    inbox_counts,
    keep_writing,
    once_each,
    postgres_or_skip,
    slow_writes,
    stream_events,
    timed_post,
)
from .nats_cluster import NatsCluster

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240), FAULTS_TOGETHER]

WRITERS = 3
CONSUMER = "contracts-vetting"
# Two services' migrations and warming on a loaded machine take seconds; far longer means a hang.
STARTUP_SECONDS = 120


@pytest.fixture
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[NatsCluster]:
    nodes = NatsCluster(tmp_path_factory.mktemp("nats-cluster"))
    try:
        yield await nodes.start()
    finally:
        nodes.stop()


@asynccontextmanager
async def services_on(cluster: NatsCluster, keypair, postgres_admin, var: Path) -> AsyncIterator[tuple]:
    """Vetting and contracts started on the cluster, as in production beside one: on PostgreSQL, a database each.
    Their start-up (migrations, warming) is bounded, so that a start that hangs fails here and says so."""
    common = common_settings_for(var, keypair, cluster.url, stream_replicas=3)
    async with AsyncExitStack() as stack:
        async with asyncio.timeout(STARTUP_SECONDS):
            vetting = create_vetting(
                VettingSettings(
                    database_url=await postgres_admin.create("faults_cluster_vetting"),
                    common=common,
                    warm_matching=False,
                )
            )
            contracts = create_contracts(
                ContractsSettings(database_url=await postgres_admin.create("faults_cluster_contracts"), common=common)
            )
            await stack.enter_async_context(vetting.router.lifespan_context(vetting))
            await stack.enter_async_context(contracts.router.lifespan_context(contracts))
        yield vetting, contracts


async def stream_leader(cluster: NatsCluster, stream: str) -> tuple[str, int]:
    nc = await nats.connect(cluster.url.split(","), connect_timeout=2, max_reconnect_attempts=0)
    try:
        info = await nc.jetstream(timeout=5).stream_info(stream)
        return info.cluster.leader, info.config.num_replicas
    finally:
        await nc.close()


async def test_a_cluster_node_killed_under_load_loses_nothing_and_duplicates_nothing(
    cluster, keypair, postgres_admin, minter, tmp_path
):
    postgres_or_skip(postgres_admin)
    async with services_on(cluster, keypair, postgres_admin, tmp_path) as (vetting, contracts):
        await _kill_a_node_under_load(cluster, vetting, contracts, minter)


async def _kill_a_node_under_load(cluster: NatsCluster, vetting, contracts, minter) -> None:
    headers = minter.headers(make_principal(Role.agency))
    attempts: list[Attempt] = []
    stop = asyncio.Event()
    async with client_of(vetting, "vetting") as client:
        await wait_until(lambda: _ready(client), timeout=60, message="vetting ready on the cluster")
        await wait_until(lambda: _ready_consumer(contracts), timeout=60, message="contracts consuming")
        leader, replicas = await stream_leader(cluster, "VETTING")
        assert replicas == 3

        async def register(name: str) -> Attempt:
            return await timed_post(client, "/v1/businesses", business_body(name), name, headers=headers)

        writers = [asyncio.create_task(keep_writing(register, f"Cluster W{i}", stop, attempts)) for i in range(WRITERS)]
        try:
            await wait_until(lambda: sum(a.accepted for a in attempts) >= 9, timeout=30, message="writes flowing")
            cluster.node(leader).kill()
            struck, killed_at = len(attempts), time.monotonic()
            # A new leader is elected among the two left; writes go on meanwhile.
            new_leader = await wait_until(
                lambda: _other_leader(cluster, leader), timeout=30, interval=0.3, message="a new stream leader"
            )
            assert new_leader != leader
            await wait_until(
                lambda: sum(a.accepted for a in attempts[struck:]) >= 4 * WRITERS, timeout=30, message="writes after"
            )
        finally:
            stop.set()
            await asyncio.gather(*writers)
    assert {a.status for a in attempts} == {201}, sorted({str(a.status) for a in attempts})
    assert slow_writes(attempts, since=killed_at) == []

    businesses = [a.body["id"] for a in attempts]

    async def published() -> dict[str, str] | None:
        try:
            return once_each(await stream_events(cluster.url, "VETTING"), REGISTERED, "business_id", businesses)
        except (nats.errors.Error, OSError, TimeoutError):
            return None

    event_ids = await wait_until(published, timeout=75, interval=0.5, message="every accepted write published")

    async def applied() -> dict[str, int] | None:
        counts = await inbox_counts(
            contracts.state.database, contracts.state.ledger.inbox, CONSUMER, list(event_ids.values())
        )
        assert all(n <= 1 for n in counts.values()), "an event applied twice"
        return counts if all(n == 1 for n in counts.values()) else None

    await wait_until(applied, timeout=45, interval=0.3, message="contracts to apply every event once")
    async with contracts.state.database.session(read_only=True) as session:
        projected = (
            await session.execute(
                select(BusinessProjection.business_id).where(
                    BusinessProjection.business_id.in_([uuid.UUID(b) for b in businesses])
                )
            )
        ).scalars()
        assert {str(b) for b in projected} == set(businesses)


async def _ready(client: httpx.AsyncClient) -> bool:
    response = await client.get("/readyz")
    return response.status_code == 200


async def _ready_consumer(contracts) -> bool:
    broker = contracts.state.broker
    if not broker.connected:
        return False
    try:
        await broker.js.consumer_info("VETTING", CONSUMER)
    except Exception:  # noqa: BLE001 - not created yet
        return False
    return True


async def _other_leader(cluster: NatsCluster, old: str) -> str | None:
    try:
        leader, _ = await stream_leader(cluster, "VETTING")
    except Exception:  # noqa: BLE001 - no leader while the election runs
        return None
    return leader if leader and leader != old else None
