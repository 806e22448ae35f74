"""Benchmark: a mixed workload of every role through the gateway, and how fast events reach the other services.

    ./fairpath bench load [--database sqlite|postgresql] [--replicas N] [--seconds S] [--concurrency C[,C...]]
                          [--entities E] [--warmup W] [--postgres-url URL]

Starts the whole stack as processes (its own nats-server, the three services and the gateway, free loopback
ports, a temporary var dir) on SQLite, or on PostgreSQL with databases of its own (created, and dropped at the
end, on FAIRPATH_BENCH_POSTGRES_URL, FAIRPATH_TEST_POSTGRES_URL or 127.0.0.1:5432). `--replicas 2` runs two
processes of each domain service on their own ports behind the one gateway (its `FAIRPATH_GATEWAY_*_URLS`
settings), PostgreSQL only. The gateway's rate limits are raised out of the way (still counted on every request).

Set up as `./fairpath up` does (the demo users, organisations and API keys; the demo agency and employer vetted
by the two compliance officers), plus a minimum wage, a job order, a watchlist of E generated entities and one
worker login per virtual user (signed in with its password). Then C virtual users in this process (the stack
runs in its own processes) each go round a journey for S seconds, every request through the gateway with the
role's own credentials:

    agency: register an employer for vetting; compliance officer: screen it; agency: register a worker, draft a
    contract, issue it; worker: sign it, then read their placements until the registry shows it signed; report
    a fee paid; auditor: the new employer's dossier and a page of one service's audit records.

Reports per operation and overall: requests, req/s, p50/p95/p99 latency and each p50 against the baseline,
/healthz through the gateway every 50 ms beside the journeys; errors (any 5xx or unexpected 4xx: there must be
none) and 429s apart. Event propagation, two ways: from each event's CloudEvent `time` (set in the producer's
transaction, just before its commit) to the consumer's inbox `processed_at` (set in the consumer's transaction,
just before its commit), for every event the load caused, read from the services' databases after the run; and
as a user sees it, from the return of the worker's signature to the first read of their placements through the
gateway that shows it signed (polled every 10 ms, so up to ~10 ms plus one request late; the polls are in the
table). The goal: p99 propagation under 100 ms. Before the first level, `--warmup` seconds (5) of the same load are
run and not measured: the first event of each kind a consumer handles, and each statement's first compilation, are
a process's start-up cost, not the load's. With several concurrency levels (`--concurrency 2,4,8`, the
default) each runs S seconds in turn on the same stack, and the capacity is the highest level whose throughput
grew by at least 10 % with p99 latency at most twice the first level's.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from _load import RAISED_LIMITS, percentile  # bench/_load.py
from screening import generate_entities  # bench/screening.py
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from fairpath.common.events.tables import inbox_table, outbox_table
from fairpath.common.pagination import encode_cursor
from fairpath.common.services import ALL_SERVICES, DOMAIN_SERVICES, GATEWAY
from fairpath.common.testing.nats import free_port
from fairpath.common.timeutil import utcnow
from fairpath.deploy.demo import job_order_body, seed_demo_businesses, vet_demo_businesses
from fairpath.deploy.processes import (
    ManagedProcess,
    StackConfig,
    Supervisor,
    http_ready,
    nats_server_binary,
    prepare_var_dir,
    tcp_ready,
)
from fairpath.gateway.accounts.demo import ensure_demo_identities
from fairpath.gateway.config import upstream_urls_env

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
POLL_INTERVAL = 0.01
AUDITED = [spec.name for spec in ALL_SERVICES]


# ---------------------------------------------------------------------------------------------
# The stack: nats-server, N processes of each domain service, one gateway
# ---------------------------------------------------------------------------------------------


async def create_databases(admin_url: str, run_id: str) -> dict[str, str]:
    """One PostgreSQL database per service; {service: SQLAlchemy URL}."""
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain, timeout=10)
    urls = {}
    try:
        for spec in ALL_SERVICES:
            name = f"fp_bench_load_{run_id}_{spec.name}"
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
            urls[spec.name] = plain.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    finally:
        await conn.close()
    return urls


async def drop_databases(admin_url: str, urls: dict[str, str]) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"), timeout=10)
    try:
        for url in urls.values():
            await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


def build_replicated_stack(config: StackConfig, replicas: int) -> tuple[Supervisor, dict[str, list[str]]]:
    """nats-server, then `replicas` processes of each domain service (each on its own port) and the gateway,
    which takes them all as its upstreams. Returns the supervisor and each service's replica URLs."""
    host = config.host
    ports = {
        spec.name: [config.ports[spec.name]] + [free_port() for _ in range(replicas - 1)] for spec in DOMAIN_SERVICES
    }
    upstreams = {name: [f"http://{host}:{p}" for p in found] for name, found in ports.items()}
    config.extra_env = {
        **config.extra_env,
        **{upstream_urls_env(spec): ",".join(upstreams[spec.name]) for spec in DOMAIN_SERVICES},
    }
    prepare_var_dir(config)
    env = config.service_env()
    store = config.var_dir / "nats"
    store.mkdir(parents=True, exist_ok=True)
    nats = ManagedProcess(
        "nats-server",
        [nats_server_binary(), "-a", host, "-p", str(config.nats_port), "-js", "-sd", str(store)],
        log_path=config.logs_dir / "nats-server.log",
        env=env,
        cwd=config.cwd,
        ready=tcp_ready(host, config.nats_port),
    )

    def uvicorn(name: str, spec_factory: str, port: int, prefix: str) -> ManagedProcess:
        argv = [config.python, "-m", "uvicorn", "--factory", spec_factory, "--host", host, "--port", str(port)]
        return ManagedProcess(
            name,
            [*argv, "--timeout-graceful-shutdown", "5"],
            log_path=config.logs_dir / f"{name}.log",
            env={**env, f"{prefix}PORT": str(port)},
            cwd=config.cwd,
            ready=http_ready(f"http://{host}:{port}/readyz"),
            address=f"http://{host}:{port}",
        )

    services = [
        uvicorn(spec.name if replicas == 1 else f"{spec.name}-{i + 1}", spec.app_factory, port, spec.settings_prefix)
        for spec in DOMAIN_SERVICES
        for i, port in enumerate(ports[spec.name])
    ]
    gateway = uvicorn(GATEWAY.name, GATEWAY.app_factory, config.ports[GATEWAY.name], GATEWAY.settings_prefix)
    # The domain services first (a replica migrating while another starts is safe: migrations take an advisory
    # lock on PostgreSQL), then the gateway, whose readiness asks its upstreams.
    supervisor = Supervisor([[nats], services, [gateway]], ready_timeout=240, stop_timeout=config.stop_timeout)
    return supervisor, upstreams


# ---------------------------------------------------------------------------------------------
# Set-up through the API: the demo's records, a minimum wage, a job order, a watchlist, worker logins
# ---------------------------------------------------------------------------------------------


def readme_body(name: str, **values: str) -> dict:
    """A JSON body of the README's first-contract steps, its placeholders filled (as the tests read them)."""
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"<!-- first-contract: {name} -->\n```json\n(.*?)\n```", text, re.DOTALL)
    if not found:
        raise RuntimeError(f"the README has no first-contract block {name!r}")
    body = found.group(1)
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return json.loads(body)


def checked(response: httpx.Response, *expected: int) -> dict:
    if response.status_code not in expected:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: HTTP {response.status_code} "
                           f"{response.text[:300]}")  # fmt: skip
    return response.json() if response.content else {}


def worker_body(tag: str, rnd: random.Random) -> dict:
    born = datetime(1980, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 20))
    return {
        "full_name": f"Load Worker {tag}",
        "date_of_birth": born.date().isoformat(),
        "sex": rnd.choice(["female", "male"]),
        "nationality": "NP",
        "identity_document": {
            "kind": "passport",
            "number": f"LW{uuid.uuid4().hex[:12].upper()}",
            "issuing_country": "NP",
        },
        "languages": [{"language": "ne", "proficiency": "native"}, {"language": "en", "proficiency": "basic"}],
        "skills": [{"occupation": "7112", "level": "skilled", "years_experience": rnd.randint(1, 15)}],
        "consents": [
            {"purpose": p, "method": "written_signature", "language": "ne"}
            for p in ("registration", "employment_contract")
        ],
    }


@dataclass
class World:
    """What the journeys work with: ids and every role's credentials."""

    gateway: str
    keys: dict[str, str]  # demo username -> API key
    agency_id: str
    employer_id: str
    job_order_id: str
    position_id: str
    workers: list[dict] = field(default_factory=list)  # {"id", "name", "token", ...}: one per virtual user
    last_contract: dict[int, uuid.UUID] = field(default_factory=dict)  # virtual user -> their latest contract


async def worker_login(client: httpx.AsyncClient, world: World, admin: dict[str, str], index: int) -> dict:
    """A worker registered by the agency, their login made by the admin (once the gateway knows the worker from
    the registry's event), activated, and signed in."""
    rnd = random.Random(index)
    agency = {"X-API-Key": world.keys["agency"]}
    body = worker_body(f"Signer {index}", rnd)
    worker = checked(await client.post("/v1/workers", json=body, headers=agency), 201)
    username, password = f"load.signer.{index}.{uuid.uuid4().hex[:6]}", f"load-{uuid.uuid4().hex}"
    deadline = time.monotonic() + 60
    while True:
        made = await client.post(
            "/v1/admin/users", json={"username": username, "worker_id": worker["id"]}, headers=admin
        )
        if made.status_code == 201:
            break
        if made.status_code != 422 or time.monotonic() > deadline:  # 422 until the gateway learns of the worker
            checked(made, 201)
        await asyncio.sleep(0.2)
    code = made.json()["activation"]["code"]
    activation = {"username": username, "code": code, "password": password}
    checked(await client.post("/v1/auth/activate", json=activation), 204)
    token = checked(await client.post("/v1/auth/token", data={"username": username, "password": password}), 200)
    return {"id": worker["id"], "name": body["full_name"], "username": username, "password": password,
            "token": token["access_token"], "signed_in": time.monotonic()}  # fmt: skip


def sign_in_again(world: World) -> None:
    """A new access token for each worker whose token is ten minutes old (they live fifteen)."""
    with httpx.Client(base_url=world.gateway, timeout=120) as client:
        for worker in world.workers:
            if time.monotonic() - worker["signed_in"] > 600:
                form = {"username": worker["username"], "password": worker["password"]}
                worker["token"] = checked(client.post("/v1/auth/token", data=form), 200)["access_token"]
                worker["signed_in"] = time.monotonic()


def set_up(gateway: str, credentials: dict, signers: int, entities: int) -> World:
    keys = {name: user["api_key"] for name, user in credentials["users"].items()}
    demo = seed_demo_businesses(gateway, credentials)
    statuses = vet_demo_businesses(gateway, credentials, demo)
    if set(statuses.values()) - {"approved"}:
        raise RuntimeError(f"the demo businesses were not approved: {statuses}")
    admin = {"X-API-Key": keys["admin"]}
    with httpx.Client(base_url=gateway, timeout=600) as client:
        checked(client.put("/v1/reference/minimum-wages", json=readme_body("minimum-wage"), headers=admin), 200)
        order = job_order_body(
            demo["employer"], demo["recruitment_agency"], reference=f"LOAD-{uuid.uuid4().hex[:6]}",
            signed_on=utcnow().date() - timedelta(days=7), workers=100_000,
        )  # fmt: skip
        job_order = checked(client.post("/v1/job-orders", json=order, headers={"X-API-Key": keys["employer"]}), 201)
        watchlist = checked(
            client.post("/v1/watchlists", json={"name": "load bench list", "kind": "sanctions"}, headers=admin), 201
        )
        lines = "".join(json.dumps(e) + "\n" for e in generate_entities(entities, seed=13)).encode()
        checked(
            client.post(
                f"/v1/watchlists/{watchlist['id']}/imports",
                content=lines,
                headers=admin | {"content-type": "application/x-ndjson"},
            ),
            200,
            201,
            202,
        )
    world = World(
        gateway=gateway,
        keys=keys,
        agency_id=demo["recruitment_agency"],
        employer_id=demo["employer"],
        job_order_id=job_order["id"],
        position_id=job_order["positions"][0]["id"],
    )

    async def logins() -> list[dict]:
        async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
            # A few at a time: each is two password hashes, which the gateway runs on cores - 1 threads.
            out = []
            for start in range(0, signers, 4):
                out += await asyncio.gather(
                    *(worker_login(client, world, admin, i) for i in range(start, min(signers, start + 4)))
                )
            return out

    world.workers = asyncio.run(logins())
    return world


# ---------------------------------------------------------------------------------------------
# The journeys
# ---------------------------------------------------------------------------------------------


class Failed(Exception):
    """A request of a journey did not answer as expected: the rest of that journey is skipped."""


@dataclass
class Recorder:
    elapsed: float = 0.0  # seconds of load
    driver_cpu: float = 0.0  # CPU seconds this process spent driving the load
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    throttled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    placement_seen: list[float] = field(default_factory=list)
    placement_missed: int = 0

    async def call(
        self, op: str, request: Callable[[], Awaitable[httpx.Response]], *expected: int, allowed: tuple = ()
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await request()
        except httpx.HTTPError as exc:
            self.errors[op] += 1
            self._sample(f"{op}: {type(exc).__name__} {exc}")
            raise Failed(op) from exc
        self.latencies[op].append(time.perf_counter() - started)
        if response.status_code in expected or response.status_code in allowed:
            return response
        if response.status_code == 429:
            self.throttled[op] += 1
        else:
            self.errors[op] += 1
            self._sample(f"{op}: HTTP {response.status_code} {response.text[:240]}")
        raise Failed(op)

    def _sample(self, text: str) -> None:
        if len(self.error_samples) < 8:
            self.error_samples.append(text)


def contract_draft(world: World, worker: dict, today: datetime) -> dict:
    departure = today.date() + timedelta(days=30)
    body = readme_body(
        "contract", EMPLOYER_ID=world.employer_id, AGENCY_ID=world.agency_id, WORKER_ID=worker["id"],
        JOB_ORDER_ID=world.job_order_id, POSITION_ID=world.position_id, DEPARTURE_DATE=departure.isoformat(),
        START_DATE=(departure + timedelta(days=2)).isoformat(),
    )  # fmt: skip
    body["terms"]["parties"]["worker"]["full_name"] = worker["name"]
    return body


async def journey(client: httpx.AsyncClient, world: World, rec: Recorder, vu: int, n: int) -> None:
    keys = world.keys
    agency, officer, auditor = ({"X-API-Key": keys[u]} for u in ("agency", "compliance_officer", "auditor"))
    worker = world.workers[vu]
    as_worker = {"Authorization": f"Bearer {worker['token']}"}
    tag = f"{vu}-{n}-{uuid.uuid4().hex[:6]}"
    rnd = random.Random(f"{vu}-{n}")

    business = {
        "kind": "employer", "legal_name": f"Load Builders {tag} LLC", "country": "AE",
        "registration_number": f"LB-{tag}", "sector": "F",
    }  # fmt: skip
    registered = await rec.call(
        "register business", lambda: client.post("/v1/businesses", json=business, headers=agency), 201
    )
    business_id = registered.json()["id"]
    await rec.call(
        "screen business", lambda: client.post(f"/v1/businesses/{business_id}/screenings", headers=officer), 201
    )
    await rec.call(
        "register worker", lambda: client.post("/v1/workers", json=worker_body(tag, rnd), headers=agency), 201
    )
    draft = contract_draft(world, worker, utcnow())
    drafted = await rec.call("draft contract", lambda: client.post("/v1/contracts", json=draft, headers=agency), 201)
    contract_id = drafted.json()["id"]
    issued = await rec.call(
        "issue contract", lambda: client.post(f"/v1/contracts/{contract_id}/issue", headers=agency), 200
    )
    signature = {"version": issued.json()["current_version"], "method": "electronic"}
    await rec.call(
        "sign contract (worker)",
        lambda: client.post(f"/v1/contracts/{contract_id}/sign", json=signature, headers=as_worker),
        200,
    )
    signed_at = time.perf_counter()
    # The registry learns of the signature from contracts' event: the worker's own placements, from the one
    # before this contract on (their history grows by one a journey), until this one shows `signed`.
    params = {"limit": 5} | ({"cursor": encode_cursor(previous)} if (previous := world.last_contract.get(vu)) else {})
    world.last_contract[vu] = uuid.UUID(contract_id)
    placements = f"/v1/workers/{worker['id']}/placements"
    while True:
        seen = await rec.call(
            "poll placement (worker)", lambda: client.get(placements, params=params, headers=as_worker), 200
        )
        if any(p["contract_id"] == contract_id and p["status"] == "signed" for p in seen.json()["items"]):
            rec.placement_seen.append(time.perf_counter() - signed_at)
            break
        if time.perf_counter() - signed_at > 30:
            rec.placement_missed += 1
            break
        await asyncio.sleep(POLL_INTERVAL)
    fee = {
        "category": "recruitment_fee", "amount_minor": rnd.randint(10_000, 5_000_000), "currency": "NPR",
        "payment_method": "cash", "paid_to_business_id": world.agency_id,
        "paid_on": (utcnow().date() - timedelta(days=20)).isoformat(),
    }  # fmt: skip
    await rec.call(
        "report fee (worker)",
        lambda: client.post(f"/v1/workers/{worker['id']}/fees", json=fee, headers=as_worker),
        201,
    )
    await rec.call(
        "dossier (auditor)", lambda: client.get(f"/v1/compliance/businesses/{business_id}", headers=auditor), 200
    )
    service = AUDITED[n % len(AUDITED)]
    await rec.call(
        "audit records (auditor)",
        lambda: client.get(f"/v1/audit/{service}/records", params={"limit": 50}, headers=auditor),
        200,
    )


async def drive(world: World, concurrency: int, seconds: float) -> Recorder:
    rec = Recorder()
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=world.gateway, timeout=60, limits=limits) as client:
        until = time.perf_counter() + seconds

        async def user(vu: int) -> None:
            n = 0
            while time.perf_counter() < until:
                with contextlib.suppress(Failed):
                    await journey(client, world, rec, vu, n)
                n += 1

        async def baseline() -> None:  # /healthz through the gateway every 50 ms, beside the journeys
            while time.perf_counter() < until:
                with contextlib.suppress(Failed):
                    await rec.call("healthz (baseline)", lambda: client.get("/healthz"), 200)
                await asyncio.sleep(0.05)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(baseline(), *(user(vu) for vu in range(concurrency)))
    rec.elapsed = time.perf_counter() - started
    rec.driver_cpu = time.process_time() - cpu
    return rec


# ---------------------------------------------------------------------------------------------
# Propagation from the services' own records: CloudEvent time -> the consumer's inbox processed_at
# ---------------------------------------------------------------------------------------------


def database_urls(config: StackConfig, urls: dict[str, str] | None) -> dict[str, str]:
    if urls:
        return urls
    return {spec.name: f"sqlite+aiosqlite:///{config.var_dir / f'{spec.name}.db'}" for spec in ALL_SERVICES}


def utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def read_events(urls: dict[str, str]) -> tuple[dict[uuid.UUID, tuple], list[tuple]]:
    """({event id: (type, time, sent_at)} from every outbox, [(consumer, event id, processed_at)] from every inbox).
    `sent_at` is set by the relay once the broker acknowledged the publish."""
    sent: dict[uuid.UUID, tuple] = {}
    applied: list[tuple] = []
    metadata = MetaData()
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    for url in urls.values():
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(outbox.c.id, outbox.c.body, outbox.c.sent_at))).all()
                for event_id, body, sent_at in rows:
                    event = json.loads(body)
                    sent[event_id] = (event["type"], datetime.fromisoformat(event["time"]), sent_at)
                query = select(inbox.c.consumer, inbox.c.event_id, inbox.c.processed_at)
                applied += (await conn.execute(query)).all()
        finally:
            await engine.dispose()
    return sent, applied


async def wait_for_consumers(urls: dict[str, str], timeout: float = 30.0) -> None:
    """Until the inboxes stop growing for two seconds (the events of the load's last moments applied)."""
    last, still_since = -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, applied = await read_events(urls)
        if len(applied) != last:
            last, still_since = len(applied), time.monotonic()
        elif time.monotonic() - still_since > 2:
            return
        await asyncio.sleep(0.5)


def propagation(
    sent: dict[uuid.UUID, tuple], applied: list[tuple], since: datetime, until: datetime
) -> dict[str, list[tuple[float, float]]]:
    """{"event type -> consumer": [(seconds to the consumer's commit, seconds to the publish's ack)]} for the
    events made between since and until."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for consumer, event_id, processed_at in applied:
        if event_id not in sent:
            continue
        event_type, at, sent_at = sent[event_id]
        if not since <= at <= until or sent_at is None:
            continue
        name = event_type.removeprefix("org.fairpath.").removesuffix(".v1")
        found[f"{name} -> {consumer}"].append(
            ((utc(processed_at) - at).total_seconds(), (utc(sent_at) - at).total_seconds())
        )
    return found


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report(level: int, rec: Recorder, flows: dict[str, list[tuple]], load_seen: tuple[float, float]) -> dict:
    elapsed = rec.elapsed
    baseline = percentile(rec.latencies["healthz (baseline)"], 0.5)
    every = [x for samples in rec.latencies.values() for x in samples]
    print(f"\nconcurrency {level}: {elapsed:.0f} s of load; load average (1 min) {load_seen[0]:.1f} before, "
          f"{load_seen[1]:.1f} at the end ({os.cpu_count()} cores)")  # fmt: skip
    head = f"  {'operation':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(head + f" {'p50/healthz':>11} {'errors':>6} {'429s':>5}")
    rows = [*rec.latencies.items(), ("all requests", every)]
    for op, samples in rows:
        errors = sum(rec.errors.values()) if op == "all requests" else rec.errors.get(op, 0)
        throttled = sum(rec.throttled.values()) if op == "all requests" else rec.throttled.get(op, 0)
        print(
            f"  {op:<34} {len(samples):8d} {len(samples) / elapsed:7.1f} {ms(percentile(samples, 0.5))} "
            f"{ms(percentile(samples, 0.95))} {ms(percentile(samples, 0.99))} "
            f"{percentile(samples, 0.5) / baseline:10.1f}x {errors:6d} {throttled:5d}"
        )
    for sample in rec.error_samples:
        print(f"    error: {sample}")
    journeys = len(rec.latencies.get("audit records (auditor)", []))
    print(f"  journeys completed: {journeys} ({journeys / elapsed:.1f}/s); this process (the load's driver) used "
          f"{rec.driver_cpu:.1f} s of CPU in {elapsed:.0f} s")  # fmt: skip

    print("  propagation, CloudEvent time -> consumer's inbox processed_at (both just before their commits); of which")
    print("  'published': -> the relay's sent_at (after the broker's ack):")
    print(f"    {'event -> consumer':<52} {'events':>6} {'p50 ms':>8} {'p99 ms':>8} {'published p50':>13} {'p99':>8}")
    everything: list[tuple] = []
    for name, samples in [*sorted(flows.items(), key=lambda item: -len(item[1])), ("all events", None)]:
        if samples is None:
            if not everything:
                break
            samples = everything
        else:
            everything += samples
        total, published = [x[0] for x in samples], [x[1] for x in samples]
        print(
            f"    {name:<52} {len(samples):6d} {ms(percentile(total, 0.5))} {ms(percentile(total, 0.99))} "
            f"    {ms(percentile(published, 0.5))} {ms(percentile(published, 0.99))}"
            + ("   (goal: p99 < 100 ms)" if samples is everything else "")
        )
    seen = rec.placement_seen
    if seen:
        print(f"  propagation as the worker sees it, signature returned -> placement `signed` in the registry "
              f"(polled every {POLL_INTERVAL * 1000:.0f} ms): {len(seen)} contracts, p50 {ms(percentile(seen, 0.5))} ms, "
              f"p99 {ms(percentile(seen, 0.99))} ms; not seen within 30 s: {rec.placement_missed}")  # fmt: skip
    return {
        "level": level,
        "rate": len(every) / elapsed,
        "p99": percentile(every, 0.99),
        "errors": sum(rec.errors.values()),
        "propagation_p99": percentile([x[0] for x in everything], 0.99) if everything else float("nan"),
    }


def capacity(levels: list[dict]) -> None:
    print("\nconcurrency   req/s   p99 ms   errors   propagation p99 ms")
    for found in levels:
        print(f"  {found['level']:9d} {found['rate']:7.1f} {ms(found['p99'])} {found['errors']:8d}   "
              f"{ms(found['propagation_p99'])}")  # fmt: skip
    best = levels[0]
    for previous, found in zip(levels, levels[1:], strict=False):
        if found["rate"] >= previous["rate"] * 1.1 and found["p99"] <= levels[0]["p99"] * 2:
            best = found
        else:
            break
    print(f"capacity: concurrency {best['level']}, {best['rate']:.1f} req/s (throughput grows by >= 10 % and p99 "
          f"stays within twice the first level's up to there)")  # fmt: skip


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--replicas", type=int, default=1, help="processes of each domain service (default 1)")
    parser.add_argument("--seconds", type=float, default=20, help="seconds of load per level (default 20)")
    parser.add_argument("--concurrency", default="2,4,8", help="virtual users, or levels in turn (default 2,4,8)")
    parser.add_argument("--entities", type=int, default=2000, help="watchlist entities screened against")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of unmeasured load first (default 5)")
    parser.add_argument("--postgres-url", default=None, help="where to create the databases (an admin URL)")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    if args.replicas < 1 or (args.replicas > 1 and args.database != "postgresql"):
        parser.error("--replicas above 1 needs --database postgresql (a SQLite file is one process's database)")
    admin_url = (
        args.postgres_url
        or os.environ.get("FAIRPATH_BENCH_POSTGRES_URL")
        or os.environ.get("FAIRPATH_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES
    )
    print(f"bench load: {args.database}, {args.replicas} replica(s) of each domain service, concurrency "
          f"{args.concurrency}, {args.seconds:.0f} s per level; cores {os.cpu_count()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    urls: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="fairpath-bench-load-") as tmp:
        try:
            extra = {**RAISED_LIMITS}
            if args.database == "postgresql":
                urls = asyncio.run(create_databases(admin_url, uuid.uuid4().hex[:8]))
                for spec in ALL_SERVICES:
                    extra[f"{spec.settings_prefix}DATABASE_URL"] = urls[spec.name]
                    os.environ[f"{spec.settings_prefix}DATABASE_URL"] = urls[spec.name]  # the demo accounts' too
            ports = {spec.name: free_port() for spec in ALL_SERVICES}
            config = StackConfig(var_dir=Path(tmp) / "var", ports=ports, nats_port=free_port(), cwd=ROOT,
                                 extra_env=extra)  # fmt: skip
            supervisor, upstreams = build_replicated_stack(config, args.replicas)
            credentials = ensure_demo_identities(config.var_dir, config.gateway_url)
            supervisor.start()
            try:
                print(f"stack ready in {supervisor.ready_after:.1f} s: gateway {config.gateway_url}, "
                      + "; ".join(f"{name} {', '.join(found)}" for name, found in upstreams.items()))  # fmt: skip
                started = time.perf_counter()
                world = set_up(config.gateway_url, credentials, max(levels), args.entities)
                print(f"set up in {time.perf_counter() - started:.0f} s: demo businesses approved, a job order, "
                      f"{args.entities} listed entities, {len(world.workers)} worker logins")  # fmt: skip
                if args.warmup > 0:
                    # Unmeasured: every code path's first run (a consumer's first event of a kind, the first
                    # statements' compilation) belongs to a process's start, not to the load it carries.
                    sign_in_again(world)
                    asyncio.run(drive(world, levels[0], args.warmup))
                    asyncio.run(wait_for_consumers(database_urls(config, urls)))
                    print(f"warmed up: {args.warmup:.0f} s of the same load at concurrency {levels[0]}, not measured")
                results = []
                for level in levels:
                    sign_in_again(world)
                    before = os.getloadavg()[0]
                    since = utcnow()
                    rec = asyncio.run(drive(world, level, args.seconds))
                    until = utcnow()
                    after = os.getloadavg()[0]
                    urls_now = database_urls(config, urls)
                    asyncio.run(wait_for_consumers(urls_now))
                    sent, applied = asyncio.run(read_events(urls_now))
                    results.append(report(level, rec, propagation(sent, applied, since, until), (before, after)))
                if len(results) > 1:
                    capacity(results)
                failed = sum(r["errors"] for r in results)
                print(f"\n{'PASS' if not failed else 'FAILED'}: {failed} errors")
            finally:
                supervisor.stop()
        finally:
            if urls:
                asyncio.run(drop_databases(admin_url, urls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
