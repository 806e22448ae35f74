"""Every change of terms is a new immutable version with the SHA-256 of its canonical content."""

import hashlib
import json
import uuid

import pytest
import rfc8785

from fairpath.contracts.contracts.service import content_hash
from fairpath.contracts.contracts.tables import ContractVersion
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.documents.catalogues import catalogue
from fairpath.contracts.lifecycle.service import merge_patch

from .conftest import contract_terms


def test_the_hash_is_sha256_of_rfc8785_canonical_json_and_ignores_key_order():
    terms = contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    reordered = json.loads(json.dumps(dict(reversed(list(terms.items())))))
    a, b = ContractTerms.model_validate(terms), ContractTerms.model_validate(reordered)
    expected = hashlib.sha256(rfc8785.dumps(a.model_dump(mode="json"))).hexdigest()
    assert content_hash(a) == content_hash(b) == expected
    terms["pay"]["amount"] += 1
    assert content_hash(ContractTerms.model_validate(terms)) != expected


def test_a_known_contract_keeps_its_known_hash():
    """Pinned: a change of the model or the serialisation that moves old hashes fails here."""
    ids = (
        "01930000-0000-7000-8000-000000000001",
        "01930000-0000-7000-8000-000000000002",
        "01930000-0000-7000-8000-000000000003",
    )
    terms = contract_terms(*ids)
    terms["period"] |= {"departure_date": "2027-01-10", "start_date": "2027-01-12"}
    digest = content_hash(ContractTerms.model_validate(terms))
    assert (
        digest == hashlib.sha256(rfc8785.dumps(ContractTerms.model_validate(terms).model_dump(mode="json"))).hexdigest()
    )
    assert digest == PINNED_HASH, digest


# The terms of `contract_terms` with these ids and dates: changing that fixture changes this hash too.
PINNED_HASH = "0849e1396ba245d0980f98f8c0ff576f569a173a856198ba110fa8194e2f1871"


def test_merge_patch_follows_rfc7396():
    assert merge_patch({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 5, "c": None}, "e": [1]}) == {
        "a": {"b": 5},
        "d": 3,
        "e": [1],
    }


async def test_a_change_makes_a_new_version_and_keeps_the_old_one(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 190000}}, "expected_version": 1},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["current_version"] == 2 and changed["terms"]["pay"]["amount"] == 190000
    assert changed["content_hash"] != created["content_hash"]
    versions = (
        await world.client.get(f"/v1/contracts/{created['id']}/versions", headers=world.headers(world.auditor))
    ).json()["items"]
    assert [(v["number"], v["content_hash"]) for v in versions] == [
        (1, created["content_hash"]),
        (2, changed["content_hash"]),
    ]
    assert versions[0]["terms"]["pay"]["amount"] == 180000
    for v in versions:  # each hash can be recomputed from the terms the API returns
        assert v["content_hash"] == content_hash(ContractTerms.model_validate(v["terms"]))


async def test_a_change_that_breaks_a_rule_is_refused_and_makes_no_version(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"document_custody": {"passport_kept_by": "employer"}, "hours": {"normal_hours_per_week": 60}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 422
    assert {v["rule"] for v in r.json()["violations"]} >= {"document_custody", "working_hours"}
    again = await world.client.get(f"/v1/contracts/{created['id']}", headers=world.headers(p.agency_user))
    assert again.json()["current_version"] == 1


async def test_a_change_with_a_stale_version_is_409(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 190000}}, "expected_version": 7},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:version_mismatch"


async def test_an_unchanged_patch_makes_no_new_version(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 180000}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200 and r.json()["current_version"] == 1


async def test_changing_an_issued_contract_sends_it_back_to_draft(world):
    p = await world.parties()
    issued = await p.issued()
    r = await world.client.patch(
        f"/v1/contracts/{issued['id']}",
        json={"terms": {"leave": {"sick_leave_days": 20}}},
        headers=world.headers(p.employer_user),
    )
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["issued_version"] is None


async def test_a_signed_version_never_changes(world, contracts_app):
    p = await world.parties()
    signed = await p.signed()
    r = await world.client.patch(
        f"/v1/contracts/{signed['id']}",
        json={"terms": {"pay": {"amount": 200000}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:signed_terms_are_immutable"
    versions = (
        await world.client.get(f"/v1/contracts/{signed['id']}/versions", headers=world.headers(p.worker_user))
    ).json()["items"]
    assert len(versions) == 1 and versions[0]["signed"] and versions[0]["content_hash"] == signed["content_hash"]


async def test_the_worker_and_the_employer_are_fixed_parties(world):
    p = await world.parties()
    created = await p.contract()
    other_worker = await world.worker()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"parties": {"worker": {"worker_id": str(other_worker)}}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "party_is_fixed"


async def test_the_workers_name_is_stored_sealed(world, contracts_app):
    p = await world.parties()
    created = await p.contract()
    async with contracts_app.state.database.session(read_only=True) as s:
        version = await s.get(ContractVersion, (uuid.UUID(created["id"]), 1))
    stored = json.dumps(version.terms) + version.worker_sealed
    assert "Sita" not in stored and "Bharatpur" not in stored
    assert created["terms"]["parties"]["worker"]["full_name"] == "Sita Kumari Tamang"


@pytest.mark.parametrize(
    "patch",
    [
        {"fee_statement": None},
        {"parties": 5},
        {"pay": {"deductions": [None]}},
        {"hours": {"normal_hours_per_week": "x"}},
        {"period": {"duration_months": None}},
        {"unknown_term": 1},
    ],
)
async def test_a_malformed_change_is_a_422_listing_the_terms(world, patch):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}", json={"terms": patch}, headers=world.headers(p.agency_user)
    )
    assert r.status_code == 422, r.text
    assert all(v["field"].startswith("terms") for v in r.json()["violations"])


async def test_a_version_keeps_its_history_when_the_contract_moves_on(world):
    """Issued, replaced, never rewritten: v1 stays issued (with its time) after a change, and unchanged after
    v2 is issued and signed."""
    p = await world.parties()
    issued = await p.issued()
    url = f"/v1/contracts/{issued['id']}/versions"
    r = await world.client.patch(
        f"/v1/contracts/{issued['id']}",
        json={"terms": {"leave": {"sick_leave_days": 20}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    v1, v2 = (await world.client.get(url, headers=world.headers(world.auditor))).json()["items"]
    assert v1["issued"] is True and v1["issued_at"] == issued["issued_at"]
    assert v1["signed"] is False and v1["signed_at"] is None
    assert v1["superseded_by"] == 2 and v1["superseded_at"] is not None
    assert v1["superseded_at"] >= v1["issued_at"]
    assert v2["issued"] is False and v2["issued_at"] is None and v2["superseded_by"] is None

    reissued = (await p.post(issued["id"], "issue")).json()
    r = await p.post(issued["id"], "sign", {"version": 2, "method": "handwritten"}, as_=p.worker_user)
    assert r.status_code == 200, r.text
    v1_after, v2_after = (await world.client.get(url, headers=world.headers(p.worker_user))).json()["items"]
    assert v1_after == v1
    assert v2_after["issued"] is True and v2_after["issued_at"] == reissued["issued_at"]
    assert v2_after["signed"] is True and v2_after["signed_at"] == r.json()["signed_at"]
    assert v2_after["signature_method"] == "handwritten" and v2_after["superseded_by"] is None


async def test_a_replaced_version_prints_when_it_was_issued_and_what_replaced_it(world):
    p = await world.parties()
    issued = await p.issued()
    await world.client.patch(
        f"/v1/contracts/{issued['id']}",
        json={"terms": {"leave": {"sick_leave_days": 20}}},
        headers=world.headers(p.agency_user),
    )
    html = (
        await world.client.get(
            f"/v1/contracts/{issued['id']}/document",
            params={"version": 1, "lang": "en"},
            headers=world.headers(p.agency_user),
        )
    ).text
    cat = catalogue("en")
    assert f"{cat('issued_on')}</span>: <bdi>{issued['issued_at'][:10]}</bdi>" in html
    assert cat("status_line", status=cat("status_superseded", version=2)) in html
    assert cat("draft_contract") not in html  # it did reach the worker
