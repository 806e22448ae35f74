"""Benchmark: worker registration through the API beside bare inserts, and search beside primary-key fetches.

    ./fairpath bench registry [--register N] [--workers N | --full] [--postgres-url URL] [--skip-search]

1. Registration: N workers through `POST /v1/workers` (the app in-process over ASGI: validation,
   minimum age, duplicate hash, AES-GCM sealing, audit entry, outbox row, the response), against a
   bare insert of the same rows (worker, languages, skills, consent; one transaction per worker,
   values sealed beforehand) into the same database, in alternating rounds (medians), sequentially
   and with 8 concurrent requests. Prints workers/s and the ratio
   (the aim: at least 0.25). SQLite by default (the embedded default); `--register-on-postgres`
   runs this part on PostgreSQL instead.
2. Search on PostgreSQL: generates workers with COPY (200,000 by default so a run takes a few
   minutes on a laptop; `--full` for the full 1,000,000), then measures p95 latency of typical
   filtered searches (`GET /v1/workers?...`, an agency's and an employer's) against the p95 of a
   primary-key fetch (`GET /v1/workers/{id}`) in the same run, through the same in-process API, and
   the same comparison at the SQL level. Prints the ratios (the aim: search p95 within 10x).

PostgreSQL comes from --postgres-url, else FAIRPATH_BENCH_POSTGRES_URL, else FAIRPATH_TEST_POSTGRES_URL;
the benchmark creates its own database and drops it afterwards (`--keep` keeps it).
"""

import argparse
import asyncio
import json
import os
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
from sqlalchemy import insert, text

from fairpath.common.auth import Role
from fairpath.common.config import CommonSettings
from fairpath.common.db import Database
from fairpath.common.ids import uuid7
from fairpath.common.migrations import upgrade
from fairpath.common.testing import PrincipalMinter, make_principal, throwaway_keypair
from fairpath.common.timeutil import utcnow
from fairpath.registry.app import MIGRATIONS, create_app
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.workers.schemas import PROFICIENCY_RANK, SKILL_RANK, Proficiency, SkillLevel, WorkerStatus
from fairpath.registry.workers.tables import ConsentRecord, Worker, WorkerLanguage, WorkerSkill

KEY_RING = "bench1:" + "B" * 43
HASH_KEY = "bench-hash-key"

NATIONALITIES = ["NP", "BD", "IN", "PH", "LK", "PK", "ID", "VN", "MM", "KE", "UG", "ET", "GH", "NG", "MA"]
NATIONALITY_WEIGHTS = [14, 12, 16, 14, 6, 8, 10, 6, 4, 3, 2, 2, 1, 1, 1]
LANGUAGES = ["en", "ar", "hi", "ne", "bn", "fil", "ur", "id", "vi", "sw", "ta", "si"]
OCCUPATIONS = [  # common occupations of labour migration (ISCO-08 unit groups)
    "7112",
    "7115",
    "7121",
    "7126",
    "7212",
    "7231",
    "7411",
    "8322",
    "8332",
    "8342",
    "9111",
    "9112",
    "9121",
    "9211",
    "9313",
    "9329",
    "9412",
    "5120",
    "5131",
    "5141",
    "5153",
    "5322",
    "6111",
    "6121",
    "3221",
    "2221",
    "7119",
    "7122",
    "7131",
    "7213",
    "7214",
    "7233",
    "8121",
    "8160",
    "8211",
    "9214",
    "9312",
    "9333",
    "9622",
]
LEVELS = list(SkillLevel)
PROFICIENCIES = list(Proficiency)


def postgres_admin_url(args: argparse.Namespace) -> str | None:
    return (
        args.postgres_url
        or os.environ.get("FAIRPATH_BENCH_POSTGRES_URL")
        or os.environ.get("FAIRPATH_TEST_POSTGRES_URL")
    )


async def create_postgres_database(admin_url: str, name: str) -> str:
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return plain.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def drop_postgres_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def worker_body(rng: random.Random, i: int) -> dict:
    birth = date(1975, 1, 1) + timedelta(days=rng.randrange(0, 365 * 28))
    langs = rng.sample(LANGUAGES, rng.randint(1, 3))
    return {
        "full_name": f"Benchmark Worker {i}",
        "date_of_birth": birth.isoformat(),
        "sex": rng.choice(["female", "male"]),
        "nationality": rng.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0],
        "identity_document": {
            "kind": "passport",
            "number": f"BX{i:08d}{rng.randrange(10**6):06d}",
            "issuing_country": "NP",
        },
        "phone": f"+97798{rng.randrange(10**8):08d}",
        "languages": [{"language": lang, "proficiency": rng.choice(PROFICIENCIES).value} for lang in langs],
        "skills": [
            {"occupation": occ, "level": rng.choice(LEVELS).value, "years_experience": rng.randint(0, 15)}
            for occ in rng.sample(OCCUPATIONS, rng.randint(1, 2))
        ],
        "education": rng.choice(["primary", "lower_secondary", "upper_secondary", "post_secondary_vocational"]),
        "origin_region": "Bench Region",
        "consents": [{"purpose": "registration", "method": "written_signature", "language": langs[0]}],
    }


def rows_of(cipher: FieldCipher, body: dict, organization_id: uuid.UUID, actor: str) -> dict[str, list[dict]]:
    """The rows the API writes for one worker (but the audit entry and the outbox row), sealed beforehand."""
    wid, now = uuid7(), utcnow()
    doc = body["identity_document"]
    consents = [c["purpose"] for c in body["consents"]]
    worker = {
        "id": wid,
        "status": WorkerStatus.active,
        "agency_organization_id": organization_id,
        "agency_business_id": None,
        "registered_by": actor,
        "full_name_sealed": cipher.seal(body["full_name"], record=wid, field="full_name"),
        "date_of_birth_sealed": cipher.seal(body["date_of_birth"], record=wid, field="date_of_birth"),
        "document_number_sealed": cipher.seal(doc["number"], record=wid, field="document_number"),
        "phone_sealed": cipher.seal(body["phone"], record=wid, field="phone"),
        "document_kind": doc["kind"],
        "document_country": doc["issuing_country"],
        "document_hash": cipher.blind_index(doc["issuing_country"], doc["kind"], doc["number"]),
        "sex": body["sex"],
        "nationality": body["nationality"],
        "origin_region": body["origin_region"],
        "education": body["education"],
        "consents": consents,
        "currently_placed": False,
        "rehire_eligible": False,
        "pseudonym": None,
        "erased_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    languages = [
        {
            "worker_id": wid,
            "language": lang["language"],
            "proficiency": lang["proficiency"],
            "proficiency_rank": PROFICIENCY_RANK[Proficiency(lang["proficiency"])],
            "preference": n,
        }
        for n, lang in enumerate(body["languages"])
    ]
    skills = [
        {
            "worker_id": wid,
            "occupation": s["occupation"],
            "major": s["occupation"][:1],
            "sub_major": s["occupation"][:2],
            "minor": s["occupation"][:3],
            "unit": s["occupation"],
            "level": s["level"],
            "level_rank": SKILL_RANK[SkillLevel(s["level"])],
            "years_experience": s["years_experience"],
        }
        for s in body["skills"]
    ]
    consent_rows = [
        {
            "id": uuid7(),
            "worker_id": wid,
            "purpose": c["purpose"],
            "granted": True,
            "method": c["method"],
            "language": c["language"],
            "given_at": now,
            "recorded_by": actor,
            "recorded_at": now,
        }
        for c in body["consents"]
    ]
    return {"worker": [worker], "languages": languages, "skills": skills, "consents": consent_rows}


async def in_parallel(jobs: list, concurrency: int) -> float:
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def run() -> None:
        while not queue.empty():
            await queue.get_nowait()()

    start = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(concurrency)))
    return time.perf_counter() - start


def settings_for(url: str, var_dir: Path, public_pem: str) -> RegistrySettings:
    common = CommonSettings(
        env="test",
        var_dir=var_dir,
        principal_public_key=public_pem,
        audit_digest_key="bench-audit-key",
        log_level="WARNING",
    )
    return RegistrySettings(
        database_url=url, common=common, events_enabled=False, encryption_keys=KEY_RING, hash_key=HASH_KEY
    )


async def bench_registration(url: str, var_dir: Path, n: int, concurrency: int, rounds: int = 5) -> tuple[float, float]:
    """Median workers/s of each side over `rounds` alternating rounds of n/rounds workers, so that a
    change in the machine's load during the run weighs on both sides alike."""
    keypair = throwaway_keypair()
    minter = PrincipalMinter(keypair)
    app = create_app(settings_for(url, var_dir, keypair.public_pem))
    rng = random.Random(7)
    per_round = max(1, n // rounds)
    async with app.router.lifespan_context(app):
        database: Database = app.state.database
        cipher = FieldCipher(KEY_RING, HASH_KEY)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            agency = make_principal(Role.agency)
            headers = minter.headers(agency)

            def post(body: dict):
                async def go() -> None:
                    r = await client.post("/v1/workers", json=body, headers=headers)
                    if r.status_code != 201:
                        raise RuntimeError(f"registration failed: {r.status_code} {r.text[:300]}")

                return go

            def insert_one(rows: dict):
                async def go() -> None:
                    async with database.session() as session:
                        await session.execute(insert(Worker.__table__), rows["worker"])
                        await session.execute(insert(WorkerLanguage.__table__), rows["languages"])
                        await session.execute(insert(WorkerSkill.__table__), rows["skills"])
                        await session.execute(insert(ConsentRecord.__table__), rows["consents"])

                return go

            def bare_rows(first: int) -> list[dict]:
                return [
                    rows_of(cipher, worker_body(rng, first + i), agency.organization_id, agency.actor)
                    for i in range(per_round)
                ]

            await in_parallel([post(worker_body(rng, 10**8 + i)) for i in range(100)], concurrency)  # warm-up
            await in_parallel([insert_one(r) for r in bare_rows(3 * 10**8)], concurrency)
            api_rates, bare_rates = [], []
            for r in range(rounds):
                bodies = [worker_body(rng, r * per_round + i) for i in range(per_round)]
                api_rates.append(per_round / await in_parallel([post(b) for b in bodies], concurrency))
                rows = bare_rows(2 * 10**8 + r * per_round)
                bare_rates.append(per_round / await in_parallel([insert_one(x) for x in rows], concurrency))
    return statistics.median(api_rates), statistics.median(bare_rates)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94] * 1000


async def generate(url: str, total: int, agencies: list[uuid.UUID], seed: int = 11) -> list[uuid.UUID]:
    """COPY `total` workers (sealed like the API seals them) with languages, skills and consents."""
    cipher = FieldCipher(KEY_RING, HASH_KEY)
    rng = random.Random(seed)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    sample_ids: list[uuid.UUID] = []
    chunk = 20_000
    started = time.perf_counter()
    try:
        for offset in range(0, total, chunk):
            tables: dict[str, list[dict]] = {"worker": [], "languages": [], "skills": [], "consents": []}
            for i in range(offset, min(total, offset + chunk)):
                rows = rows_of(cipher, worker_body(rng, i), rng.choice(agencies), "agency:bench")
                rows["worker"][0]["currently_placed"] = rng.random() < 0.3
                rows["worker"][0]["consents"] = json.dumps(rows["worker"][0]["consents"])
                for name, values in rows.items():
                    tables[name].extend(values)
            if len(sample_ids) < 5000:
                sample_ids.extend(w["id"] for w in tables["worker"][:500])
            for table, name in (
                ("worker", "worker"),
                ("worker_language", "languages"),
                ("worker_skill", "skills"),
                ("consent_record", "consents"),
            ):
                rows = tables[name]
                columns = list(rows[0])
                await conn.copy_records_to_table(
                    table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns
                )
            done = min(total, offset + chunk)
            rate = done / (time.perf_counter() - started)
            print(f"\r  generated {done:,} / {total:,} workers ({rate:,.0f}/s)", end="", flush=True)
        print()
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return sample_ids


async def bench_search(url: str, var_dir: Path, total: int, rounds: int) -> None:
    database = Database(url)
    await upgrade(database, MIGRATIONS)
    await database.dispose()
    agencies = [uuid7() for _ in range(50)]  # Morocco's ANAPEC: 300,000 profiles across 50 agencies
    print(f"search on PostgreSQL: generating {total:,} workers across {len(agencies)} agencies")
    ids = await generate(url, total, agencies)

    keypair = throwaway_keypair()
    minter = PrincipalMinter(keypair)
    app = create_app(settings_for(url, var_dir, keypair.public_pem))
    rng = random.Random(3)
    async with app.router.lifespan_context(app):
        database = app.state.database
        owners = {}
        async with database.session(read_only=True) as s:
            for row in await s.execute(
                text("SELECT id, agency_organization_id FROM worker WHERE id = ANY(:ids)"), {"ids": ids}
            ):
                owners[row.id] = row.agency_organization_id
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
            headers_of = {a: minter.headers(make_principal(Role.agency, organization_id=a)) for a in agencies}
            employer = minter.headers(make_principal(Role.employer, business_id=uuid7()))

            def agency_search() -> tuple[dict, dict]:
                params = rng.choice(
                    [
                        {"occupation": rng.choice(OCCUPATIONS), "available": "true"},
                        {
                            "nationality": rng.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0],
                            "language": rng.choice(LANGUAGES),
                        },
                        {
                            "occupation": rng.choice(OCCUPATIONS)[:2],
                            "skill_level": "skilled",
                            "nationality": rng.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0],
                        },
                        {"occupation": rng.choice(OCCUPATIONS), "language": "ar", "available": "true"},
                    ]
                )
                return params | {"limit": "20"}, headers_of[rng.choice(agencies)]

            def employer_search() -> tuple[dict, dict]:
                return {
                    "occupation": rng.choice(OCCUPATIONS),
                    "nationality": rng.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0],
                    "available": "true",
                    "limit": "20",
                }, employer

            async def timed(call) -> float:
                start = time.perf_counter()
                r = await call()
                if r.status_code != 200:
                    raise RuntimeError(f"{r.status_code} {r.text[:300]}")
                return time.perf_counter() - start

            async def fetch() -> float:
                wid = rng.choice(ids)
                return await timed(lambda: client.get(f"/v1/workers/{wid}", headers=headers_of[owners[wid]]))

            async def search(make) -> float:
                params, headers = make()
                return await timed(lambda: client.get("/v1/workers", params=params, headers=headers))

            for _ in range(50):  # warm-up
                await fetch()
                await search(agency_search)
            fetches, searches, employer_searches = [], [], []
            for _ in range(rounds):
                fetches.append(await fetch())
                searches.append(await search(agency_search))
                employer_searches.append(await search(employer_search))

        # The same comparison without HTTP, presentation or decryption: the SQL alone.
        sql_pk, sql_search = [], []
        async with database.engine.connect() as conn:
            for _ in range(rounds):
                wid = rng.choice(ids)
                start = time.perf_counter()
                (await conn.execute(text("SELECT * FROM worker WHERE id = :id"), {"id": wid})).all()
                sql_pk.append(time.perf_counter() - start)
                start = time.perf_counter()
                (
                    await conn.execute(
                        text(
                            "SELECT * FROM worker WHERE agency_organization_id = :a AND currently_placed = false AND "
                            "EXISTS (SELECT 1 FROM worker_skill s WHERE s.worker_id = worker.id AND s.unit = :o) "
                            "ORDER BY id LIMIT 21"
                        ),
                        {"a": rng.choice(agencies), "o": rng.choice(OCCUPATIONS)},
                    )
                ).all()
                sql_search.append(time.perf_counter() - start)

    fetch_p95, search_p95, employer_p95 = p95(fetches), p95(searches), p95(employer_searches)
    print(f"search with {total:,} workers on PostgreSQL, {rounds} requests each (p95, in-process API over ASGI)")
    print(f"  primary-key fetch  GET /v1/workers/{{id}}        : {fetch_p95:8.2f} ms")
    print(
        f"  agency search      GET /v1/workers?... (20/page) : {search_p95:8.2f} ms   ratio {search_p95 / fetch_p95:5.2f}  (target <= 10)"
    )
    print(
        f"  employer search    consented profiles, audited   : {employer_p95:8.2f} ms   ratio {employer_p95 / fetch_p95:5.2f}"
    )
    print(
        f"  SQL only: pk {p95(sql_pk):.2f} ms, filtered search {p95(sql_search):.2f} ms, "
        f"ratio {p95(sql_search) / p95(sql_pk):.2f}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=int, default=2000, help="workers registered on each side")
    parser.add_argument("--concurrency", default="1,8", help="concurrent requests (and transactions); a list runs each")
    parser.add_argument("--register-on-postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=200_000, help="generated workers for the search part")
    parser.add_argument("--full", action="store_true", help="1,000,000 generated workers")
    parser.add_argument("--rounds", type=int, default=300, help="timed requests of each kind")
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-register", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the generated PostgreSQL database")
    args = parser.parse_args()
    total = 1_000_000 if args.full else args.workers
    admin_url = postgres_admin_url(args)

    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        if not args.skip_register:
            if args.register_on_postgres and not admin_url:
                print("--register-on-postgres needs --postgres-url", file=sys.stderr)
                return 2
            results = []
            for n, concurrency in enumerate(int(c) for c in args.concurrency.split(",")):
                # A fresh database for each run, so both sides start from the same empty tables.
                name = f"fp_bench_registry_reg_{uuid.uuid4().hex[:6]}"
                if args.register_on_postgres:
                    url = await create_postgres_database(admin_url, name)
                else:
                    url = f"sqlite+aiosqlite:///{tmp}/registry-bench-{n}.db"
                try:
                    results.append((concurrency, *await bench_registration(url, var_dir, args.register, concurrency)))
                finally:
                    if args.register_on_postgres:
                        await drop_postgres_database(admin_url, name)
            backend = "postgresql" if args.register_on_postgres else "sqlite"
            for concurrency, api, bare in results:
                print(
                    f"registration ({backend}), {args.register} workers each side in 5 alternating rounds (medians), "
                    f"{concurrency} concurrent"
                )
                print(f"  through the API (validation, encryption, audit, outbox): {api:9,.0f} workers/s")
                print(f"  bare insert of the same rows                           : {bare:9,.0f} workers/s")
                print(f"  ratio API / bare                                       : {api / bare:9.2f}  (target >= 0.25)")
        if not args.skip_search:
            if not admin_url:
                print("search part skipped: no PostgreSQL (--postgres-url or FAIRPATH_BENCH_POSTGRES_URL)")
                return 0
            name = f"fp_bench_registry_{uuid.uuid4().hex[:6]}"
            url = await create_postgres_database(admin_url, name)
            try:
                await bench_search(url, var_dir, total, args.rounds)
            finally:
                if not args.keep:
                    await drop_postgres_database(admin_url, name)
                else:
                    print(f"kept database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
