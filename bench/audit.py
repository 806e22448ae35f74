"""Benchmark: Merkle proofs at a million audit entries, and verifying an export offline.

    ./fairpath bench audit [--entries N] [--proofs P] [--baseline-entries B] [--no-dossier]

1. Builds a chain of N synthetic entries (default 1,000,000: the same fields, canonical JSON and hashes as the
   services write) in a temporary SQLite database with the services' audit tables: the Merkle tree's complete
   subtrees are stored as the services store them (2N rows), the chain's head set, 10 checkpoints signed.
   The same entries are written as an export file (JSON lines, docs/audit-formats.md).
2. Inclusion and consistency proofs through `AuditChain` (one query each, as the routes serve them) at random
   entries and sizes: p50 and p95 (the aim: < 10 ms p95). Baseline in the same run: the root of a
   tree recomputed from all its leaves read from the database (what a proof costs without stored nodes).
3. `verify_export` over the whole file, every signature, link, hash and checkpoint root: entries per second
   (the aim: >= 50,000/s). Baseline in the same run: re-canonicalising each entry (RFC 8785, what a
   verifier without the canonical bytes must do) on B entries (default 100,000).

Then, if bench/dossier.py is there, its run() (the dossier benchmark).
Absolute times depend on the machine; the ratios are the result.
"""

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import rfc8785
from sqlalchemy import MetaData, select

from fairpath.common import merkle
from fairpath.common.audit import CHAIN, GENESIS_HASH, AuditChain
from fairpath.common.audit_checkpoints import CheckpointSigner
from fairpath.common.audit_export import EXPORT_FORMAT, verify_export
from fairpath.common.db import Database
from fairpath.common.ledger import LedgerTables
from fairpath.common.secrets import new_ed25519_private_pem

SERVICE = "bench"
ACTIONS = ["business.registered", "contract.signed", "worker.read", "fee.reported", "grievance.filed"]
RECORD_TYPES = ["business", "contract", "worker", "fee_report", "grievance"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def synthetic_entries(n: int):
    """(seq, prev_hash, canonical bytes, hash) of a chain of n entries with the fields the services write. The
    canonical JSON is formatted directly (keys in RFC 8785 order; ASCII strings and integers only) and checked
    against rfc8785 on the first entries."""
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        at = (start + timedelta(seconds=seq)).isoformat(timespec="microseconds")
        digest_of_value = hashlib.sha256(seq.to_bytes(8, "big")).hexdigest()
        canonical = (
            f'{{"action":"{ACTIONS[seq % 5]}","actor":"compliance_officer:{_uuid(rng)}",'
            f'"changes":[{{"digest":"{digest_of_value}","field":"status"}}],"correlation_id":null,'
            f'"id":"{_uuid(rng)}","occurred_at":"{at}","prev_hash":"{prev}","record_id":"{_uuid(rng)}",'
            f'"record_type":"{RECORD_TYPES[seq % 5]}","seq":{seq}}}'
        ).encode()
        if seq <= 200:
            assert rfc8785.dumps(json.loads(canonical)) == canonical
        digest = hashlib.sha256(prev.encode() + canonical).hexdigest()
        yield seq, prev, canonical, digest
        prev = digest


def build(workdir: Path, n: int, signer: CheckpointSigner) -> tuple[Path, Path, list[dict]]:
    """The SQLite database (tree nodes, head, checkpoints) and the export file; the checkpoints an auditor keeps."""
    db_path, export_path = workdir / "audit.db", workdir / "audit-export.jsonl"
    metadata = MetaData()
    LedgerTables.install(metadata)
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db_path}")
    metadata.create_all(engine)
    engine.dispose()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    sizes = {n * (i + 1) // 10 for i in range(10)}
    known: dict[merkle.NodeKey, bytes] = {}
    nodes: list[tuple[int, int, bytes]] = []
    tree = merkle.CompactRange()
    checkpoints, last = [], GENESIS_HASH
    with export_path.open("wb") as export:
        export.write(
            json.dumps(
                {"format": EXPORT_FORMAT, "service": SERVICE, "tree_size": n, "head_hash": GENESIS_HASH}
            ).encode()
        )
        export.write(b"\n")
        for seq, prev, canonical, digest in synthetic_entries(n):
            entry = json.dumps(canonical.decode())
            export.write(f'{{"seq":{seq},"prev_hash":"{prev}","hash":"{digest}","entry":{entry}}}\n'.encode())
            leaf = merkle.leaf_hash(bytes.fromhex(digest))
            tree.append(leaf)
            for (level, position), value in merkle.completed_nodes(seq - 1, leaf, known):
                known[(level, position)] = value
                nodes.append((level, position, value))
            if len(nodes) >= 50_000:
                connection.executemany("INSERT INTO audit_merkle_node VALUES (?, ?, ?)", nodes)
                nodes = []
                known = {key: known[key] for key in merkle.frontier_keys(seq)}
            if seq in sizes:
                checkpoints.append(signer.sign(seq, tree.root().hex(), datetime.now(UTC)).as_json())
            last = digest
    connection.executemany("INSERT INTO audit_merkle_node VALUES (?, ?, ?)", nodes)
    connection.execute("INSERT INTO audit_head VALUES (?, ?, ?)", (CHAIN, n, last))
    connection.commit()
    connection.close()
    # The header names the head, known only at the end: rewrite the first line in place (same length).
    with export_path.open("r+b") as export:
        header = json.dumps({"format": EXPORT_FORMAT, "service": SERVICE, "tree_size": n, "head_hash": last})
        first = export.readline()
        export.seek(0)
        export.write(header.encode().ljust(len(first) - 1) + b"\n")
    return db_path, export_path, checkpoints


async def measure_proofs(db_path: Path, n: int, count: int) -> dict[str, list[float]]:
    metadata = MetaData()
    tables = LedgerTables.install(metadata)
    chain = AuditChain(tables.audit_entry, tables.audit_head, digest_key=b"bench")
    database = Database(f"sqlite+aiosqlite:///{db_path}")
    rng = random.Random(11)
    times: dict[str, list[float]] = {"inclusion": [], "consistency": [], "baseline": []}
    try:
        async with database.session(read_only=True) as session:
            root = await chain.root(session, n)
            for _ in range(count):
                size = rng.randint(n // 2, n)
                index = rng.randrange(size)
                started = time.perf_counter()
                leaf, at, path = await chain.inclusion_proof(session, index, size)
                times["inclusion"].append(time.perf_counter() - started)
                assert merkle.verify_inclusion(index, size, leaf, path, at)
                first = rng.randint(1, n - 1)
                started = time.perf_counter()
                first_root, second_root, proof = await chain.consistency_proof(session, first, n)
                times["consistency"].append(time.perf_counter() - started)
                assert second_root == root and merkle.verify_consistency(first, n, first_root, root, proof)
            node = tables.audit_proof.node
            for _ in range(3):  # without stored subtrees: every leaf read and hashed up
                started = time.perf_counter()
                leaves = (
                    await session.execute(select(node.c.hash).where(node.c.level == 0).order_by(node.c.position))
                ).scalars()
                compact = merkle.CompactRange()
                for leaf in leaves:
                    compact.append(bytes(leaf))
                times["baseline"].append(time.perf_counter() - started)
                assert compact.root() == root
    finally:
        await database.dispose()
    return times


def recanonicalising_rate(export_path: Path, count: int) -> float:
    """What a verifier without the canonical bytes does: parse the entry and canonicalise it again (RFC 8785)."""
    with export_path.open("rb") as lines:
        next(lines)
        sample = [json.loads(next(lines)) for _ in range(count)]
    started = time.perf_counter()
    for line in sample:
        content = json.loads(line["entry"])
        if hashlib.sha256(line["prev_hash"].encode() + rfc8785.dumps(content)).hexdigest() != line["hash"]:
            raise AssertionError(f"entry {line['seq']} does not hash")
    return count / (time.perf_counter() - started)


def run_dossier_benchmark() -> None:
    path = Path(__file__).with_name("dossier.py")
    if not path.is_file():
        return
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("bench_dossier", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "run"):
        print("\n--- the dossier (bench/dossier.py) ---")
        module.run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--baseline-entries", type=int, default=100_000)
    parser.add_argument("--no-dossier", action="store_true", help="skip bench/dossier.py")
    args = parser.parse_args()
    n = args.entries
    signer = CheckpointSigner(SERVICE, new_ed25519_private_pem())
    with tempfile.TemporaryDirectory(prefix="fairpath-bench-audit-") as tmp:
        started = time.perf_counter()
        db_path, export_path, checkpoints = build(Path(tmp), n, signer)
        print(
            f"built a chain of {n:,} entries, its tree (2n nodes in SQLite) and export in {time.perf_counter() - started:.1f} s"
        )
        print(f"  export: {os.path.getsize(export_path) / 1e6:.0f} MB; {len(checkpoints)} checkpoints signed")

        times = asyncio.run(measure_proofs(db_path, n, args.proofs))
        ms = {k: [t * 1000 for t in v] for k, v in times.items()}
        baseline = statistics.median(ms["baseline"])
        print(f"\nproofs at {n:,} entries ({args.proofs} each, one query each, SQLite)")
        for kind in ("inclusion", "consistency"):
            p50, p95 = percentile(ms[kind], 0.5), percentile(ms[kind], 0.95)
            print(f"  {kind:<12} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   baseline / p95: {baseline / p95:8.0f}x")
        print(f"  baseline: the root from every leaf read from the database, median {baseline:.0f} ms")

        document = {"service": SERVICE, "keys": [{"key_id": signer.key_id, "public_key": signer.public_key}]}
        from fairpath.common.audit_export import load_checkpoints

        kept, keys = load_checkpoints(document | {"items": checkpoints})
        started = time.perf_counter()
        with export_path.open("rb") as lines:
            report = verify_export(lines, kept, keys)
        seconds = time.perf_counter() - started
        assert report.valid and report.checkpoints_checked == len(checkpoints), report.problems
        rate = report.entries / seconds
        base_rate = recanonicalising_rate(export_path, min(args.baseline_entries, n))
        print("\noffline export verification (./fairpath audit verify)")
        print(f"  hashing the canonical bytes given: {rate:10,.0f} entries/s ({seconds:.1f} s for {n:,})")
        print(f"  baseline, re-canonicalising each:  {base_rate:10,.0f} entries/s")
        print(f"  given / re-canonicalising: {rate / base_rate:.2f}")

        worst = max(percentile(ms["inclusion"], 0.95), percentile(ms["consistency"], 0.95))
        ok = worst < 10 and rate >= 50_000
        print(
            f"\n{'PASS' if ok else 'BELOW TARGET'}: proof p95 {worst:.2f} ms (goal < 10), "
            f"verification {rate:,.0f}/s (goal >= 50,000)"
        )
    if not args.no_dossier:
        run_dossier_benchmark()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
