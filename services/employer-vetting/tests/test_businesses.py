"""Registering and reading businesses: access, validation, duplicates, pages, the audit chain and the outbox."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import PRINCIPAL_HEADER, Role
from fairpath.common.testing import PrincipalMinter, make_principal, throwaway_keypair
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.review import jobs


def new_business(**overrides):
    body = {
        "kind": "employer",
        "legal_name": "Gulf Horizon Construction LLC",
        "country": "AE",
        "registration_number": f"CN-{uuid.uuid4().hex[:10]}",
    }
    body.update(overrides)
    return body


async def test_request_without_principal_is_401(vetting):
    r = await vetting.get("/v1/businesses")
    assert r.status_code == 401
    assert r.json()["type"] == "urn:fairpath:problem:unauthenticated"


async def test_principal_signed_by_another_key_is_401(vetting):
    forged = PrincipalMinter(throwaway_keypair()).headers(make_principal(Role.admin))
    r = await vetting.get("/v1/businesses", headers=forged)
    assert r.status_code == 401


async def test_expired_principal_is_401(vetting, minter):
    token = minter.token(make_principal(Role.admin), ttl_seconds=-60)
    r = await vetting.get("/v1/businesses", headers={PRINCIPAL_HEADER: token})
    assert r.status_code == 401


async def test_health_needs_no_principal(vetting):
    assert (await vetting.get("/healthz")).status_code == 200
    ready = await vetting.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    assert "fairpath_http_requests_total" in (await vetting.get("/metrics")).text


async def test_agency_registers_employer_and_reads_it_back(vetting, minter):
    agency = make_principal(Role.agency)
    r = await vetting.post("/v1/businesses", json=new_business(), headers=minter.headers(agency))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "registered" and created["owner_organization_id"] == str(agency.organization_id)
    assert created["licence_required"] is False  # an employer operates without an operating licence
    assert uuid.UUID(created["id"]).version == 7
    got = await vetting.get(f"/v1/businesses/{created['id']}", headers=minter.headers(agency))
    assert got.status_code == 200 and got.json() == created


@pytest.mark.parametrize("role", [Role.worker, Role.auditor])
async def test_roles_that_may_not_register_get_403(vetting, minter, role):
    r = await vetting.post("/v1/businesses", json=new_business(), headers=minter.headers(make_principal(role)))
    assert r.status_code == 403


async def test_forbidden_role_gets_403_before_validation(vetting, minter):
    r = await vetting.post("/v1/businesses", json={}, headers=minter.headers(make_principal(Role.worker)))
    assert r.status_code == 403


async def test_a_business_says_whether_vetting_asks_it_for_an_operating_licence(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    registered = await vetting.post("/v1/businesses", json=new_business(kind="recruitment_agency"), headers=agency)
    assert registered.status_code == 201
    assert registered.json()["licence_required"] is True  # a recruitment agency operates under one (IRIS A)


async def test_employer_may_not_register_an_agency(vetting, minter):
    r = await vetting.post(
        "/v1/businesses",
        json=new_business(kind="recruitment_agency"),
        headers=minter.headers(make_principal(Role.employer)),
    )
    assert r.status_code == 403


async def test_invalid_business_lists_every_broken_rule(vetting, minter):
    r = await vetting.post(
        "/v1/businesses",
        json={"kind": "charity", "country": "XX", "registration_number": "", "sector": "Z"},
        headers=minter.headers(make_principal(Role.agency)),
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"] == "urn:fairpath:problem:validation"
    broken = {(v["field"], v["rule"]) for v in problem["violations"]}
    assert ("country", "country_code") in broken
    assert ("sector", "isic_section") in broken
    assert ("legal_name", "missing") in broken
    assert any(f == "kind" for f, _ in broken) and any(f == "registration_number" for f, _ in broken)


async def test_malformed_json_is_422_not_500(vetting, minter):
    r = await vetting.post(
        "/v1/businesses",
        content=b"{not json",
        headers={**minter.headers(make_principal(Role.agency)), "content-type": "application/json"},
    )
    assert r.status_code == 422


async def test_unknown_or_foreign_business_is_404(vetting, minter):
    owner, stranger = make_principal(Role.agency), make_principal(Role.agency)
    created = (await vetting.post("/v1/businesses", json=new_business(), headers=minter.headers(owner))).json()
    assert (await vetting.get(f"/v1/businesses/{created['id']}", headers=minter.headers(stranger))).status_code == 404
    assert (await vetting.get(f"/v1/businesses/{uuid.uuid4()}", headers=minter.headers(owner))).status_code == 404
    assert (await vetting.get("/v1/businesses/not-a-uuid", headers=minter.headers(owner))).status_code == 422


async def test_duplicate_names_the_record_only_to_a_caller_who_may_read_it(vetting, vetting_app, minter):
    owner, stranger = make_principal(Role.agency), make_principal(Role.agency)
    body = new_business()
    created = (await vetting.post("/v1/businesses", json=body, headers=minter.headers(owner))).json()
    # The same number written differently is the same registration.
    again = {**body, "registration_number": body["registration_number"].lower().replace("-", " ")}

    mine = await vetting.post("/v1/businesses", json=again, headers=minter.headers(owner))
    assert mine.status_code == 409
    assert mine.json()["type"] == "urn:fairpath:problem:duplicate" and mine.json()["existing_id"] == created["id"]

    theirs = await vetting.post("/v1/businesses", json=again, headers=minter.headers(stranger))
    assert theirs.status_code == 409
    assert theirs.json()["type"] == "urn:fairpath:problem:already_registered"
    assert created["id"] not in theirs.text

    audit = vetting_app.state.ledger.audit
    async with vetting_app.state.database.session(read_only=True) as s:
        rows = (await s.execute(select(audit.entry).where(audit.entry.c.record_id == created["id"]))).mappings().all()
    assert [r["action"] for r in rows].count("business.duplicate_attempt") == 2
    assert any(r["actor"] == stranger.actor for r in rows)


async def test_list_is_limited_to_the_callers_reach_filtered_and_paged(vetting, minter):
    agency = make_principal(Role.agency)
    tag = uuid.uuid4().hex[:8]
    for i in range(5):
        r = await vetting.post(
            "/v1/businesses",
            json=new_business(legal_name=f"Pager {tag} {i}", country="QA"),
            headers=minter.headers(agency),
        )
        assert r.status_code == 201
    await vetting.post(
        "/v1/businesses",
        json=new_business(legal_name=f"Pager {tag} other"),
        headers=minter.headers(make_principal(Role.agency)),
    )

    seen, cursor = [], None
    while True:
        params = {"limit": 2, "name": f"pager {tag}"} | ({"cursor": cursor} if cursor else {})
        page = (await vetting.get("/v1/businesses", params=params, headers=minter.headers(agency))).json()
        seen += [b["legal_name"] for b in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Pager {tag} {i}" for i in range(5)]

    auditor = make_principal(Role.auditor)
    everything = (
        await vetting.get("/v1/businesses", params={"name": tag, "limit": 200}, headers=minter.headers(auditor))
    ).json()
    assert len(everything["items"]) == 6
    qatar = (
        await vetting.get("/v1/businesses", params={"name": tag, "country": "qa"}, headers=minter.headers(auditor))
    ).json()
    assert len(qatar["items"]) == 5
    bad = await vetting.get("/v1/businesses", params={"cursor": "@@@"}, headers=minter.headers(auditor))
    assert bad.status_code == 422 and bad.json()["violations"][0]["field"] == "cursor"


async def test_registration_writes_its_event_to_the_outbox_in_the_same_transaction(vetting, vetting_app, minter):
    created = (
        await vetting.post("/v1/businesses", json=new_business(), headers=minter.headers(make_principal(Role.agency)))
    ).json()
    outbox = vetting_app.state.ledger.outbox
    async with vetting_app.state.database.session(read_only=True) as s:
        rows = (
            (await s.execute(select(outbox).where(outbox.c.subject == "vetting.business.registered"))).mappings().all()
        )
    bodies = [r["body"].decode() for r in rows]
    assert any(created["id"] in b for b in bodies)
    assert not any("Gulf Horizon" in b and created["id"] in b and "address" in b for b in bodies)


async def test_audit_chain_verifies_and_names_the_first_tampered_entry(vetting, vetting_app, minter):
    auditor = minter.headers(make_principal(Role.auditor))
    for _ in range(3):
        await vetting.post("/v1/businesses", json=new_business(), headers=minter.headers(make_principal(Role.agency)))
    ok = (await vetting.get("/v1/audit/vetting/verify", headers=auditor)).json()
    assert ok["valid"] is True and ok["entries_checked"] >= 3

    audit = vetting_app.state.ledger.audit
    async with vetting_app.state.database.session() as s:
        row = (await s.execute(select(audit.entry).where(audit.entry.c.seq == 2))).mappings().one()
        await s.execute(update(audit.entry).where(audit.entry.c.seq == 2).values(action="business.tampered"))
    try:
        broken = (await vetting.get("/v1/audit/vetting/verify", headers=auditor)).json()
        assert broken["valid"] is False and broken["first_broken_seq"] == 2
    finally:
        async with vetting_app.state.database.session() as s:
            await s.execute(update(audit.entry).where(audit.entry.c.seq == 2).values(action=row["action"]))
    assert (await vetting.get("/v1/audit/vetting/verify", headers=auditor)).json()["valid"] is True
    assert all(set(c) == {"field", "digest"} for c in row["changes"])


async def test_audit_records_hold_field_names_and_digests_never_values(vetting, minter):
    body = new_business(legal_name="Unique Marker Trading", address="12 Secret Street")
    created = (
        await vetting.post("/v1/businesses", json=body, headers=minter.headers(make_principal(Role.agency)))
    ).json()
    r = await vetting.get(
        "/v1/audit/vetting/records",
        params={"record_id": created["id"]},
        headers=minter.headers(make_principal(Role.auditor)),
    )
    assert r.status_code == 200
    entry = r.json()["items"][0]
    assert {c["field"] for c in entry["changes"]} >= {"legal_name", "address", "country"}
    assert "Secret Street" not in r.text and "Unique Marker" not in r.text
    agency_view = await vetting.get("/v1/audit/vetting/records", headers=minter.headers(make_principal(Role.agency)))
    assert agency_view.status_code == 403


async def test_every_event_of_a_business_carries_the_version_the_business_has_after_that_change(
    vetting, vetting_app, minter
):
    agency = minter.headers(make_principal(Role.agency))
    operator_org = uuid.uuid4()
    opener = minter.headers(make_principal(Role.compliance_officer, organization_id=operator_org))
    decider = minter.headers(make_principal(Role.compliance_officer, organization_id=operator_org))
    created = (await vetting.post("/v1/businesses", json=new_business(), headers=agency)).json()
    business_id = created["id"]
    seen = [(created["status"], created["version"])]

    async def current() -> dict:
        r = await vetting.get(f"/v1/businesses/{business_id}", headers=opener)
        assert r.status_code == 200, r.text
        return r.json()

    updated = await vetting.patch(f"/v1/businesses/{business_id}", json={"address": "1 Harbour Road"}, headers=agency)
    assert updated.status_code == 200, updated.text
    seen.append((updated.json()["status"], updated.json()["version"]))
    case = await vetting.post(
        f"/v1/businesses/{business_id}/vetting-cases", json={"reason": "initial vetting"}, headers=opener
    )
    assert case.status_code == 201, case.text
    seen.append(((b := await current())["status"], b["version"]))
    decided = await vetting.post(
        f"/v1/vetting-cases/{case.json()['id']}/decision",
        json={"decision": "approved", "reason": "evidence reviewed"},
        headers=decider,
    )
    assert decided.status_code == 200, decided.text
    seen.append(((b := await current())["status"], b["version"]))
    async with vetting_app.state.database.session() as s:  # time passes: the approval runs out
        await s.execute(
            update(Business)
            .where(Business.id == uuid.UUID(business_id))
            .values(approval_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    await jobs.expire_approvals(vetting_app.state.database, vetting_app.state.ledger)
    seen.append(((b := await current())["status"], b["version"]))

    outbox = vetting_app.state.ledger.outbox
    async with vetting_app.state.database.session(read_only=True) as s:
        bodies = (await s.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars().all()
    events = [e for e in map(json.loads, bodies) if e["subject"] == business_id]
    assert [e["type"].split(".")[-2] for e in events] == ["registered", "updated", "updated", "approved", "expired"]
    assert seen == [
        ("registered", 1),
        ("registered", 2),
        ("under_review", 3),
        ("approved", 4),
        ("expired", 5),
    ]
    assert [(e["data"]["status"], e["data"]["version"]) for e in events] == seen
    assert events[-1]["data"]["version"] == (await current())["version"]
