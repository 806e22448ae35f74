"""The audit chain as JSON lines, and its offline verification against the checkpoints an auditor kept.

An export (docs/audit-formats.md) is a header line, then one line per entry in seq order:

    {"format": "fairpath-audit-export/v1", "service": "vetting", "tree_size": 1234, "head_hash": "<hex>"}
    {"seq": 1, "prev_hash": "<hex>", "hash": "<hex>", "entry": "<the entry's RFC 8785 canonical JSON, as text>"}
    {"seq": 2, "prev_hash": "<hex>", "hash": "<hex>", "pruned": true}

A verifier hashes what it is given (SHA-256 of prev_hash's 64 hex characters then the entry's UTF-8 bytes),
never re-canonicalises; a pruned entry is checked by its links only. The Merkle leaf of entry `seq` is
SHA-256(0x00 || bytes of its hash), at leaf index seq - 1.
"""

import hashlib
import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orjson import loads as _loads  # parsing is most of an offline verification: about 3x the stdlib's speed
from sqlalchemy import select

from fairpath.common import merkle
from fairpath.common.audit import GENESIS_HASH, AuditChain, entry_bytes
from fairpath.common.audit_checkpoints import Checkpoint, signature_holds
from fairpath.common.db import Database

EXPORT_FORMAT = "fairpath-audit-export/v1"


def _line(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


async def export_lines(database: Database, chain: AuditChain, service: str, batch: int = 2000) -> AsyncIterator[bytes]:
    """The chain up to its head when the export starts, a window of entries and tombstones at a time."""
    async with database.session(read_only=True) as session:
        size, head_hash = await chain.head_of(session)
    yield _line({"format": EXPORT_FORMAT, "service": service, "tree_size": size, "head_hash": head_hash})
    start = 1
    while start <= size:
        end = min(start + batch, size + 1)
        async with database.session(read_only=True) as session:
            entries = (
                (await session.execute(select(chain.entry).where(chain.entry.c.seq >= start, chain.entry.c.seq < end)))
                .mappings()
                .all()
            )
            pruned = (
                await session.execute(
                    select(chain.proof.pruned).where(chain.proof.pruned.c.seq >= start, chain.proof.pruned.c.seq < end)
                )
            ).all()
        lines: dict[int, bytes] = {
            r.seq: _line({"seq": r.seq, "prev_hash": r.prev_hash, "hash": r.hash, "pruned": True}) for r in pruned
        }
        for r in entries:
            lines[r["seq"]] = _line(
                {
                    "seq": r["seq"],
                    "prev_hash": r["prev_hash"],
                    "hash": r["hash"],
                    "entry": entry_bytes(dict(r)).decode(),
                }
            )
        yield b"".join(lines[seq] for seq in sorted(lines))
        start = end


@dataclass
class ExportReport:
    """What an offline verification found: valid only when every check held."""

    service: str = ""
    entries: int = 0
    pruned: int = 0
    signatures_checked: int = 0
    checkpoints_checked: int = 0
    problems: list[str] = field(default_factory=list)
    first_broken_seq: int | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def load_checkpoints(document: Mapping[str, Any]) -> tuple[list[Checkpoint], dict[str, str]]:
    """The checkpoints and public keys of a saved `GET /v1/audit/{service}/checkpoints` answer."""
    keys = {k["key_id"]: k["public_key"] for k in document.get("keys", [])}
    items = [
        Checkpoint(
            service=c["service"],
            tree_size=int(c["tree_size"]),
            root_hash=c["root_hash"],
            signed_at=c["signed_at"],
            key_id=c["key_id"],
            signature=c["signature"],
        )
        for c in document.get("items", [])
    ]
    return items, keys


def check_signatures(checkpoints: Sequence[Checkpoint], keys: Mapping[str, str], report: ExportReport) -> None:
    for checkpoint in checkpoints:
        public = keys.get(checkpoint.key_id)
        if public is None:
            report.problems.append(f"checkpoint {checkpoint.tree_size}: its key {checkpoint.key_id} is not listed")
        elif not signature_holds(checkpoint, public):
            report.problems.append(f"checkpoint {checkpoint.tree_size}: the signature does not verify")
        else:
            report.signatures_checked += 1


def verify_export(
    lines: Iterable[bytes | str], checkpoints: Sequence[Checkpoint], keys: Mapping[str, str]
) -> ExportReport:
    """Every signature, the chain (hashes of the bytes given, links, seq order), and the root recomputed at
    each checkpoint's tree size: a kept checkpoint must still be a prefix of the exported chain."""
    report = ExportReport()
    check_signatures(checkpoints, keys, report)
    by_size: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        by_size.setdefault(checkpoint.tree_size, []).append(checkpoint)
    iterator = iter(lines)
    header = json.loads(next(iterator, b"{}") or b"{}")
    if header.get("format") != EXPORT_FORMAT:
        report.problems.append(f"the first line is not a {EXPORT_FORMAT} header")
        return report
    report.service = header["service"]
    for checkpoint in checkpoints:
        if checkpoint.service != report.service:
            report.problems.append(f"checkpoint {checkpoint.tree_size} is of service {checkpoint.service}")
    tree, prev_hash, expected, last_good = merkle.CompactRange(), GENESIS_HASH, 1, 0
    sha256, fromhex, loads, append_leaf = hashlib.sha256, bytes.fromhex, _loads, tree.append

    def broken(seq: int, reason: str) -> ExportReport:
        report.first_broken_seq = seq
        report.problems.append(f"entry {seq}: {reason}")
        return report

    for raw in iterator:
        if not raw.strip():
            continue
        line = loads(raw)
        seq, entry_hash = line["seq"], line["hash"]
        if seq != expected:
            return broken(expected, f"missing (the next line is entry {seq})")
        if line["prev_hash"] != prev_hash:
            return broken(seq, "prev_hash does not match the previous entry's hash")
        entry = line.get("entry")
        if entry is not None:
            encoded = entry.encode()
            if sha256(prev_hash.encode() + encoded).hexdigest() != entry_hash:
                return broken(seq, "the entry's bytes do not match its hash")
            inner = loads(encoded)
            if inner.get("seq") != seq or inner.get("prev_hash") != prev_hash:
                return broken(seq, "the entry's own seq or prev_hash differs from its line's")
        elif line.get("pruned") is True:
            report.pruned += 1
        else:
            return broken(seq, "neither an entry nor a pruned tombstone")
        append_leaf(sha256(merkle.LEAF_PREFIX + fromhex(entry_hash)).digest())
        for checkpoint in by_size.get(seq, ()):
            if tree.root().hex() != checkpoint.root_hash:
                return broken(
                    last_good + 1,
                    f"the exported chain's root at tree size {seq} is not the one checkpoint {seq} signed: "
                    f"an entry from {last_good + 1} to {seq} was rewritten",
                )
            report.checkpoints_checked += 1
            last_good = seq
        prev_hash, expected = entry_hash, expected + 1
        report.entries += 1
    if report.entries != header["tree_size"] or prev_hash != header["head_hash"]:
        report.problems.append("the export ends before the head its header names")
    for size in sorted(by_size):
        if size > report.entries:
            report.problems.append(
                f"checkpoint {size} is beyond the exported chain ({report.entries} entries): entries were removed"
            )
    return report


@dataclass
class ConsistencyReport:
    first: int
    second: int
    problems: list[str] = field(default_factory=list)
    signatures_checked: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems


def verify_consistency_offline(
    proof: Mapping[str, Any], checkpoints: Sequence[Checkpoint], keys: Mapping[str, str]
) -> ConsistencyReport:
    """Two kept checkpoints (of the proof's sizes, signatures verified) and a consistency proof between them:
    is the first tree a prefix of the second? No export needed."""
    first, second = int(proof["first"]), int(proof["second"])
    report = ConsistencyReport(first, second)
    holding = ExportReport()
    roots: dict[int, str] = {}
    for checkpoint in checkpoints:
        if checkpoint.tree_size in (first, second):
            check_signatures([checkpoint], keys, holding)
            if not holding.problems:
                roots.setdefault(checkpoint.tree_size, checkpoint.root_hash)
    report.problems += holding.problems
    report.signatures_checked = holding.signatures_checked
    for size in (first, second):
        if size not in roots:
            report.problems.append(f"no kept checkpoint of tree size {size} with a valid signature")
    if report.problems:
        return report
    path = [bytes.fromhex(h) for h in proof["proof"]]
    if not merkle.verify_consistency(first, second, bytes.fromhex(roots[first]), bytes.fromhex(roots[second]), path):
        report.problems.append(f"the proof does not show the tree of {first} entries is a prefix of that of {second}")
    return report
