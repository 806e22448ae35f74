"""Crashes mid-stream on one small stack: worker-registry as a process of the launcher's own (`build_stack`'s
definition, restarted by its `Supervisor`), contracts and the gateway in this process, one nats-server of the
module's own. A client keeps registering workers through the registry while the registry is killed (SIGKILL)
or the nats-server is; every registration the registry accepted reaches the REGISTRY stream once and is applied
once by contracts (its inbox, by event id, and its projection of the worker). A poison event is parked on the
DLQ after its deliveries while the events behind it flow, and the operator's replay puts it back.
The tests share the stack and run in file order."""

import asyncio
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import nats
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import select

from fairpath.common.auth import PRINCIPAL_HEADER, Role
from fairpath.common.events.catalogue import WorkerRegistered
from fairpath.common.events.consumer import EventConsumer
from fairpath.common.events.envelope import new_event
from fairpath.common.secrets import Keypair
from fairpath.common.testing import PrincipalMinter, make_principal
from fairpath.common.testing.nats import NatsServer, free_port, wait_until
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.workers.tables import WorkerProjection
from fairpath.deploy.processes import SERVICES, ManagedProcess, StackConfig, Supervisor, build_stack
from fairpath.gateway.accounts.demo import ensure_demo_accounts
from fairpath.gateway.app import create_app as create_gateway
from fairpath.gateway.config import GatewaySettings

from ..conftest import client_of
from ..test_launcher import READY_TIMEOUT, ROOT, clean_env
from .conftest import (
    FAULTS_TOGETHER,
    Attempt,
    common_settings_for,
    inbox_counts,
    keep_writing,
    kill,
    once_each,
    slow_writes,
    stream_events,
    timed_post,
)

pytestmark = [pytest.mark.timeout(240), FAULTS_TOGETHER]

WORKER_REGISTERED = "org.fairpath.registry.worker.registered.v1"
CONSUMER = "contracts-registry"
WRITERS = 3


def worker_body() -> dict:
    return {
        "full_name": "Sita Gurung",
        "date_of_birth": "1996-04-12",
        "sex": "female",
        "nationality": "NP",
        "identity_document": {
            "kind": "passport",
            "number": f"PA{uuid.uuid4().int % 10**9:09d}",
            "issuing_country": "NP",
        },
        "languages": [{"language": "ne", "proficiency": "native"}],
        "skills": [{"occupation": "7112", "level": "skilled", "years_experience": 4}],
        "consents": [{"purpose": "registration", "method": "written_signature", "language": "ne"}],
    }


@dataclass
class Stack:
    nats: NatsServer
    supervisor: Supervisor
    registry: ManagedProcess
    registry_url: str
    contracts: FastAPI
    gateway: FastAPI
    admin_key: str
    minter: PrincipalMinter

    def agency_headers(self) -> dict[str, str]:
        # Long-lived enough for the whole module (the gateway's are minutes).
        return {PRINCIPAL_HEADER: self.minter.token(make_principal(Role.agency, business_id=uuid.uuid4()), 900)}


@pytest.fixture(scope="module")
def supervised_registry(nats_node: NatsServer, keypair: Keypair, tmp_path_factory) -> Iterator[tuple]:
    """The registry as `./fairpath up` starts it, watched by the launcher's supervisor (which restarts it)."""
    config = StackConfig(
        var_dir=tmp_path_factory.mktemp("restarts-var"),
        ports={name: free_port() for name in SERVICES},
        nats_url=nats_node.url,
        base_env=clean_env(FAIRPATH_PRINCIPAL_PUBLIC_KEY=keypair.public_pem, FAIRPATH_LOG_LEVEL="WARNING"),
        cwd=ROOT,
        ready_timeout=READY_TIMEOUT,
    )
    registry = build_stack(config)["registry"]
    supervisor = Supervisor([[registry]], ready_timeout=READY_TIMEOUT)
    supervisor.start()
    watcher = threading.Thread(target=supervisor.watch, kwargs={"report": lambda _: None}, daemon=True)
    watcher.start()
    try:
        yield supervisor, registry, config.url("registry")
    finally:
        supervisor.request_stop()
        watcher.join(30)
        supervisor.stop()


@pytest.fixture(scope="module")
async def stack(supervised_registry, nats_node, keypair, minter, tmp_path_factory) -> AsyncIterator[Stack]:
    supervisor, registry, registry_url = supervised_registry
    async with httpx.AsyncClient(base_url=registry_url, timeout=30) as client:  # past its cold start
        headers = {PRINCIPAL_HEADER: minter.token(make_principal(Role.agency, business_id=uuid.uuid4()))}
        warm = await asyncio.gather(
            *(client.post("/v1/workers", json=worker_body(), headers=headers) for _ in range(WRITERS))
        )
        assert [r.status_code for r in warm] == [201] * WRITERS, [r.text for r in warm]
    var = tmp_path_factory.mktemp("restarts-inprocess")
    common = common_settings_for(var, keypair, nats_node.url)
    # Contracts retries a failing event 3 times, 0.2 s apart, before parking it (the operator's settings).
    retrying = common.model_copy(update={"event_max_deliveries": 3, "event_retry_backoff_seconds": "0.2"})
    contracts = create_contracts(ContractsSettings(database_url=f"sqlite+aiosqlite:///{var / 'c.db'}", common=retrying))
    gateway = create_gateway(
        GatewaySettings(
            database_url=f"sqlite+aiosqlite:///{var / 'g.db'}",
            common=common,
            principal_signing_key=keypair.private_pem,
            token_secret="fault-token-secret-of-at-least-32-bytes",
            totp_key="fault-totp-key-of-at-least-32-bytes-long",
            password_hash_time_cost=1,
            password_hash_memory_kib=1024,
            password_hash_parallelism=1,
        )
    )
    async with contracts.router.lifespan_context(contracts), gateway.router.lifespan_context(gateway):
        state = gateway.state
        credentials = await ensure_demo_accounts(
            database=state.database, ledger=state.ledger, accounts=state.accounts,
            credentials_path=var / "demo-credentials.json", gateway_url="http://gateway",
        )  # fmt: skip
        yield Stack(
            nats_node, supervisor, registry, registry_url, contracts, gateway,
            credentials["users"]["admin"]["api_key"], minter,
        )  # fmt: skip


async def write_workers_through(stack: Stack, fault, recover, prefix: str) -> list[Attempt]:
    """Writers register workers the whole time; `fault()` strikes once writes flow, `recover(since_fault)` (awaited,
    given the attempts made since the fault as they grow) says when it is over; the writers go on until each has had
    writes accepted after it."""
    attempts: list[Attempt] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=stack.registry_url, timeout=10) as registry:

        async def register(name: str) -> Attempt:
            return await timed_post(registry, "/v1/workers", worker_body(), name, headers=stack.agency_headers())

        writers = [
            asyncio.create_task(keep_writing(register, f"{prefix} W{i}", stop, attempts)) for i in range(WRITERS)
        ]
        try:
            await wait_until(lambda: sum(a.accepted for a in attempts) >= 6, timeout=30, message="writes flowing")
            fault()
            struck = len(attempts)
            await recover(lambda: attempts[struck:])
            await wait_until(
                lambda: sum(a.accepted for a in attempts[struck:]) >= 2 * WRITERS,
                timeout=60,
                message="writes accepted after the fault",
            )
        finally:
            stop.set()
            await asyncio.gather(*writers)
    return attempts


async def applied_once_by_contracts(stack: Stack, attempts: list[Attempt]) -> None:
    """Each accepted registration: one event on the stream (by worker id; its message id its event id, no id
    twice), one inbox row in contracts for that event id, and the worker in contracts' projection."""
    workers = [a.body["id"] for a in attempts if a.accepted]
    assert workers

    async def published() -> dict[str, str] | None:
        try:
            events = await stream_events(stack.nats.url, "REGISTRY")
        except Exception:  # noqa: BLE001 - the server may still be on its way back
            return None
        return once_each(events, WORKER_REGISTERED, "worker_id", workers)

    # A relay's batch cut between its publish and its settling waits out its lease (30 s), then goes again.
    event_ids = await wait_until(published, timeout=75, interval=0.5, message="every accepted write published")
    inbox = stack.contracts.state.ledger.inbox

    async def applied() -> dict[str, int] | None:
        counts = await _inbox_counts(stack.contracts, inbox, list(event_ids.values()))
        assert all(n <= 1 for n in counts.values()), "an event applied twice"
        return counts if all(n == 1 for n in counts.values()) else None

    await wait_until(applied, timeout=30, interval=0.3, message="contracts to apply every event once")
    async with stack.contracts.state.database.session(read_only=True) as session:
        projected = set(
            (await session.execute(select(WorkerProjection.worker_id).where(WorkerProjection.worker_id.in_(
                [uuid.UUID(w) for w in workers]
            )))).scalars()
        )  # fmt: skip
    assert {str(w) for w in projected} == set(workers)


async def _inbox_counts(app: FastAPI, inbox, event_ids: list[str]) -> dict[str, int]:
    return await inbox_counts(app.state.database, inbox, CONSUMER, event_ids)


async def test_the_registry_killed_mid_stream_comes_back_and_each_accepted_write_is_applied_once(stack: Stack):
    old_pid = stack.registry.pid
    assert old_pid is not None

    async def restarted(_since_fault) -> None:
        await wait_until(
            lambda: stack.registry.pid != old_pid and stack.registry.is_ready(),
            timeout=READY_TIMEOUT, interval=0.2, message="the supervisor to restart the registry",
        )  # fmt: skip

    killed: dict[str, float] = {}

    def crash() -> None:
        os.killpg(old_pid, signal.SIGKILL)
        killed["at"] = time.monotonic()

    attempts = await write_workers_through(stack, crash, restarted, "Kill")
    # What the client saw: 201s, or no answer while the registry was down; never a 500.
    assert {a.status for a in attempts} <= {201, None}, sorted({str(a.status) for a in attempts})
    assert any(a.status is None for a in attempts), "no write met the crash"
    # The restarted process warmed up before it listened (fairpath.common.warmup): its first write per client is
    # held to the bound of every other write, not excused as a cold start.
    first = [_first_answered_after(attempts, f"Kill W{i} ", killed["at"]) for i in range(WRITERS)]
    assert slow_writes(attempts, since=killed["at"]) == [], [f"{a.name}: {a.seconds:.2f} s" for a in first]
    await applied_once_by_contracts(stack, attempts)


def _first_answered_after(attempts: list[Attempt], writer: str, moment: float) -> Attempt:
    return next(a for a in attempts if a.name.startswith(writer) and a.started > moment and a.status is not None)


async def test_a_killed_nats_server_restarted_mid_stream_loses_nothing_and_writes_never_wait(stack: Stack):
    down: dict[str, float] = {}

    def crash() -> None:
        kill(stack.nats)
        down["at"] = time.monotonic()

    async def back(since_fault) -> None:
        # Writes go on into the outbox meanwhile: the broker comes back once each writer has had three accepted.
        await wait_until(
            lambda: sum(x.accepted for x in since_fault()) >= 3 * WRITERS,
            timeout=30, message="writes accepted while the broker is away",
        )  # fmt: skip
        down["for"] = time.monotonic() - down["at"]
        await asyncio.to_thread(stack.nats.start)  # the same port and store

    attempts = await write_workers_through(stack, crash, back, "NATS down")
    assert {a.status for a in attempts} == {201}, sorted({str(a.status) for a in attempts})
    while_down = [a for a in attempts if a.within(down["at"], down["at"] + down["for"])]
    assert while_down, "no write while the broker was away"
    assert slow_writes(attempts, since=down["at"]) == []
    await applied_once_by_contracts(stack, attempts)


async def test_a_poison_event_is_dead_lettered_after_its_deliveries_while_the_rest_flow_and_replay_parks_it_again(
    stack: Stack,
):
    """A well-formed CloudEvent whose data fails the payload's validation: contracts tries it the configured
    number of times, parks it on the DLQ and goes on; the operator's replay (`./fairpath admin events replay`,
    the gateway's POST /v1/admin/events/replay) puts it back on its subject, where it fails the same way and is
    parked again, once: replaying never applies a message the consumer cannot read."""
    consumer = _consumer(stack.contracts, CONSUMER)
    assert (consumer.sub.max_deliver, consumer.sub.backoff) == (3, [0.2])  # as the stack's settings say
    admin = {"X-API-Key": stack.admin_key}
    tried_before = _handled("failed"), _handled("dead_lettered")
    poison = new_event(_registered_payload(), uuid.uuid4())  # as the registry would publish it
    broken = json.loads(poison.to_json())
    del broken["data"]["worker_id"]  # the payload's validation fails, not the envelope's
    nc = await nats.connect(stack.nats.url)
    try:
        await nc.jetstream().publish(
            "registry.worker.registered", json.dumps(broken).encode(), headers={"Nats-Msg-Id": poison.id}
        )
    finally:
        await nc.close()
    async with client_of(stack.gateway, "gateway") as gateway:
        letters = await wait_until(
            lambda: _letters(gateway, admin, poison.id), timeout=30, interval=0.3, message="the poison parked"
        )
        assert [(x["subject"], x["stream"], x["error"]) for x in letters] == [
            ("registry.worker.registered", "REGISTRY", "ValidationError")
        ]
        # Tried max_deliver times: failed (and retried after the backoff) twice, parked on the third.
        assert (_handled("failed") - tried_before[0], _handled("dead_lettered") - tried_before[1]) == (2, 1)
        # The events behind it flow: registrations after the poison are applied once each.
        async with httpx.AsyncClient(base_url=stack.registry_url, timeout=10) as registry:
            after = [
                await timed_post(registry, "/v1/workers", worker_body(), f"after {i}", headers=stack.agency_headers())
                for i in range(5)
            ]
        assert [a.status for a in after] == [201] * 5
        await applied_once_by_contracts(stack, after)

        replayed = await gateway.post("/v1/admin/events/replay", json={"consumer": CONSUMER}, headers=admin)
        assert replayed.status_code == 200, replayed.text
        assert [x["event_id"] for x in replayed.json()["replayed"]] == [poison.id]
        # Back on its subject, it fails the same way, and is parked again: once, never applied.
        await wait_until(
            lambda: _replayed_and_parked(stack, gateway, admin, poison.id), timeout=30, interval=0.3,
            message="the replayed poison parked again",
        )  # fmt: skip
    counts = await _inbox_counts(stack.contracts, stack.contracts.state.ledger.inbox, [poison.id])
    assert counts == {poison.id: 0}


def _handled(outcome: str) -> float:
    """What /metrics counts of the consumer's outcomes."""
    labels = {"consumer": CONSUMER, "outcome": outcome}
    return REGISTRY.get_sample_value("fairpath_events_handled_total", labels) or 0.0


def _consumer(app: FastAPI, name: str) -> EventConsumer:
    return next(c for c in app.state.consumers if c.sub.name == name)


def _registered_payload() -> WorkerRegistered:
    return WorkerRegistered(version=1, worker_id=uuid.uuid4(), consents=["registration"], languages=["ne"])


async def _letters(gateway: httpx.AsyncClient, admin: dict, event_id: str) -> list[dict] | None:
    listed = await gateway.get("/v1/admin/events/dead-letters", params={"consumer": CONSUMER}, headers=admin)
    assert listed.status_code == 200, listed.text
    mine = [x for x in listed.json() if x["event_id"] == event_id]
    return mine or None


async def _replayed_and_parked(stack: Stack, gateway: httpx.AsyncClient, admin: dict, event_id: str) -> bool:
    letters = await _letters(gateway, admin, event_id)
    if not letters:
        return False
    assert len(letters) == 1, letters
    on_stream = [e for e in await stream_events(stack.nats.url, "REGISTRY") if e.event.get("id") == event_id]
    return len(on_stream) == 2 and letters[0]["stream_seq"] != 0
