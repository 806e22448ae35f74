"""`./fairpath audit verify`: an auditor's offline check of an export and kept checkpoints, and of a consistency
proof between two kept checkpoints, with the exit status and the problems it prints."""

import json
import uuid

import pytest
from sqlalchemy import MetaData

from fairpath.common.audit import AuditChain
from fairpath.common.audit_checkpoints import CheckpointSigner, list_checkpoints, sign_checkpoint
from fairpath.common.audit_export import export_lines
from fairpath.common.db import Database
from fairpath.common.ledger import LedgerTables
from fairpath.common.secrets import new_ed25519_private_pem
from fairpath.deploy.cli import main as fairpath

TABLES = LedgerTables.install(MetaData())


@pytest.fixture
async def kept(database_url, tmp_path):
    """A chain of 12 entries with checkpoints at 5 and 12, saved as an auditor would: export, checkpoints, a proof."""
    database = Database(await database_url(f"audit_cli_{uuid.uuid4().hex[:6]}"))
    async with database.engine.begin() as conn:
        await conn.run_sync(TABLES.audit_entry.metadata.create_all)
    chain = AuditChain(TABLES.audit_entry, TABLES.audit_head, digest_key=b"k")
    signer = CheckpointSigner("contracts", new_ed25519_private_pem())
    try:
        for count in (5, 7):
            async with database.session() as session:
                for i in range(count):
                    await chain.append(session, actor="system:t", action="a.b", record_type="r", record_id=str(i))
            await sign_checkpoint(database, chain, signer)
        async with database.session(read_only=True) as session:
            items, keys, _ = await list_checkpoints(session, chain, "contracts")
            first_root, second_root, proof = await chain.consistency_proof(session, 5, 12)
        export = b"".join([part async for part in export_lines(database, chain, "contracts")])
    finally:
        await database.dispose()
    (tmp_path / "export.jsonl").write_bytes(export)
    checkpoints = {"service": "contracts", "keys": keys, "items": [c.as_json() for c in items]}
    (tmp_path / "checkpoints.json").write_text(json.dumps(checkpoints))
    consistency = {"first": 5, "second": 12, "first_root": first_root.hex(), "second_root": second_root.hex()}
    (tmp_path / "proof.json").write_text(json.dumps(consistency | {"proof": [p.hex() for p in proof]}))
    return tmp_path


def test_a_faithful_export_and_its_kept_checkpoints_verify(kept, capsys):
    code = fairpath(["audit", "verify", str(kept / "export.jsonl"), "--checkpoints", str(kept / "checkpoints.json")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "valid: contracts: 12 entries" in out and "2 checkpoints still a prefix" in out


def test_a_consistency_proof_between_two_kept_checkpoints_verifies_without_the_export(kept, capsys):
    args = [
        "audit",
        "verify",
        "--consistency",
        str(kept / "proof.json"),
        "--checkpoints",
        str(kept / "checkpoints.json"),
    ]
    assert fairpath(args) == 0
    assert "the tree of 5 entries is a prefix of the tree of 12" in capsys.readouterr().out
    proof = json.loads((kept / "proof.json").read_text())
    proof["proof"][0] = "00" * 32
    (kept / "proof.json").write_text(json.dumps(proof))
    assert fairpath(args) == 1
    assert "does not show the tree of 5 entries is a prefix" in capsys.readouterr().out


def test_a_dropped_line_and_a_forged_signature_are_each_reported(kept, capsys):
    lines = (kept / "export.jsonl").read_bytes().splitlines(keepends=True)
    (kept / "dropped.jsonl").write_bytes(b"".join(lines[:4] + lines[5:]))
    checkpoints = str(kept / "checkpoints.json")
    assert fairpath(["audit", "verify", str(kept / "dropped.jsonl"), "--checkpoints", checkpoints]) == 1
    assert "entry 4: missing (the next line is entry 5)" in capsys.readouterr().out
    document = json.loads((kept / "checkpoints.json").read_text())
    document["items"][1]["tree_size"] = 11
    (kept / "forged.json").write_text(json.dumps(document))
    assert fairpath(["audit", "verify", str(kept / "export.jsonl"), "--checkpoints", str(kept / "forged.json")]) == 1
    assert "checkpoint 11: the signature does not verify" in capsys.readouterr().out
    assert fairpath(["audit", "verify", str(kept / "missing.jsonl"), "--checkpoints", checkpoints]) == 2
