"""Benchmark: a job order's candidate shortlist beside a primary-key fetch, at a million workers.

    ./fairpath bench matching [--workers N] [--agencies K] [--rounds R] [--consenting P] [--sqlite]
                              [--postgres-url URL] [--keep | --database NAME]

Generates N workers (1,000,000 by default) straight into the registry's tables (COPY on PostgreSQL, batched
executemany on SQLite), sealed as the API seals them (bench/registry.py's generator): spread over K agencies,
one or two skills each across ISCO-08 groups, one to three languages, consent to registration, 30% currently
placed, 2% of the others with a contract pending elsewhere, and a share P of the workers of other agencies consenting to be
considered by the job order's employer and, as many again, by the calling agency. Then a job order projection
as contracts posts it (an employer, the first agency, one position for a bricklayer, 7112, asking English and
Arabic and three years).

Then R rounds, each: a primary-key fetch of one of the agency's workers (`GET /v1/workers/{id}`, the
baseline), the agency's shortlist of 50 (`GET /v1/candidates?job_order_id=&limit=50`: its own workers and
those consenting to it) and the employer's (consenting workers only, each read audited); all through the
registry app in process (httpx over ASGI, principals minted as the gateway signs them). Prints p50 and p95 of
each, the ratio to the baseline's, and whether each shortlist's p95 is under 200 ms (the aim).

PostgreSQL comes from --postgres-url, else FAIRPATH_BENCH_POSTGRES_URL, else FAIRPATH_TEST_POSTGRES_URL, else
postgresql://postgres@127.0.0.1:5432/postgres; the benchmark creates its own database and drops it afterwards
(`--keep` keeps it, VACUUMed and ANALYZEd as autovacuum would leave it after a bulk load; `--database NAME`
measures again on a database kept that way, migrated to the newest schema first, without generating). `--sqlite`
runs on a SQLite file in a temporary folder instead.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from registry import (  # bench/registry.py, beside this script
    HASH_KEY,
    KEY_RING,
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
    rows_of,
    settings_for,
    worker_body,
)
from sqlalchemy import func, insert, select, text

from fairpath.common.auth import Principal, Role
from fairpath.common.db import Database
from fairpath.common.domain_codes import ConsentPurpose, ContractStatus, ContractTerm
from fairpath.common.ids import uuid7
from fairpath.common.migrations import upgrade
from fairpath.common.testing import PrincipalMinter, make_principal, throwaway_keypair
from fairpath.common.timeutil import utcnow
from fairpath.registry.app import MIGRATIONS, create_app
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.matching.tables import JobOrderPositionProjection, JobOrderProjection
from fairpath.registry.workers.tables import (
    ConsentRecord,
    Placement,
    Worker,
    WorkerLanguage,
    WorkerRecruiterConsent,
    WorkerSkill,
)

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SHORTLIST = 50
TARGET_MS = 200.0
PLACED = 0.3
PENDING_ELSEWHERE = 0.02
CHUNK = 20_000
# In the order a worker's rows must go in (the foreign keys to `worker`).
TABLES = (Worker, WorkerLanguage, WorkerSkill, ConsentRecord, WorkerRecruiterConsent, Placement)


class Agency:
    def __init__(self) -> None:
        self.organization_id, self.business_id = uuid7(), uuid7()


def considered_rows(worker: dict, recruiter_id: uuid.UUID, language: str) -> tuple[dict, dict]:
    """The consent record and the row in force of a worker's consent to be considered by a recruiter."""
    now = worker["created_at"]
    record = {
        "id": uuid7(),
        "worker_id": worker["id"],
        "purpose": ConsentPurpose.considered_by_recruiter,
        "granted": True,
        "method": "written_signature",
        "language": language,
        "given_at": now,
        "business_id": recruiter_id,
        "recorded_by": worker["registered_by"],
        "recorded_at": now,
    }
    in_force = {
        "worker_id": worker["id"],
        "recruiter_id": recruiter_id,
        "consent_record_id": record["id"],
        "granted_at": now,
    }
    return record, in_force


def pending_contract(worker_id: uuid.UUID, employer_id: uuid.UUID, occupation: str) -> dict:
    """A contract issued elsewhere and not yet begun: the worker is committed elsewhere."""
    return {
        "contract_id": uuid7(),
        "worker_id": worker_id,
        "employer_id": employer_id,
        "agency_ids": [],
        "job_order_id": None,
        "status": ContractStatus.issued,
        "term": ContractTerm.fixed_period,
        "start_date": date.today() + timedelta(days=60),
        "destination_country": "AE",
        "occupation": occupation,
        "rehire_eligible": False,
        "version": 1,
        "updated_at": utcnow(),
    }


class Writer:
    """Bulk rows into the registry's tables: COPY on PostgreSQL, executemany in large batches on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")
        self.conn: asyncpg.Connection | None = None
        self.database: Database | None = None

    async def __aenter__(self) -> "Writer":
        if self.postgres:
            self.conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg://", "postgresql://"))
        else:
            self.database = Database(self.url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            # As autovacuum leaves a table after a bulk load: statistics, and the visibility map index-only
            # scans need.
            await self.conn.execute("VACUUM ANALYZE")
            await self.conn.close()
        if self.database is not None:
            async with self.database.engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
            await self.database.dispose()

    async def write(self, rows: dict[type, list[dict]]) -> None:
        if self.conn is not None:
            for model in TABLES:
                if not rows[model]:
                    continue
                columns = list(rows[model][0])
                records = [
                    tuple(json.dumps(r[c]) if isinstance(r[c], list) else r[c] for c in columns) for r in rows[model]
                ]
                await self.conn.copy_records_to_table(model.__tablename__, records=records, columns=columns)
            return
        async with self.database.session() as session:
            for model in TABLES:
                if rows[model]:
                    await session.execute(insert(model.__table__), rows[model])


async def generate(
    url: str, total: int, agencies: list[Agency], employer_id: uuid.UUID, consenting: float, seed: int = 17
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Writes `total` workers; returns a sample of the first agency's worker ids (the baseline's fetches)."""
    cipher = FieldCipher(KEY_RING, HASH_KEY)
    rng = random.Random(seed)
    caller, other_employer = agencies[0], uuid7()
    sample: list[uuid.UUID] = []
    started = time.perf_counter()
    async with Writer(url) as writer:
        for offset in range(0, total, CHUNK):
            rows: dict[type, list[dict]] = {model: [] for model in TABLES}
            for i in range(offset, min(total, offset + CHUNK)):
                agency = agencies[i % len(agencies)]
                body = worker_body(rng, i)
                one = rows_of(cipher, body, agency.organization_id, f"agency:{agency.organization_id}")
                worker = one["worker"][0]
                worker["agency_business_id"] = agency.business_id
                worker["currently_placed"] = rng.random() < PLACED
                language = body["languages"][0]["language"]
                if agency is not caller:
                    for recruiter in (employer_id, caller.business_id):
                        if rng.random() < consenting:
                            record, in_force = considered_rows(worker, recruiter, language)
                            rows[ConsentRecord].append(record)
                            rows[WorkerRecruiterConsent].append(in_force)
                            if ConsentPurpose.considered_by_recruiter not in worker["consents"]:
                                worker["consents"].append(ConsentPurpose.considered_by_recruiter)
                elif len(sample) < 5000:
                    sample.append(worker["id"])
                if not worker["currently_placed"] and rng.random() < PENDING_ELSEWHERE:
                    occupation = body["skills"][0]["occupation"]
                    rows[Placement].append(pending_contract(worker["id"], other_employer, occupation))
                rows[Worker].append(worker)
                rows[WorkerLanguage].extend(one["languages"])
                rows[WorkerSkill].extend(one["skills"])
                rows[ConsentRecord].extend(one["consents"])
            await writer.write(rows)
            done = min(total, offset + CHUNK)
            rate = done / (time.perf_counter() - started)
            print(f"\r  generated {done:,} / {total:,} workers ({rate:,.0f}/s)", end="", flush=True)
        print()
    return sample


async def post_job_order(url: str, employer_id: uuid.UUID, agency: Agency) -> uuid.UUID:
    """The job order as the registry keeps it from contracts' event: the employer, one agency, one position."""
    database = Database(url)
    job_order_id, now = uuid7(), utcnow()
    try:
        async with database.session() as session:
            session.add(
                JobOrderProjection(
                    job_order_id=job_order_id,
                    employer_id=employer_id,
                    agency_ids=[str(agency.business_id)],
                    destination_country="AE",
                    posted_at=now,
                    version=1,
                    updated_at=now,
                )
            )
            session.add(
                JobOrderPositionProjection(
                    position_id=uuid7(),
                    job_order_id=job_order_id,
                    occupation="7112",
                    title="Bricklayer",
                    number_of_workers=40,
                    languages=["en", "ar"],
                    minimum_years=3,
                )
            )
    finally:
        await database.dispose()
    return job_order_id


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


async def measure(
    url: str, var_dir: Path, job_order_id: uuid.UUID, agency: Agency, employer_id: uuid.UUID, ids: list, rounds: int
) -> dict[str, list[float]]:
    keypair = throwaway_keypair()
    minter = PrincipalMinter(keypair)
    app = create_app(settings_for(url, var_dir, keypair.public_pem))
    rng = random.Random(5)
    # Principals, signed afresh for each request as the gateway signs them (a token lives five minutes).
    agency_principal = make_principal(
        Role.agency, organization_id=agency.organization_id, business_id=agency.business_id
    )
    employer_principal = make_principal(Role.employer, business_id=employer_id)
    params = {"job_order_id": str(job_order_id), "limit": str(SHORTLIST)}
    timings: dict[str, list[float]] = {"fetch": [], "agency": [], "employer": []}
    sizes: dict[str, int] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=300) as client:

            async def timed(kind: str, path: str, principal: Principal, query: dict | None = None) -> float:
                headers = minter.headers(principal)
                start = time.perf_counter()
                r = await client.get(path, params=query, headers=headers)
                elapsed = time.perf_counter() - start
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
                if kind != "fetch":
                    sizes[kind] = len(r.json()["candidates"])
                return elapsed

            async def one_round() -> dict[str, float]:
                return {
                    "fetch": await timed("fetch", f"/v1/workers/{rng.choice(ids)}", agency_principal),
                    "agency": await timed("agency", "/v1/candidates", agency_principal, params),
                    "employer": await timed("employer", "/v1/candidates", employer_principal, params),
                }

            for _ in range(3):  # warm-up: connections, caches, the first request's imports
                await one_round()
            for _ in range(rounds):
                for kind, elapsed in (await one_round()).items():
                    timings[kind].append(elapsed)
    for kind, size in sizes.items():
        if size != SHORTLIST:
            print(f"  note: the {kind}'s shortlist held {size} candidates, not {SHORTLIST}")
    return timings


async def pool_sizes(url: str, agency: Agency, employer_id: uuid.UUID) -> tuple[int, int]:
    """How many workers each caller's pool holds before the filters (what the shortlist weighs)."""
    database = Database(url)
    try:
        async with database.session(read_only=True) as session:
            own = await session.scalar(
                select(func.count()).where(Worker.agency_organization_id == agency.organization_id)
            )
            consenting = {
                r: await session.scalar(select(func.count()).where(WorkerRecruiterConsent.recruiter_id == r))
                for r in (agency.business_id, employer_id)
            }
    finally:
        await database.dispose()
    return own + consenting[agency.business_id], consenting[employer_id]


async def kept(url: str) -> tuple[uuid.UUID, Agency, uuid.UUID, list[uuid.UUID], int]:
    """A database an earlier run kept: its job order, the calling agency, the employer, a sample of the agency's
    workers and how many workers there are."""
    database = Database(url)
    try:
        async with database.session(read_only=True) as session:
            order = (await session.execute(select(JobOrderProjection))).scalars().one()
            agency = Agency()
            agency.business_id = uuid.UUID(order.agency_ids[0])
            agency.organization_id = await session.scalar(
                select(Worker.agency_organization_id).where(Worker.agency_business_id == agency.business_id).limit(1)
            )
            sample = select(Worker.id).where(Worker.agency_organization_id == agency.organization_id).limit(5000)
            ids = list((await session.execute(sample)).scalars())
            total = await session.scalar(select(func.count()).select_from(Worker))
    finally:
        await database.dispose()
    async with Writer(url):  # VACUUM ANALYZE: the new indexes of a migration included
        pass
    return order.job_order_id, agency, order.employer_id, ids, total


async def run(url: str, var_dir: Path, args: argparse.Namespace) -> bool:
    database = Database(url)
    await upgrade(database, MIGRATIONS)
    await database.dispose()
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    if args.database:
        job_order_id, agency, employer_id, ids, args.workers = await kept(url)
        print(f"matching on {backend}: {args.workers:,} workers kept in {args.database}")
    else:
        agencies = [Agency() for _ in range(args.agencies)]
        agency, employer_id = agencies[0], uuid7()
        print(f"matching on {backend}: generating {args.workers:,} workers across {args.agencies} agencies")
        started = time.perf_counter()
        ids = await generate(url, args.workers, agencies, employer_id, args.consenting)
        generation = time.perf_counter() - started
        print(f"  generation (rows, indexes, VACUUM ANALYZE): {generation:,.0f} s")
        job_order_id = await post_job_order(url, employer_id, agency)
    agency_pool, employer_pool = await pool_sizes(url, agency, employer_id)

    timings = await measure(url, var_dir, job_order_id, agency, employer_id, ids, args.rounds)
    fetch50, fetch95 = percentile(timings["fetch"], 50), percentile(timings["fetch"], 95)
    print(
        f"shortlist of {SHORTLIST} for one position (7112) with {args.workers:,} workers on {backend}, "
        f"{args.rounds} rounds (in-process API over ASGI)"
    )
    print(f"  {'':44s} {'p50 ms':>9s} {'p95 ms':>9s} {'p95 ratio':>10s}")
    print(f"  {'primary-key fetch  GET /v1/workers/{id}':44s} {fetch50:9.2f} {fetch95:9.2f} {1:10.2f}")
    met = True
    for kind, label, pool in (
        ("agency", "agency's shortlist", agency_pool),
        ("employer", "employer's shortlist", employer_pool),
    ):
        p50, p95 = percentile(timings[kind], 50), percentile(timings[kind], 95)
        met &= p95 < TARGET_MS
        name = f"{label} ({pool:,} in its pool)"
        print(f"  {name:44s} {p50:9.2f} {p95:9.2f} {p95 / fetch95:10.2f}")
    verdict = "yes" if met else "no"
    print(f"  both shortlists' p95 under {TARGET_MS:.0f} ms: {verdict}")
    return met


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1_000_000, help="generated workers")
    parser.add_argument("--agencies", type=int, default=50, help="agencies the workers are spread over")
    parser.add_argument("--rounds", type=int, default=50, help="timed rounds (a fetch and two shortlists each)")
    parser.add_argument(
        "--consenting",
        type=float,
        default=0.01,
        help="share of other agencies' workers consenting to be considered by the employer (and by the agency)",
    )
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the generated PostgreSQL database")
    parser.add_argument(
        "--database", default="", help="measure on a PostgreSQL database an earlier run kept (no generation)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        if args.sqlite:
            await run(f"sqlite+aiosqlite:///{tmp}/matching-bench.db", var_dir, args)
            return 0
        admin_url = postgres_admin_url(args) or DEFAULT_POSTGRES
        if args.database:
            base = admin_url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
            await run(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{args.database}", var_dir, args)
            return 0
        name = f"fp_bench_matching_{uuid.uuid4().hex[:6]}"
        url = await create_postgres_database(admin_url, name)
        try:
            await run(url, var_dir, args)
        finally:
            if args.keep:
                print(f"kept database {name}")
            else:
                await drop_postgres_database(admin_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
