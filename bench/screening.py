"""Benchmark: watchlist screening with candidate retrieval against scoring every entity, and list loading.

    ./fairpath bench screening [--entities N] [--queries Q] [--baseline-queries B] [--database-url URL]

1. Generates N FollowTheMoney entities (companies, organisations, people; names drawn from a skewed
   vocabulary, so words repeat as they do on real lists) and loads them as a streamed import, then
   inserts the same entry rows bare (no parsing, hashing or retrieval keys): entities per second of each.
2. Builds a labelled sample of Q name variants of listed entities (transliteration, romanisation,
   word order, legal-form suffixes such as LLC / Pvt Ltd / Sdn Bhd, diacritics, missing words, typos).
3. Screens each variant as the service does (candidate retrieval in the database, then logic-v2):
   p50 / p95 latency. Scores B variants against every entity with the same matcher (cold, as one
   screening would): the speed ratio. Recall: of the hits (score >= threshold) that scoring every
   entity finds for all Q variants, the share the service finds too (the full scoring for recall runs
   entity by entity across all variants on both cores, which gives the same scores faster).

The aim: a ratio of at least 100 and a recall of at least 0.99.
"""

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from nomenklatura.matching.logic_v2.names.analysis import entity_names, entity_names_consolidated
from sqlalchemy import insert, select

from fairpath.common.auth import Role
from fairpath.common.db import Database
from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.ledger import Ledger
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.vetting import all_tables  # noqa: F401 - the whole vetting MetaData
from fairpath.vetting.db import ledger_tables, metadata
from fairpath.vetting.screening import flows as screening_flows
from fairpath.vetting.screening import matching
from fairpath.vetting.watchlists import service as watchlists
from fairpath.vetting.watchlists.entities import parse_ftm_line
from fairpath.vetting.watchlists.schemas import ImportFormat, ImportMode, WatchlistCreate
from fairpath.vetting.watchlists.tables import WatchlistEntry

THRESHOLD = 0.70
INDUSTRY = [
    "Construction",
    "Trading",
    "Manpower",
    "Services",
    "General",
    "International",
    "Logistics",
    "Shipping",
    "Textiles",
    "Holdings",
    "Group",
    "Engineering",
    "Contracting",
    "Recruitment",
    "Overseas",
    "Petroleum",
    "Marine",
    "Foods",
    "Agro",
    "Technologies",
    "Garments",
    "Fisheries",
    "Electronics",
    "Security",
    "Cleaning",
]
LEGAL_FORMS = [
    "LLC",
    "L.L.C.",
    "Ltd",
    "Limited",
    "Pvt Ltd",
    "Private Limited",
    "Sdn Bhd",
    "Sdn. Bhd.",
    "FZE",
    "FZCO",
    "Co. Ltd",
    "W.L.L.",
    "JSC",
    "Inc.",
    "GmbH",
    "S.A.",
    "Est.",
]
COUNTRIES = [
    "ae",
    "qa",
    "sa",
    "kw",
    "om",
    "bh",
    "my",
    "sg",
    "np",
    "bd",
    "in",
    "pk",
    "lk",
    "ph",
    "id",
    "vn",
    "mm",
    "kh",
    "et",
    "ke",
    "ug",
    "ru",
    "by",
    "ir",
    "sy",
    "kp",
    "cn",
    "tr",
    "ua",
    "gb",
]
CYRILLIC = dict(zip("bdklmnprstvzaeiou", "бдклмнпрствзаеиоу", strict=True))
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü"}
ROMANISATION = [("k", "kh"), ("u", "oo"), ("i", "ee"), ("v", "w"), ("s", "z"), ("a", "ah")]


class Vocabulary:
    """Made-up words with a skewed frequency, so a few are common and most are rare, as on real lists."""

    def __init__(self, rnd: random.Random, size: int) -> None:
        self.rnd = rnd
        words: set[str] = set()
        while len(words) < size:
            words.add(
                "".join(
                    rnd.choice("bdklmnprstvz") + rnd.choice("aeiou") for _ in range(rnd.choice((2, 3, 3, 4)))
                ).capitalize()
            )
        self.words = sorted(words)
        rnd.shuffle(self.words)

    def pick(self) -> str:
        return self.words[int(len(self.words) * self.rnd.random() ** 2)]


def generate_entities(n: int, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    distinctive = Vocabulary(rnd, max(2000, n // 3))
    given = Vocabulary(rnd, max(200, n // 200))
    family = Vocabulary(rnd, max(1000, n // 20))
    entities = []
    for i in range(n):
        roll = rnd.random()
        props: dict[str, list[str]] = {"country": [rnd.choice(COUNTRIES)]}
        if roll < 0.2:
            schema = "Person"
            name = f"{given.pick()} {family.pick()}" + (f" {family.pick()}" if rnd.random() < 0.3 else "")
            if rnd.random() < 0.3:
                props["alias"] = [f"{family.pick()} {given.pick()}"]
        else:
            schema = "Company" if roll < 0.85 else "Organization"
            words = [distinctive.pick() for _ in range(rnd.choice((1, 2, 2, 2, 3)))]
            words += rnd.sample(INDUSTRY, rnd.choice((0, 1, 1, 2)))
            if rnd.random() < 0.7:
                words.append(rnd.choice(LEGAL_FORMS))
            name = " ".join(words)
            if rnd.random() < 0.25:
                props["alias"] = [" ".join([distinctive.pick(), *words[1:]])]
            if rnd.random() < 0.5:
                props["registrationNumber"] = [f"{rnd.choice('ABCDEFGH')}{rnd.randrange(10**6, 10**8)}"]
        props["name"] = [name]
        entities.append({"id": f"bench-{i}", "schema": schema, "properties": props})
    return entities


# ---------------------------------------------------------------------------------------------
# Labelled variants
# ---------------------------------------------------------------------------------------------


def _words(name: str) -> tuple[list[str], list[str]]:
    """The name's own words and its trailing legal form (if any)."""
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        if name.endswith(" " + form):
            return name[: -len(form) - 1].split(), [form]
    return name.split(), []


def _is_distinctive(word: str) -> bool:
    return word not in INDUSTRY


def variant(name: str, kind: str, rnd: random.Random) -> str | None:
    words, form = _words(name)
    mine = [i for i, w in enumerate(words) if _is_distinctive(w)]
    if kind == "transliteration":
        return " ".join(
            [("".join(CYRILLIC.get(c, c) for c in w.lower()) if i in mine else w) for i, w in enumerate(words)] + form
        )
    if kind == "romanisation" and mine:
        i = rnd.choice(mine)
        for old, new in rnd.sample(ROMANISATION, len(ROMANISATION)):
            if old in words[i].lower():
                words[i] = words[i].lower().replace(old, new, 1).capitalize()
                return " ".join(words + form)
        return None
    if kind == "word_order" and len(words) >= 2:
        words[0], words[1] = words[1], words[0]
        return " ".join(words + form)
    if kind == "legal_form":
        return " ".join(words + [rnd.choice([f for f in LEGAL_FORMS if f not in form])])
    if kind == "diacritics" and mine:
        i = rnd.choice(mine)
        words[i] = "".join(ACCENTS.get(c, c) if rnd.random() < 0.5 else c for c in words[i])
        return " ".join(words + form)
    if kind == "missing_word" and len(words) >= 2:
        # Drop a word but keep a distinctive one: "Trading LLC" alone names no one in particular.
        droppable = [i for i in range(len(words)) if not (i in mine and len(mine) == 1)]
        del words[rnd.choice(droppable)]
        return " ".join(words + form)
    if kind == "typo" and mine:
        i = rnd.choice(mine)
        w = words[i]
        at = rnd.randrange(1, len(w))
        words[i] = w[:at] + rnd.choice("bdklmnprstvzaeiou") + w[at + 1 :]
        return " ".join(words + form)
    return None


VARIANT_KINDS = ["transliteration", "romanisation", "word_order", "legal_form", "diacritics", "missing_word", "typo"]


def labelled_sample(entities: list[dict], q: int, seed: int) -> list[dict]:
    rnd = random.Random(seed + 1)
    sample = []
    while len(sample) < q:
        entity = rnd.choice(entities)
        kind = VARIANT_KINDS[len(sample) % len(VARIANT_KINDS)]
        name = variant(entity["properties"]["name"][0], kind, rnd)
        if not name:
            continue
        country = entity["properties"]["country"][0].upper() if rnd.random() < 0.5 else None
        sample.append({"label": entity["id"], "kind": kind, "names": [name], "country": country})
    return sample


def party(query: dict, i: int) -> matching.ScreenedParty:
    return matching.ScreenedParty(
        party_id=f"bench-query-{i}", names=query["names"], country=query["country"], registration_number=None
    )


# ---------------------------------------------------------------------------------------------
# Full scoring (the baseline), in worker processes
# ---------------------------------------------------------------------------------------------


def _proxies(rows: list[dict]) -> list:
    return [
        (
            row["entity_id"],
            matching.matching_proxy(row["entity_id"], row["content_hash"], row["schema_name"], row["properties"]),
        )
        for row in rows
    ]


def _score_all_worker(args: tuple[str, int, int, list[dict]]) -> dict[int, list[str]]:
    """Entity by entity across all variants: each entity's names are analysed once (logic-v2's cache)."""
    path, start, stop, queries = args
    with open(path) as f:
        rows = [json.loads(line) for i, line in enumerate(f) if start <= i < stop]
    parties = [party(query, i).entity() for i, query in enumerate(queries)]
    found: dict[int, list[str]] = {i: [] for i in range(len(queries))}
    for entity_id, proxy in _proxies(rows):
        for i, query in enumerate(parties):
            if matching.ALGORITHM.compare(query, proxy, matching._CONFIG).score >= THRESHOLD:
                found[i].append(entity_id)
    return found


def full_scoring_hits(rows_path: str, total: int, queries: list[dict], workers: int) -> list[set[str]]:
    step = math.ceil(total / workers)
    jobs = [(rows_path, start, min(start + step, total), queries) for start in range(0, total, step)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_score_all_worker, jobs)
    return [set().union(*(part[i] for part in parts)) for i in range(len(queries))]


def full_scoring_seconds(rows: list[dict], queries: list[dict]) -> list[float]:
    """One screening done by scoring every entity: per variant, with nothing cached from another."""
    proxies = _proxies(rows)
    seconds = []
    for i, query in enumerate(queries):
        entity = party(query, 10_000 + i).entity()
        start = time.perf_counter()
        for _, proxy in proxies:
            matching.ALGORITHM.compare(entity, proxy, matching._CONFIG)
        seconds.append(time.perf_counter() - start)
        matching_cache_clear()
    return seconds


def matching_cache_clear() -> None:
    entity_names.cache_clear()
    entity_names_consolidated.cache_clear()


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


async def chunks_of(data: bytes, size: int = 1 << 16):
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def load_import(database: Database, ledger: Ledger, data: bytes) -> tuple[float, dict]:
    """The import as the service runs it: streamed, loaded batch by batch, then re-screening (of no business here)."""
    admin = make_principal(Role.admin)
    async with database.session() as session:
        watchlist = await watchlists.create_watchlist(
            session=session,
            ledger=ledger,
            principal=admin,
            data=WatchlistCreate(name=f"bench {uuid.uuid4().hex[:6]}", kind=WatchlistKind.sanctions),
        )
    start = time.perf_counter()
    job = await watchlists.start_import(
        database,
        ledger,
        principal=admin,
        watchlist_id=watchlist.id,
        fmt=ImportFormat.ftm,
        mode=ImportMode.replace,
        bytes_total=len(data),
    )
    job = await screening_flows.load_watchlist(database, ledger, job=job, principal=admin, chunks=chunks_of(data))
    await screening_flows.rescreen_after_import(
        database, ledger, import_id=job.id, actor=admin.actor, threshold=THRESHOLD
    )
    return time.perf_counter() - start, {"loaded": job.loaded, "rejected": job.rejected, "status": job.status}


async def load_bare(database: Database, ledger: Ledger, lines: list[str]) -> float:
    """The same entry rows, inserted as they are: no parsing, hashing, keys or progress."""
    admin = make_principal(Role.admin)
    async with database.session() as session:
        watchlist = await watchlists.create_watchlist(
            session=session,
            ledger=ledger,
            principal=admin,
            data=WatchlistCreate(name=f"bare {uuid.uuid4().hex[:6]}", kind=WatchlistKind.sanctions),
        )
    now, job_id = utcnow(), uuid.uuid4()
    rows = []
    for line in lines:
        entity = parse_ftm_line(line)
        rows.append(
            {
                "id": uuid.uuid4(),
                "watchlist_id": watchlist.id,
                "entity_id": entity.entity_id,
                "schema_name": entity.schema_name,
                "caption": entity.caption,
                "properties": entity.properties,
                "content_hash": entity.content_hash,
                "changed_import_id": job_id,
                "seen_import_id": job_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    start = time.perf_counter()
    for i in range(0, len(rows), watchlists.BATCH_LINES):
        async with database.session() as session:
            await session.execute(insert(WatchlistEntry.__table__), rows[i : i + watchlists.BATCH_LINES])
    return time.perf_counter() - start


async def entry_rows(database: Database) -> list[dict]:
    async with database.session(read_only=True) as session:
        result = await session.execute(
            select(
                WatchlistEntry.entity_id,
                WatchlistEntry.content_hash,
                WatchlistEntry.schema_name,
                WatchlistEntry.properties,
            ).where(WatchlistEntry.changed_import_id.in_(select(WatchlistEntry.changed_import_id).limit(1)))
        )
        return [dict(row._mapping) for row in result.all()]


async def screen_all(database: Database, queries: list[dict]) -> tuple[list[set[str]], list[float], list[int]]:
    found, seconds, scored = [], [], []
    for i, query in enumerate(queries):
        start = time.perf_counter()
        async with database.session(read_only=True) as session:
            matches, n = await matching.find_matches(session, party(query, i), threshold=THRESHOLD)
        seconds.append(time.perf_counter() - start)
        found.append({m.candidate.entity_id for m in matches})
        scored.append(n)
    return found, seconds, scored


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="fairpath-bench-screening-"))
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'vetting.db'}"
    database = Database(url)
    # The audit entries of the bench's own writes go to its scratch database, under a throwaway key.
    ledger = Ledger(ledger_tables, digest_key=os.urandom(32), database=database)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    print(
        f"database: {url.split('@')[-1]}  entities: {args.entities}  variants: {args.queries}  "
        f"threshold: {THRESHOLD}  cores: {os.cpu_count()}"
    )

    started = time.perf_counter()
    entities = generate_entities(args.entities, args.seed)
    lines = [json.dumps(e) for e in entities]
    data = ("\n".join(lines) + "\n").encode()
    print(
        f"generated {len(entities)} FollowTheMoney entities ({len(data) / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    import_seconds, job = await load_import(database, ledger, data)
    bare_seconds = await load_bare(database, ledger, lines)
    import_rate, bare_rate = args.entities / import_seconds, args.entities / bare_seconds
    print("\nloading")
    print(
        f"  streamed import (parse, hash, keys, progress): {import_rate:10.0f} entities/s  ({import_seconds:.1f} s, "
        f"{job['loaded']} loaded, {job['rejected']} rejected)"
    )
    print(f"  bare insert of the same entry rows:            {bare_rate:10.0f} entities/s  ({bare_seconds:.1f} s)")
    print(f"  import / bare: {import_rate / bare_rate:.2f}")

    queries = labelled_sample(entities, args.queries, args.seed)
    rows = await entry_rows(database)
    rows_path = workdir / "entries.jsonl"
    rows_path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    await screen_all(database, queries[:5])  # warm the connection and the matcher's reference data
    service_found, service_seconds, scored = await screen_all(database, queries)
    baseline_seconds = full_scoring_seconds(rows, queries[: args.baseline_queries])
    print("\nscreening one business")
    print(
        f"  candidate retrieval + logic-v2: p50 {percentile(service_seconds, 50) * 1000:8.1f} ms   "
        f"p95 {percentile(service_seconds, 95) * 1000:8.1f} ms   mean {statistics.mean(service_seconds) * 1000:.1f} ms"
        f"   (candidates scored: p50 {percentile(scored, 50)}, max {max(scored)})"
    )
    print(
        f"  scoring every entity:           p50 {percentile(baseline_seconds, 50) * 1000:8.1f} ms   "
        f"p95 {percentile(baseline_seconds, 95) * 1000:8.1f} ms   mean {statistics.mean(baseline_seconds) * 1000:.1f} ms"
        f"   ({len(baseline_seconds)} variants, {len(rows)} entities each, entities already in memory)"
    )
    ratio = statistics.mean(baseline_seconds) / statistics.mean(service_seconds)
    print(
        f"  speed ratio (mean): {ratio:.0f}x   (p50: "
        f"{percentile(baseline_seconds, 50) / percentile(service_seconds, 50):.0f}x)   target >= 100x"
    )

    started = time.perf_counter()
    full_found = full_scoring_hits(str(rows_path), len(rows), queries, args.workers)
    full_hits = sum(len(f) for f in full_found)
    common_hits = sum(len(f & s) for f, s in zip(full_found, service_found, strict=True))
    extra = sum(len(s - f) for f, s in zip(full_found, service_found, strict=True))
    recall = common_hits / full_hits if full_hits else 1.0
    print(
        f"\nrecall on {len(queries)} labelled variants (full scoring of all of them took "
        f"{time.perf_counter() - started:.0f} s on {args.workers} processes)"
    )
    print(
        f"  hits scoring every entity finds: {full_hits}; found by the service too: {common_hits}; "
        f"recall {recall:.4f}   target >= 0.99   (service-only hits: {extra})"
    )
    print("  by variant: labelled entity found (>= threshold) by full scoring / by the service")
    for kind in VARIANT_KINDS:
        picked = [i for i, q in enumerate(queries) if q["kind"] == kind]
        full_label = sum(queries[i]["label"] in full_found[i] for i in picked)
        service_label = sum(queries[i]["label"] in service_found[i] for i in picked)
        lost = sum(len(full_found[i] - service_found[i]) for i in picked)
        print(
            f"    {kind:16s} {len(picked):4d} variants   {full_label:4d} / {service_label:4d}   "
            f"full-scoring hits missed: {lost}"
        )
    await database.dispose()
    ok = ratio >= 100 and recall >= 0.99
    print(f"\n{'PASS' if ok else 'BELOW TARGET'}: speed {ratio:.0f}x, recall {recall:.4f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=100_000, help="watchlist entities to generate (default 100000)")
    parser.add_argument("--queries", type=int, default=100, help="labelled name variants to screen (default 100)")
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=3,
        help="variants timed by scoring every entity, one screening each (default 3)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, min(2, os.cpu_count() or 1)),
        help="processes for the full scoring that recall is measured against",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default="",
        help="a scratch database, whose vetting tables are dropped and created (default: a new "
        "SQLite file in a temporary folder)",
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
