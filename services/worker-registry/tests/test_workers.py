"""Registering workers: minimum age, duplicates without leaks, encryption at rest, masking by role,
audited reads, consent per purpose, changes, and search scoped by role."""

import asyncio
import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import audit_entries, new_agency, passport_number, register, worker_body, worker_principal


def years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


async def test_request_without_principal_is_401(registry):
    assert (await registry.get("/v1/workers")).status_code == 401


async def test_agency_registers_a_worker_and_owns_the_record(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    assert created["view"] == "full" and created["full_name"] == "Sita Gurung"
    assert created["agency_organization_id"] == str(agency.organization_id)
    assert created["consents"] == ["registration"] and uuid.UUID(created["id"]).version == 7
    assert created["skills"][0]["occupation_title"] == "Cooks"
    got = await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))
    assert got.status_code == 200
    assert got.json()["identity_document"]["number"] == created["identity_document"]["number"]


@pytest.mark.parametrize("role", [Role.worker, Role.employer, Role.auditor, Role.admin])
async def test_only_an_agency_registers_workers(registry, minter, role):
    r = await registry.post("/v1/workers", json={}, headers=minter.headers(make_principal(role)))
    assert r.status_code == 403


async def test_worker_below_the_minimum_age_is_refused(registry, minter):
    r = await registry.post(
        "/v1/workers", json=worker_body(date_of_birth=years_ago(18, days=-1)), headers=minter.headers(new_agency())
    )
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("date_of_birth", "minimum_age")]
    r = await registry.post(
        "/v1/workers", json=worker_body(date_of_birth=years_ago(18)), headers=minter.headers(new_agency())
    )
    assert r.status_code == 201, r.text


async def test_operator_table_raises_the_minimum_age_for_a_country_and_occupation(registry, minter):
    admin = minter.headers(make_principal(Role.admin))
    table = {
        "default_minimum_age": 18,
        "rules": [{"origin_country": "BD", "occupation": "91", "minimum_age": 21, "source": "bilateral agreement"}],
    }
    assert (
        await registry.put("/v1/reference/minimum-age", json=table, headers=minter.headers(make_principal(Role.agency)))
    ).status_code == 403
    r = await registry.put("/v1/reference/minimum-age", json=table, headers=admin)
    assert r.status_code == 200 and r.json()["rules"][0]["minimum_age"] == 21
    try:
        agency = minter.headers(new_agency())
        cleaner = [{"occupation": "9112", "level": "skilled"}]
        twenty = years_ago(20)
        r = await registry.post(
            "/v1/workers", json=worker_body(nationality="BD", date_of_birth=twenty, skills=cleaner), headers=agency
        )
        assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "minimum_age"
        assert "21" in r.json()["violations"][0]["message"]
        # Another occupation, or another nationality, keeps the default age.
        for body in (
            worker_body(nationality="BD", date_of_birth=twenty),
            worker_body(nationality="NP", date_of_birth=twenty, skills=cleaner),
        ):
            assert (await registry.post("/v1/workers", json=body, headers=agency)).status_code == 201
        got = await registry.get("/v1/reference/minimum-age", headers=agency)
        assert got.json()["default_minimum_age"] == 18 and got.json()["rules"][0]["origin_country"] == "BD"
    finally:
        await registry.put("/v1/reference/minimum-age", json={"default_minimum_age": 18, "rules": []}, headers=admin)


async def test_minimum_age_table_cannot_go_below_eighteen(registry, minter):
    r = await registry.put(
        "/v1/reference/minimum-age",
        json={"default_minimum_age": 16},
        headers=minter.headers(make_principal(Role.admin)),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "default_minimum_age"


async def test_registration_needs_consent_for_registration(registry, minter):
    body = worker_body(consents=[{"purpose": "employment_contract", "method": "written_signature", "language": "ne"}])
    r = await registry.post("/v1/workers", json=body, headers=minter.headers(new_agency()))
    assert r.status_code == 422
    assert {(v["field"], v["rule"]) for v in r.json()["violations"]} == {("consents", "consent_required")}


async def test_invalid_worker_lists_every_broken_rule(registry, minter):
    body = worker_body(
        nationality="XX",
        phone="12345",
        skills=[{"occupation": "9999", "level": "skilled"}],
        languages=[{"language": "Nepali", "proficiency": "native"}],
    )
    r = await registry.post("/v1/workers", json=body, headers=minter.headers(new_agency()))
    assert r.status_code == 422
    fields = {v["field"] for v in r.json()["violations"]}
    assert {"nationality", "phone", "skills.0.occupation", "languages.0.language"} <= fields
    rules = {v["rule"] for v in r.json()["violations"]}
    assert {"country_code", "isco08", "language_tag"} <= rules


async def test_duplicate_document_names_the_record_only_to_its_owner_and_is_audited(registry, registry_app, minter):
    owner, stranger = new_agency(), new_agency()
    number = passport_number()
    document = {"kind": "passport", "number": number, "issuing_country": "NP"}
    first = await register(registry, minter, owner, identity_document=document)

    again = await registry.post(
        "/v1/workers", json=worker_body(identity_document=document), headers=minter.headers(owner)
    )
    assert again.status_code == 409
    assert again.json()["type"] == "urn:fairpath:problem:duplicate" and again.json()["existing_id"] == first["id"]

    # The same document written differently, by another agency: a 409 that says nothing about the record.
    spaced = {**document, "number": f"{number[:2].lower()} {number[2:5]}-{number[5:]}"}
    other = await registry.post(
        "/v1/workers",
        json=worker_body(full_name="Someone Else", identity_document=spaced),
        headers=minter.headers(stranger),
    )
    assert other.status_code == 409
    problem = other.json()
    assert problem["type"] == "urn:fairpath:problem:already_registered" and "existing_id" not in problem
    assert first["id"] not in other.text and "Sita" not in other.text

    attempts = await audit_entries(registry_app, first["id"], "worker.duplicate_attempt")
    assert [a["actor"] for a in attempts] == [owner.actor, stranger.actor]


async def test_personal_data_is_encrypted_in_the_raw_table(registry, registry_app, minter):
    body = worker_body(full_name="Rina Tamang Encrypted")
    created = await register(registry, minter, new_agency(), **body)
    async with registry_app.state.database.session(read_only=True) as s:
        row = (
            (
                await s.execute(
                    text("SELECT * FROM worker WHERE id = :id"),
                    {
                        "id": uuid.UUID(created["id"])
                        if not registry_app.state.database.is_sqlite
                        else uuid.UUID(created["id"]).hex
                    },
                )
            )
            .mappings()
            .one()
        )
    raw = json.dumps({k: str(v) for k, v in row.items()})
    for secret in ("Rina Tamang", body["identity_document"]["number"], body["phone"], body["date_of_birth"]):
        assert secret not in raw
    for column in ("full_name_sealed", "date_of_birth_sealed", "document_number_sealed", "phone_sealed"):
        assert row[column].startswith("k2026:"), "each value names the key that sealed it"
    assert len(row["document_hash"]) == 64


async def test_what_each_role_sees_and_an_employer_sees_a_profile_only_once_the_worker_shares_it_with_it(
    registry, minter, businesses
):
    agency = new_agency()
    body = worker_body(phone="+9779812345678")
    number = body["identity_document"]["number"]
    created = await register(registry, minter, agency, **body)
    url = f"/v1/workers/{created['id']}"

    officer = (await registry.get(url, headers=minter.headers(make_principal(Role.compliance_officer)))).json()
    assert officer["view"] == "full" and officer["identity_document"]["number"] == number
    for role in (Role.auditor, Role.admin):
        seen = (await registry.get(url, headers=minter.headers(make_principal(role)))).json()
        assert seen["view"] == "pseudonymous" and seen["birth_year"] == 1996
        assert not {"full_name", "date_of_birth", "identity_document", "phone"} & set(seen)
    itself = (await registry.get(url, headers=minter.headers(worker_principal(created["id"])))).json()
    assert itself["view"] == "full" and itself["phone"] == "+9779812345678"

    employer = make_principal(Role.employer, business_id=await businesses.known(recruiting=agency))
    other_employer = minter.headers(make_principal(Role.employer, business_id=await businesses.known()))
    for outsider in (
        minter.headers(employer),
        minter.headers(new_agency()),
        minter.headers(worker_principal(uuid.uuid4())),
    ):
        assert (await registry.get(url, headers=outsider)).status_code == 404

    r = await registry.post(
        f"{url}/consents",
        headers=minter.headers(agency),
        json={
            "purpose": "data_sharing_with_employer",
            "business_id": str(employer.business_id),
            "granted": True,
            "method": "written_signature",
            "language": "ne",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["shared_with_employers"] == [str(employer.business_id)]
    profile = (await registry.get(url, headers=minter.headers(employer))).json()
    assert (
        profile["view"] == "profile" and profile["birth_year"] == 1996 and profile["skills"][0]["occupation"] == "5120"
    )
    assert not {"full_name", "date_of_birth", "identity_document", "phone"} & set(profile)
    assert (await registry.get(url, headers=other_employer)).status_code == 404, "consent is given to one employer"


async def test_reads_by_anyone_but_the_owner_are_audited_without_personal_data(registry, registry_app, minter):
    agency = new_agency()
    body = worker_body(full_name="Audit Subject Name")
    created = await register(registry, minter, agency, **body)
    url = f"/v1/workers/{created['id']}"
    await registry.get(url, headers=minter.headers(agency))
    await registry.get(url, headers=minter.headers(worker_principal(created["id"])))
    assert await audit_entries(registry_app, created["id"], "worker.read") == []
    auditor = make_principal(Role.auditor)
    await registry.get(url, headers=minter.headers(auditor))
    reads = await audit_entries(registry_app, created["id"], "worker.read")
    assert [r["actor"] for r in reads] == [auditor.actor]
    everything = json.dumps([dict(e) for e in await audit_entries(registry_app, created["id"])], default=str)
    for secret in ("Audit Subject Name", body["identity_document"]["number"], body["phone"], body["date_of_birth"]):
        assert secret not in everything


async def test_consent_withdrawal_takes_effect_at_once_and_is_emitted(registry, minter, published, businesses):
    agency = new_agency()
    employer_id = await businesses.known(recruiting=agency)
    created = await register(
        registry,
        minter,
        agency,
        consents=[
            {"purpose": "registration", "method": "written_signature", "language": "ne"},
            {
                "purpose": "data_sharing_with_employer",
                "business_id": str(employer_id),
                "method": "written_signature",
                "language": "ne",
            },
            {"purpose": "employment_contract", "method": "written_signature", "language": "ne"},
        ],
    )
    employer = minter.headers(make_principal(Role.employer, business_id=employer_id))
    assert (await registry.get(f"/v1/workers/{created['id']}", headers=employer)).status_code == 200

    r = await registry.post(
        f"/v1/workers/{created['id']}/consents",
        headers=minter.headers(worker_principal(created["id"])),
        json={
            "purpose": "data_sharing_with_employer",
            "business_id": str(employer_id),
            "granted": False,
            "method": "self_service",
            "language": "ne",
        },
    )
    assert r.status_code == 201
    assert r.json()["consents"] == ["registration", "employment_contract"]
    assert (await registry.get(f"/v1/workers/{created['id']}", headers=employer)).status_code == 404

    [event] = await published.wait_for("registry.worker.consent_changed", created["id"])
    assert event.data["purpose"] == "data_sharing_with_employer" and event.data["granted"] is False
    assert event.data["consents"] == ["registration", "employment_contract"] and event.data["version"] == 2
    [registered] = await published.wait_for("registry.worker.registered", created["id"])
    assert registered.data["languages"] == ["ne", "en"] and registered.data["agency_id"] == str(agency.business_id)
    for sent in (event, registered):
        assert (
            "Sita" not in sent.to_json().decode()
            and created["identity_document"]["number"] not in sent.to_json().decode()
        )


async def test_consent_of_another_agencys_worker_is_404(registry, minter):
    created = await register(registry, minter, new_agency())
    r = await registry.post(
        f"/v1/workers/{created['id']}/consents",
        headers=minter.headers(new_agency()),
        json={"purpose": "employment_contract", "granted": True, "method": "written_signature", "language": "ne"},
    )
    assert r.status_code == 404


async def test_worker_changes_their_contact_but_not_their_identity(registry, minter, published):
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))
    r = await registry.patch(f"/v1/workers/{created['id']}", json={"phone": "+9779800000001"}, headers=me)
    assert r.status_code == 200 and r.json()["phone"] == "+9779800000001" and r.json()["version"] == 2
    assert (
        await registry.patch(f"/v1/workers/{created['id']}", json={"full_name": "X"}, headers=me)
    ).status_code == 403
    too_young = await registry.patch(
        f"/v1/workers/{created['id']}", json={"date_of_birth": years_ago(15)}, headers=minter.headers(agency)
    )
    assert too_young.status_code == 422 and too_young.json()["violations"][0]["rule"] == "minimum_age"
    assert (
        await registry.patch(
            f"/v1/workers/{created['id']}", json={"phone": "+9779800000002"}, headers=minter.headers(new_agency())
        )
    ).status_code == 404
    [updated] = await published.wait_for("registry.worker.updated", created["id"])
    assert updated.data["changed_fields"] == ["phone"] and "+97798" not in updated.to_json().decode()


async def test_search_is_scoped_to_the_agency_and_filters_by_skill_language_and_nationality(registry, minter):
    agency, other = new_agency(), new_agency()
    welder = [{"occupation": "7212", "level": "highly_skilled"}]
    mason = [{"occupation": "7112", "level": "semi_skilled"}]
    arabic = [{"language": "ar", "proficiency": "fluent"}]
    ids = {
        "welder_np": (await register(registry, minter, agency, skills=welder))["id"],
        "welder_bd_ar": (await register(registry, minter, agency, skills=welder, nationality="BD", languages=arabic))[
            "id"
        ],
        "mason_np": (await register(registry, minter, agency, skills=mason))["id"],
    }
    await register(registry, minter, other, skills=welder)
    headers = minter.headers(agency)

    async def found(**params) -> list[str]:
        r = await registry.get("/v1/workers", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return [w["id"] for w in r.json()["items"]]

    assert await found() == sorted(ids.values())
    assert await found(occupation="7212") == [ids["welder_np"], ids["welder_bd_ar"]]
    assert await found(occupation="72") == [ids["welder_np"], ids["welder_bd_ar"]], "a sub-major group finds its units"
    assert await found(occupation="7", skill_level="skilled") == [ids["welder_np"], ids["welder_bd_ar"]]
    assert await found(language="ar", language_proficiency="fluent") == [ids["welder_bd_ar"]]
    assert await found(nationality="NP", occupation="711") == [ids["mason_np"]]
    assert await found(available=True) == sorted(ids.values())
    first = await registry.get("/v1/workers", params={"limit": 2}, headers=headers)
    second = await registry.get(
        "/v1/workers", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )
    assert [w["id"] for w in first.json()["items"] + second.json()["items"]] == sorted(ids.values())
    assert second.json()["next_cursor"] is None
    bad = await registry.get("/v1/workers", params={"occupation": "7299", "nationality": "ZZ"}, headers=headers)
    assert bad.status_code == 422 and {v["field"] for v in bad.json()["violations"]} == {"occupation", "nationality"}


async def test_employer_search_sees_profiles_of_workers_consenting_to_share_with_it_only(
    registry, registry_app, minter, businesses
):
    agency = new_agency()
    employer = make_principal(Role.employer, business_id=await businesses.known(recruiting=agency))
    sharing = [
        {"purpose": "registration", "method": "written_signature", "language": "ne"},
        {
            "purpose": "data_sharing_with_employer",
            "business_id": str(employer.business_id),
            "method": "written_signature",
            "language": "ne",
        },
    ]
    rare = [{"occupation": "6113", "level": "skilled"}]  # gardeners, used by this test only
    consenting = await register(registry, minter, agency, skills=rare, nationality="LK", consents=sharing)
    await register(registry, minter, agency, skills=rare, nationality="LK")
    r = await registry.get(
        "/v1/workers", params={"occupation": "6113", "nationality": "LK"}, headers=minter.headers(employer)
    )
    assert r.status_code == 200
    [profile] = r.json()["items"]
    assert profile["id"] == consenting["id"] and profile["view"] == "profile"
    assert "full_name" not in profile and "identity_document" not in profile
    searched = await audit_entries(registry_app, consenting["id"], "worker.searched")
    assert [s["actor"] for s in searched] == [employer.actor]
    verify = await registry.get("/v1/audit/registry/verify", headers=minter.headers(make_principal(Role.auditor)))
    assert verify.json()["valid"] is True, "a page of reads is chained like single appends"
    assert (
        await registry.get("/v1/workers", headers=minter.headers(worker_principal(consenting["id"])))
    ).status_code == 403


async def test_malformed_requests_are_422_never_500(registry, minter):
    agency = minter.headers(new_agency())
    for method, url, kwargs in (
        ("get", "/v1/workers/not-a-uuid", {}),
        ("get", "/v1/workers", {"params": {"cursor": "!!!"}}),
        ("get", "/v1/workers", {"params": {"skill_level": "guru", "limit": "0"}}),
        ("post", "/v1/workers", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("post", "/v1/workers", {"json": worker_body(date_of_birth="1990-02-30", unknown_field=1)}),
        ("patch", f"/v1/fees/{uuid.uuid4()}", {"json": {"step": "teleported"}}),
    ):
        headers = {**agency, **kwargs.pop("headers", {})}
        r = await getattr(registry, method)(url, headers=headers, **kwargs)
        assert r.status_code == 422, (url, r.status_code, r.text)
        assert r.json()["violations"]


async def test_no_personal_data_reaches_the_logs(registry, minter, caplog):
    agency = new_agency()
    body = worker_body(full_name="Loggable Name Never")
    with caplog.at_level("DEBUG"):
        created = await register(registry, minter, agency, **body)
        await registry.post("/v1/workers", json=body, headers=minter.headers(new_agency()))  # duplicate
        await registry.post(
            "/v1/workers",
            json=worker_body(full_name="Loggable Name Never", phone="bad"),
            headers=minter.headers(agency),
        )
        await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(make_principal(Role.auditor)))
    assert caplog.records, "the requests were logged"
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for secret in ("Loggable Name", body["identity_document"]["number"], body["phone"]):
        assert secret not in logged


async def test_the_same_document_registered_at_once_by_two_agencies_is_one_record_and_an_audited_409(
    registry, registry_app, minter
):
    document = {"kind": "passport", "number": passport_number(), "issuing_country": "NP"}
    first, second = new_agency(), new_agency()
    responses = await asyncio.gather(
        *(
            registry.post("/v1/workers", json=worker_body(identity_document=document), headers=minter.headers(agency))
            for agency in (first, second)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    created = next(r.json() for r in responses if r.status_code == 201)
    refused = next(r.json() for r in responses if r.status_code == 409)
    assert refused["type"] == "urn:fairpath:problem:already_registered"
    assert len(await audit_entries(registry_app, created["id"], "worker.duplicate_attempt")) == 1


async def test_null_for_a_list_in_a_change_is_a_clear_422_not_a_500(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency, **worker_body())
    r = await registry.patch(
        f"/v1/workers/{created['id']}", json={"skills": None, "languages": None}, headers=minter.headers(agency)
    )
    assert r.status_code == 422, r.text  # was a 500: the uniqueness check met the null list
    assert ("languages", "required") in {(v["field"], v["rule"]) for v in r.json()["violations"]}


# --- who recorded a consent, and how --------------------------------------------------------------


def consent_change(method: str, worker: dict, **extra) -> dict:
    """Withdrawing the worker's consent to share with the employer `sharing_worker` gave it for."""
    return {
        "purpose": "data_sharing_with_employer",
        "business_id": worker["shared_with_employers"][0],
        "granted": False,
        "method": method,
        "language": "ne",
    } | extra


async def sharing_worker(registry, minter, agency, businesses) -> dict:
    employer_id = await businesses.known(recruiting=agency)
    return await register(
        registry,
        minter,
        agency,
        consents=[
            {"purpose": "registration", "method": "written_signature", "language": "ne"},
            {
                "purpose": "data_sharing_with_employer",
                "business_id": str(employer_id),
                "method": "written_signature",
                "language": "ne",
            },
        ],
    )


async def test_an_agency_may_not_record_a_consent_change_as_the_workers_self_service(registry, minter, businesses):
    agency = new_agency()
    created = await sharing_worker(registry, minter, agency, businesses)
    url = f"/v1/workers/{created['id']}"
    r = await registry.post(
        f"{url}/consents", json=consent_change("self_service", created), headers=minter.headers(agency)
    )
    assert r.status_code == 422, r.text
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("method", "self_service_by_worker_only")]
    after = (await registry.get(url, headers=minter.headers(agency))).json()
    assert after["consents"] == ["registration", "data_sharing_with_employer"] and after["version"] == 1


async def test_registration_by_an_agency_cannot_claim_the_workers_self_service(registry, minter):
    body = worker_body(consents=[{"purpose": "registration", "method": "self_service", "language": "ne"}])
    r = await registry.post("/v1/workers", json=body, headers=minter.headers(new_agency()))
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [
        ("consents.0.method", "self_service_by_worker_only")
    ]


async def test_an_agency_acting_on_the_workers_written_request_names_it_and_the_record_keeps_who_recorded_it(
    registry, registry_app, minter, businesses
):
    agency = new_agency()
    created = await sharing_worker(registry, minter, agency, businesses)
    url = f"/v1/workers/{created['id']}/consents"
    missing = await registry.post(url, json=consent_change("written_request", created), headers=minter.headers(agency))
    assert missing.status_code == 422
    assert [(v["field"], v["rule"]) for v in missing.json()["violations"]] == [("request_reference", "required")]

    r = await registry.post(
        url,
        json=consent_change("written_request", created, request_reference="WR-2026-0042"),
        headers=minter.headers(agency),
    )
    assert r.status_code == 201, r.text
    change = r.json()["change"]
    assert (change["method"], change["request_reference"], change["recorded_by"]) == (
        "written_request",
        "WR-2026-0042",
        agency.actor,
    )
    assert r.json()["consents"] == ["registration"]
    [entry] = await audit_entries(registry_app, created["id"], "worker.consent_withdrawn")
    assert entry["actor"] == agency.actor
    assert "request_reference" in {c["field"] for c in entry["changes"]}
    assert "WR-2026-0042" not in json.dumps(dict(entry), default=str)
    export = await registry.get(
        f"/v1/workers/{created['id']}/export", headers=minter.headers(worker_principal(created["id"]))
    )
    assert [(c["method"], c["recorded_by"]) for c in export.json()["consents"]][-1] == (
        "written_request",
        agency.actor,
    )


async def test_the_worker_changes_consent_through_their_own_login_as_self_service(registry, minter, businesses):
    created = await sharing_worker(registry, minter, new_agency(), businesses)
    me = worker_principal(created["id"])
    url = f"/v1/workers/{created['id']}/consents"
    claimed = await registry.post(url, json=consent_change("written_signature", created), headers=minter.headers(me))
    assert claimed.status_code == 422
    assert [(v["field"], v["rule"]) for v in claimed.json()["violations"]] == [("method", "self_service_required")]
    r = await registry.post(url, json=consent_change("self_service", created), headers=minter.headers(me))
    assert r.status_code == 201, r.text
    assert r.json()["change"]["method"] == "self_service" and r.json()["change"]["recorded_by"] == me.actor


async def test_consent_given_before_the_worker_was_born_is_refused(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    r = await registry.post(
        f"/v1/workers/{created['id']}/consents",
        json={
            "purpose": "employment_contract",
            "granted": True,
            "method": "written_signature",
            "language": "ne",
            "given_at": "1990-01-01T10:00:00Z",
        },
        headers=minter.headers(agency),
    )
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("given_at", "date_too_early")]


# --- what people type ------------------------------------------------------------------------------


async def test_a_control_character_in_a_name_is_refused(registry, minter):
    agency = new_agency()
    r = await registry.post("/v1/workers", json=worker_body(full_name="Sita\x00Gurung"), headers=minter.headers(agency))
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("full_name", "control_character")]
    created = await register(registry, minter, agency)
    url = f"/v1/workers/{created['id']}"
    for change in ({"full_name": "Sita\x1bGurung"}, {"origin_region": "Gan\ndaki"}):
        r = await registry.patch(url, json=change, headers=minter.headers(agency))
        assert r.status_code == 422, r.text
        assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [(*change, "control_character")]
    assert (await registry.get(url, headers=minter.headers(agency))).json()["version"] == 1


async def test_a_name_typed_decomposed_is_stored_composed(registry, minter):
    agency = new_agency()
    decomposed = "Jose\u0301 Mari\u0301a Pen\u0303a"
    created = await register(registry, minter, agency, full_name=decomposed)
    seen = (await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))).json()
    assert seen["full_name"] == "Jos\u00e9 Mar\u00eda Pe\u00f1a" != decomposed


@pytest.mark.parametrize(
    ("born", "rule"), [("1899-12-31", "date_too_early"), ("0001-01-01", "date_too_early"), ("future", "date_in_future")]
)
async def test_a_birth_date_before_1900_or_in_the_future_is_refused(registry, minter, born, rule):
    if born == "future":
        born = (date.today() + timedelta(days=2)).isoformat()
    agency = new_agency()
    r = await registry.post("/v1/workers", json=worker_body(date_of_birth=born), headers=minter.headers(agency))
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("date_of_birth", rule)]
    created = await register(registry, minter, agency)
    r = await registry.patch(
        f"/v1/workers/{created['id']}", json={"date_of_birth": born}, headers=minter.headers(agency)
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == rule
