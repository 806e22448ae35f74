"""The audit routes on a service (vetting's chain): filtered records, the export an auditor verifies offline with
`./fairpath audit verify`, signed checkpoints, Merkle proofs and legal holds, with who may call each."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from fairpath.common import merkle
from fairpath.common.audit_export import load_checkpoints, verify_consistency_offline, verify_export
from fairpath.common.audit_retention import held_record_ids
from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .helpers import register

BASE = "/v1/audit/vetting"


def headers(minter, role: Role) -> dict:
    return minter.headers(make_principal(role))


async def test_records_filter_by_record_actor_action_and_time_and_keep_cursor_paging(vetting, minter):
    agency = make_principal(Role.agency)
    business = await register(vetting, minter.headers(agency))
    auditor = headers(minter, Role.auditor)
    mine = (await vetting.get(f"{BASE}/records", params={"record_id": business["id"]}, headers=auditor)).json()
    assert mine["items"] and {r["record_id"] for r in mine["items"]} == {business["id"]}
    action = mine["items"][0]["action"]
    by_actor = (await vetting.get(f"{BASE}/records", params={"actor": agency.actor}, headers=auditor)).json()
    assert [r["seq"] for r in by_actor["items"]] == [r["seq"] for r in mine["items"]]
    params = {"action": action, "record_id": business["id"]}
    assert (await vetting.get(f"{BASE}/records", params=params, headers=auditor)).json()["items"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    none_yet = await vetting.get(
        f"{BASE}/records", params={"since": later, "record_id": business["id"]}, headers=auditor
    )
    assert none_yet.status_code == 200 and none_yet.json()["items"] == []
    await register(vetting, minter.headers(agency))
    first = await vetting.get(f"{BASE}/records", params={"limit": 1}, headers=auditor)
    second = await vetting.get(
        f"{BASE}/records", params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=auditor
    )
    assert second.json()["items"][0]["seq"] > first.json()["items"][0]["seq"]
    backwards = await vetting.get(
        f"{BASE}/records", params={"since": later, "until": datetime.now(UTC).isoformat()}, headers=auditor
    )
    assert backwards.status_code == 422 and backwards.json()["violations"][0]["field"] == "until"


async def test_checkpoints_are_signed_by_operators_and_read_by_auditors_with_their_public_keys(vetting, minter):
    await register(vetting, headers(minter, Role.agency))
    for role in (Role.auditor, Role.agency, Role.employer, Role.worker):
        assert (await vetting.post(f"{BASE}/checkpoints", headers=headers(minter, role))).status_code == 403
    assert (await vetting.post(f"{BASE}/checkpoints")).status_code == 401
    signed = await vetting.post(f"{BASE}/checkpoints", headers=headers(minter, Role.compliance_officer))
    assert signed.status_code == 200
    again = await vetting.post(f"{BASE}/checkpoints", headers=headers(minter, Role.admin))
    assert again.status_code == 200 and again.json() == signed.json(), "the same tree is not signed twice"
    listed = (await vetting.get(f"{BASE}/checkpoints", headers=headers(minter, Role.auditor))).json()
    assert signed.json() in listed["items"]
    assert [k["key_id"] for k in listed["keys"]] == [signed.json()["key_id"]]
    assert (await vetting.get(f"{BASE}/checkpoints", headers=headers(minter, Role.agency))).status_code == 403


async def test_proofs_verify_against_the_signed_roots_and_sizes_beyond_the_tree_are_refused(vetting, minter):
    operator, auditor = headers(minter, Role.compliance_officer), headers(minter, Role.auditor)
    await register(vetting, headers(minter, Role.agency))
    first = (await vetting.post(f"{BASE}/checkpoints", headers=operator)).json()
    await register(vetting, headers(minter, Role.agency))
    second = (await vetting.post(f"{BASE}/checkpoints", headers=operator)).json()
    m, n = first["tree_size"], second["tree_size"]

    inclusion = (
        await vetting.get(f"{BASE}/proofs/inclusion", params={"entry": m, "tree_size": n}, headers=auditor)
    ).json()
    path = [bytes.fromhex(h) for h in inclusion["audit_path"]]
    assert inclusion["root_hash"] == second["root_hash"]
    assert merkle.verify_inclusion(
        m - 1, n, bytes.fromhex(inclusion["leaf_hash"]), path, bytes.fromhex(second["root_hash"])
    )

    consistency = (
        await vetting.get(f"{BASE}/proofs/consistency", params={"first": m, "second": n}, headers=auditor)
    ).json()
    proof = [bytes.fromhex(h) for h in consistency["proof"]]
    roots = bytes.fromhex(first["root_hash"]), bytes.fromhex(second["root_hash"])
    assert merkle.verify_consistency(m, n, *roots, proof)

    too_far = await vetting.get(f"{BASE}/proofs/inclusion", params={"entry": n + 1, "tree_size": n}, headers=auditor)
    assert too_far.status_code == 422 and too_far.json()["violations"][0] == {
        "field": "entry",
        "rule": "within_tree",
        "message": f"must be at most {n}",
    }
    beyond = await vetting.get(f"{BASE}/proofs/consistency", params={"first": 1, "second": 10**12}, headers=auditor)
    assert beyond.status_code == 422 and beyond.json()["violations"][0]["field"] == "second"
    assert (await vetting.get(f"{BASE}/proofs/inclusion", params={"entry": 0}, headers=auditor)).status_code == 422
    agency = headers(minter, Role.agency)
    assert (await vetting.get(f"{BASE}/proofs/inclusion", params={"entry": 1}, headers=agency)).status_code == 403


async def test_an_auditor_exports_the_chain_keeps_the_checkpoints_and_verifies_both_offline(vetting, minter):
    operator, auditor = headers(minter, Role.admin), headers(minter, Role.auditor)
    await register(vetting, headers(minter, Role.agency))
    first = (await vetting.post(f"{BASE}/checkpoints", headers=operator)).json()
    await register(vetting, headers(minter, Role.agency))
    second = (await vetting.post(f"{BASE}/checkpoints", headers=operator)).json()
    export = await vetting.get(f"{BASE}/export", headers=auditor)
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/x-ndjson")
    assert (await vetting.get(f"{BASE}/export", headers=headers(minter, Role.agency))).status_code == 403
    kept = load_checkpoints((await vetting.get(f"{BASE}/checkpoints", headers=auditor)).json())
    params = {"first": first["tree_size"], "second": second["tree_size"]}
    proof = (await vetting.get(f"{BASE}/proofs/consistency", params=params, headers=auditor)).json()

    report = verify_export(export.content.splitlines(), *kept)
    assert report.valid and report.service == "vetting" and report.checkpoints_checked >= 2
    assert verify_consistency_offline(proof, *kept).valid

    lines = export.content.splitlines()
    line = json.loads(lines[2])
    line["entry"] = line["entry"].replace('"actor":"', '"actor":"x')
    lines[2] = json.dumps(line).encode()
    tampered = verify_export(lines, *kept)
    assert not tampered.valid and tampered.problems == ["entry 2: the entry's bytes do not match its hash"]


async def test_legal_holds_are_placed_and_lifted_by_operators_audited_and_listed(vetting, minter):
    business_id = str(uuid.uuid4())
    operator, auditor = headers(minter, Role.compliance_officer), headers(minter, Role.auditor)
    body = {"business_id": business_id}
    assert (await vetting.post(f"{BASE}/legal-holds", json=body, headers=auditor)).status_code == 403
    placed = await vetting.post(f"{BASE}/legal-holds", json=body, headers=operator)
    assert placed.status_code == 201 and placed.json()["business_id"] == business_id
    assert (await vetting.post(f"{BASE}/legal-holds", json=body, headers=operator)).status_code == 200
    listed = (await vetting.get(f"{BASE}/legal-holds", headers=auditor)).json()["items"]
    assert business_id in [h["business_id"] for h in listed]
    assert (await vetting.delete(f"{BASE}/legal-holds/{business_id}", headers=operator)).status_code == 204
    assert (await vetting.delete(f"{BASE}/legal-holds/{business_id}", headers=operator)).status_code == 404
    trail = (await vetting.get(f"{BASE}/records", params={"record_id": business_id}, headers=auditor)).json()["items"]
    assert [r["action"] for r in trail] == ["audit.legal_hold_placed", "audit.legal_hold_lifted"]
    bad = await vetting.post(f"{BASE}/legal-holds", json={"business_id": "nope"}, headers=operator)
    assert bad.status_code == 422 and bad.json()["violations"][0]["field"] == "business_id"


async def test_a_proof_over_a_damaged_tree_is_a_named_conflict_not_a_server_error(vetting, vetting_app, minter):
    await register(vetting, headers(minter, Role.agency))
    node = vetting_app.state.ledger.audit.proof.node
    database = vetting_app.state.database
    async with database.session() as session:
        row = (await session.execute(select(node).where(node.c.level == 0, node.c.position == 0))).mappings().one()
        await session.execute(delete(node).where(node.c.level == 0, node.c.position == 0))
    try:
        damaged = await vetting.get(
            f"{BASE}/proofs/inclusion", params={"entry": 1}, headers=headers(minter, Role.auditor)
        )
        assert damaged.status_code == 409 and damaged.json()["type"] == "urn:fairpath:problem:audit_tree_damaged"
    finally:
        async with database.session() as session:
            await session.execute(insert(node).values(dict(row)))


async def test_a_legal_hold_on_a_business_covers_its_vetting_case(vetting, vetting_app, minter):
    business = await register(vetting, headers(minter, Role.agency))
    case = await vetting.post(
        f"/v1/businesses/{business['id']}/vetting-cases",
        json={"reason": "initial vetting"},
        headers=headers(minter, Role.compliance_officer),
    )
    assert case.status_code == 201, case.text
    body = {"business_id": business["id"]}
    assert (
        await vetting.post(f"{BASE}/legal-holds", json=body, headers=headers(minter, Role.admin))
    ).status_code == 201
    try:
        async with vetting_app.state.database.session(read_only=True) as session:
            held = await held_record_ids(session, vetting_app.state.ledger.audit, vetting_app.state.audit_hold_scope)
        assert {business["id"], case.json()["id"]} <= held
    finally:
        await vetting.delete(f"{BASE}/legal-holds/{business['id']}", headers=headers(minter, Role.admin))
