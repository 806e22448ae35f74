"""References are reach (design.md, "References are reach too"): every id a request names, in its path or its
body, is resolved within the caller's reach, and one outside it is answered exactly as a random id. Consent to
share a profile is given per employer; what each role sees of a worker, field by field; a duplicate identity
document across two agencies."""

import json
import uuid

import httpx
import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import BusinessUpdated, ContractIssued
from fairpath.common.ids import uuid7
from fairpath.common.testing import make_principal
from fairpath.registry.businesses.tables import BusinessRecruiter

from .conftest import (
    audit_entries,
    business_registered,
    new_agency,
    passport_number,
    publish_contract_event,
    register,
    worker_body,
    worker_principal,
)
from .test_placements import contract, placement_at

FEE = {"category": "medical", "amount_minor": 500, "currency": "USD", "payment_method": "cash"}
GRIEVANCE = {"description": "Wages withheld for two months.", "alleged_indicators": []}
REGISTRATION = {"purpose": "registration", "method": "written_signature", "language": "ne"}


def comparable(response: httpx.Response, named_id) -> tuple[int, dict]:
    """The status and problem body, with the id the request named (and the request's own instance) left out."""
    body = response.json()
    body.pop("instance", None)
    return response.status_code, json.loads(json.dumps(body).replace(str(named_id), "<id>"))


def assert_answered_as_a_random_id(real: httpx.Response, random: httpx.Response, real_id, random_id) -> None:
    assert real.status_code in (403, 404, 422), real.text
    assert comparable(real, real_id) == comparable(random, random_id)


def sharing(employer_id, granted: bool | None = None, method: str = "written_signature") -> dict:
    consent = {
        "purpose": "data_sharing_with_employer",
        "business_id": str(employer_id),
        "method": method,
        "language": "ne",
    }
    return consent if granted is None else consent | {"granted": granted}


# --- worker, fee and grievance ids in paths -----------------------------------------------------------------


async def test_a_worker_outside_the_callers_reach_is_answered_as_a_random_id_on_every_path(
    registry, minter, businesses
):
    theirs = await register(registry, minter, new_agency())
    other_agency = new_agency()
    mine = await register(registry, minter, other_agency)
    unlinked_employer = await businesses.employer()
    requests = [
        ("get", "/v1/workers/{}", None),
        ("patch", "/v1/workers/{}", {"phone": "+9779800000000"}),
        ("get", "/v1/workers/{}/placements", None),
        ("post", "/v1/workers/{}/fees", FEE),
        ("post", "/v1/workers/{}/grievances", GRIEVANCE),
        ("post", "/v1/workers/{}/consents", REGISTRATION | {"granted": True}),
        ("get", "/v1/workers/{}/export", None),
        ("post", "/v1/workers/{}/erasure", {"reason": "data_subject_request"}),
    ]
    callers = [other_agency, worker_principal(mine["id"]), unlinked_employer]
    for caller in callers:
        for method, path, body in requests:
            if caller.role == Role.worker and method == "post" and path.endswith("/consents"):
                body = REGISTRATION | {"granted": True, "method": "self_service"}
            random_id = uuid.uuid4()
            kwargs = {"json": body} if body is not None else {}
            real = await registry.request(method, path.format(theirs["id"]), headers=minter.headers(caller), **kwargs)
            random = await registry.request(method, path.format(random_id), headers=minter.headers(caller), **kwargs)
            assert_answered_as_a_random_id(real, random, theirs["id"], random_id)


async def test_a_fee_report_or_grievance_outside_the_callers_reach_is_answered_as_a_random_id(
    registry, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    me = minter.headers(worker_principal(created["id"]))
    fee = (
        await registry.post(
            f"/v1/workers/{created['id']}/fees",
            json=FEE | {"paid_to_business_id": str(employer.business_id)},
            headers=me,
        )
    ).json()
    grievance = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            json=GRIEVANCE | {"business_id": str(employer.business_id)},
            headers=me,
        )
    ).json()
    outsider_worker = await register(registry, minter, new_agency())
    callers = [new_agency(), worker_principal(outsider_worker["id"]), await businesses.employer()]
    for caller in callers:
        for method, path, real_id, body in (
            ("get", "/v1/fees/{}", fee["id"], None),
            ("patch", "/v1/fees/{}", fee["id"], {"step": "promised", "promised_by_date": "2030-01-01"}),
            ("patch", "/v1/fees/{}", fee["id"], {"step": "confirmed"}),
            ("get", "/v1/grievances/{}", grievance["id"], None),
        ):
            random_id = uuid.uuid4()
            kwargs = {"json": body} if body is not None else {}
            real = await registry.request(method, path.format(real_id), headers=minter.headers(caller), **kwargs)
            random = await registry.request(method, path.format(random_id), headers=minter.headers(caller), **kwargs)
            assert_answered_as_a_random_id(real, random, real_id, random_id)


async def test_another_workers_contract_is_answered_as_a_contract_the_registry_does_not_hold(
    registry, registry_app, broker, minter, businesses
):
    agency = new_agency()
    created, other = await register(registry, minter, agency), await register(registry, minter, agency)
    contract_id = uuid.uuid4()
    await publish_contract_event(
        broker, contract(other["id"], uuid.uuid4(), 1, ContractIssued, contract_id=contract_id)
    )
    await placement_at(registry_app, contract_id, 1)
    for path, body in (
        (f"/v1/workers/{created['id']}/fees", FEE),
        (f"/v1/workers/{created['id']}/grievances", GRIEVANCE),
    ):
        random_id = uuid.uuid4()
        real = await registry.post(path, json=body | {"contract_id": str(contract_id)}, headers=minter.headers(agency))
        random = await registry.post(path, json=body | {"contract_id": str(random_id)}, headers=minter.headers(agency))
        assert_answered_as_a_random_id(real, random, contract_id, random_id)
        assert [(v["field"], v["rule"]) for v in real.json()["violations"]] == [("contract_id", "worker_contract")]


# --- business ids in bodies --------------------------------------------------------------------------------


async def test_the_business_a_fee_was_paid_to_or_a_grievance_is_against_is_resolved_within_reach(
    registry, registry_app, broker, minter, businesses
):
    agency = await businesses.agency()  # the registering agency, known to the registry
    created = await register(registry, minter, agency)
    sub_agent = await businesses.known(kind="recruitment_agency")
    recruited_for = await businesses.known()
    await businesses.apply(business_registered(recruited_for, version=2, recruiter_ids=[agency.business_id, sub_agent]))
    contracted, chain_agency = await businesses.known(), await businesses.known(kind="recruitment_agency")
    contract_id = uuid.uuid4()
    await publish_contract_event(
        broker,
        contract(created["id"], contracted, 1, ContractIssued, contract_id=contract_id, agency_ids=[chain_agency]),
    )
    await placement_at(registry_app, contract_id, 1)
    other_employer, other_agency = await businesses.known(), await businesses.known(kind="recruitment_agency")
    # Another tenant's relationship: an employer the other agency recruits for.
    await businesses.apply(business_registered(other_employer, version=2, recruiter_ids=[other_agency]))

    for caller in (agency, worker_principal(created["id"])):
        headers = minter.headers(caller)
        for path, field, body in (
            (f"/v1/workers/{created['id']}/fees", "paid_to_business_id", FEE),
            (f"/v1/workers/{created['id']}/grievances", "business_id", GRIEVANCE),
        ):
            for in_reach in (agency.business_id, recruited_for, sub_agent, contracted, chain_agency):
                r = await registry.post(path, json=body | {field: str(in_reach)}, headers=headers)
                assert r.status_code == 201, (field, r.text)
            # A sub-agent or broker vetting does not know: the report names no business.
            assert (await registry.post(path, json=body, headers=headers)).status_code == 201
            for outside in (other_employer, other_agency):
                random_id = uuid.uuid4()
                real = await registry.post(path, json=body | {field: str(outside)}, headers=headers)
                random = await registry.post(path, json=body | {field: str(random_id)}, headers=headers)
                assert_answered_as_a_random_id(real, random, outside, random_id)
                assert [(v["field"], v["rule"]) for v in real.json()["violations"]] == [(field, "unknown_business")]

    # The operator names any business the registry knows.
    officer = minter.headers(make_principal(Role.compliance_officer))
    r = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        json=GRIEVANCE | {"business_id": str(other_employer)},
        headers=officer,
    )
    assert r.status_code == 201, r.text


async def test_naming_the_business_of_a_fee_later_is_resolved_within_the_callers_reach(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    report = (
        await registry.post(
            f"/v1/workers/{created['id']}/fees", json=FEE, headers=minter.headers(worker_principal(created["id"]))
        )
    ).json()
    outside, random_id = await businesses.known(), uuid.uuid4()
    url = f"/v1/fees/{report['id']}"
    step = {"step": "promised", "promised_by_date": "2030-01-01"}
    real = await registry.patch(url, json=step | {"paid_to_business_id": str(outside)}, headers=minter.headers(agency))
    random = await registry.patch(
        url, json=step | {"paid_to_business_id": str(random_id)}, headers=minter.headers(agency)
    )
    assert_answered_as_a_random_id(real, random, outside, random_id)
    linked = await businesses.known(recruiting=agency)
    r = await registry.patch(url, json=step | {"paid_to_business_id": str(linked)}, headers=minter.headers(agency))
    assert r.status_code == 200 and r.json()["paid_to_business_id"] == str(linked), r.text


async def test_recruitment_relationships_follow_the_employers_newest_event(registry_app, businesses):
    employer, first, second = uuid7(), uuid7(), uuid7()
    await businesses.apply(business_registered(employer, recruiter_ids=[first]))

    def updated(version: int, recruiters: list) -> BusinessUpdated:
        return BusinessUpdated(
            version=version,
            business_id=employer,
            kind="employer",
            legal_name="Gulf Horizon Construction LLC",
            country="QA",
            status="registered",
            recruiter_ids=recruiters,
            changed_fields=["recruiter_ids"],
        )

    async def recruiters() -> set:
        async with registry_app.state.database.session(read_only=True) as s:
            rows = await s.execute(select(BusinessRecruiter.agency_id).where(BusinessRecruiter.employer_id == employer))
            return set(rows.scalars())

    assert await recruiters() == {first}
    await businesses.apply(updated(2, [second]))
    assert await recruiters() == {second}
    await businesses.apply(updated(2, [first, second]))  # repeated version: ignored
    await businesses.apply(business_registered(employer, recruiter_ids=[first]))  # late: ignored
    assert await recruiters() == {second}


# --- consent to share, per employer --------------------------------------------------------------------------


async def test_consent_to_share_names_an_employer_the_registry_knows_and_an_agency_counts_as_unknown(
    registry, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    url = f"/v1/workers/{created['id']}/consents"
    headers = minter.headers(agency)
    missing = await registry.post(url, json=sharing(None, True) | {"business_id": None}, headers=headers)
    assert [(v["field"], v["rule"]) for v in missing.json()["violations"]] == [("business_id", "required")]
    stray = await registry.post(
        url, json=REGISTRATION | {"granted": True, "business_id": str(uuid.uuid4())}, headers=headers
    )
    assert [(v["field"], v["rule"]) for v in stray.json()["violations"]] == [("business_id", "only_with_data_sharing")]
    an_agency = await businesses.known(kind="recruitment_agency", recruiting=agency)
    another_tenants_employer = await businesses.known()  # no recruitment relationship with the agency
    for refused in (an_agency, another_tenants_employer):
        random_id = uuid.uuid4()
        real = await registry.post(url, json=sharing(refused, True), headers=headers)
        random = await registry.post(url, json=sharing(random_id, True), headers=headers)
        assert_answered_as_a_random_id(real, random, refused, random_id)
        assert [(v["field"], v["rule"]) for v in real.json()["violations"]] == [("business_id", "unknown_business")]
        # At registration too, per consent in the list.
        body = worker_body(consents=[REGISTRATION, sharing(refused)])
        r = await registry.post("/v1/workers", json=body, headers=headers)
        assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [
            ("consents.1.business_id", "unknown_business")
        ]
    recruited_for = await businesses.known(recruiting=agency)
    r = await registry.post(url, json=sharing(recruited_for, True), headers=headers)
    assert r.status_code == 201 and r.json()["shared_with_employers"] == [str(recruited_for)], r.text


async def test_an_employer_sees_a_worker_only_with_its_own_consent_or_contract_in_reads_and_lists(
    registry, registry_app, broker, minter, businesses, published
):
    agency = new_agency()
    first, second = [await businesses.employer(recruiting=agency) for _ in range(2)]
    third = await businesses.employer()  # no relationship with the agency: reached by a contract below
    skills = [{"occupation": "6112", "level": "skilled"}]  # tree and shrub crop growers: this test only
    created = await register(
        registry,
        minter,
        agency,
        nationality="KH",
        skills=skills,
        consents=[REGISTRATION, sharing(first.business_id), sharing(second.business_id)],
    )
    assert created["consents"] == ["registration", "data_sharing_with_employer"]
    assert created["shared_with_employers"] == sorted([str(first.business_id), str(second.business_id)])
    url = f"/v1/workers/{created['id']}"

    async def sees(employer) -> tuple[bool, bool]:
        read = await registry.get(url, headers=minter.headers(employer))
        listed = await registry.get("/v1/workers", params={"occupation": "6112"}, headers=minter.headers(employer))
        assert read.status_code in (200, 404) and listed.status_code == 200
        return read.status_code == 200, created["id"] in [w["id"] for w in listed.json()["items"]]

    assert await sees(first) == (True, True) and await sees(second) == (True, True)
    assert await sees(third) == (False, False), "the consent of the others is not the third's"
    random_id = uuid.uuid4()
    assert_answered_as_a_random_id(
        await registry.get(url, headers=minter.headers(third)),
        await registry.get(f"/v1/workers/{random_id}", headers=minter.headers(third)),
        created["id"],
        random_id,
    )

    withdrawn = await registry.post(
        f"{url}/consents", json=sharing(first.business_id, False), headers=minter.headers(agency)
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["shared_with_employers"] == [str(second.business_id)]
    assert withdrawn.json()["consents"] == ["registration", "data_sharing_with_employer"]
    assert await sees(first) == (False, False) and await sees(second) == (True, True)
    # The purposes in force did not change: the event is the worker's update, naming no employer.
    [event] = await published.wait_for("registry.worker.updated", created["id"])
    assert event.data["changed_fields"] == ["shared_with_employers"]
    assert event.data["consents"] == ["registration", "data_sharing_with_employer"]
    assert str(first.business_id) not in event.to_json().decode()

    # A contract with the third puts the worker in its reach without a consent.
    contract_id = uuid.uuid4()
    await publish_contract_event(
        broker, contract(created["id"], third.business_id, 1, ContractIssued, contract_id=contract_id)
    )
    await placement_at(registry_app, contract_id, 1)
    assert await sees(third) == (True, True)

    last = await registry.post(
        f"{url}/consents", json=sharing(second.business_id, False), headers=minter.headers(agency)
    )
    assert last.json()["consents"] == ["registration"] and last.json()["shared_with_employers"] == []
    assert await sees(second) == (False, False) and await sees(third) == (True, True)


async def test_withdrawing_registration_withdraws_every_sharing_and_sharing_needs_it_again(
    registry, minter, businesses
):
    agency = new_agency()
    first, second = await businesses.known(recruiting=agency), await businesses.known(recruiting=agency)
    created = await register(registry, minter, agency, consents=[REGISTRATION, sharing(first), sharing(second)])
    url = f"/v1/workers/{created['id']}"
    r = await registry.post(f"{url}/consents", json=REGISTRATION | {"granted": False}, headers=minter.headers(agency))
    assert r.status_code == 201 and r.json()["consents"] == [] and r.json()["shared_with_employers"] == []
    employer = minter.headers(make_principal(Role.employer, business_id=first))
    assert (await registry.get(url, headers=employer)).status_code == 404
    history = (await registry.get(f"{url}/export", headers=minter.headers(agency))).json()["consents"]
    withdrawn = {(c["business_id"], c["granted"]) for c in history if c["purpose"] == "data_sharing_with_employer"}
    assert {(str(first), False), (str(second), False)} <= withdrawn
    refused = await registry.post(f"{url}/consents", json=sharing(first, True), headers=minter.headers(agency))
    assert [(v["field"], v["rule"]) for v in refused.json()["violations"]] == [("purpose", "consent_required")]


# --- what each role sees of a worker, field by field ----------------------------------------------------------

FULL = {
    "id",
    "status",
    "view",
    "full_name",
    "date_of_birth",
    "birth_year",
    "sex",
    "nationality",
    "identity_document",
    "phone",
    "languages",
    "skills",
    "education",
    "origin_region",
    "consents",
    "shared_with_employers",
    "agency_organization_id",
    "currently_placed",
    "rehire_eligible",
    "pseudonym",
    "erased_at",
    "created_at",
    "updated_at",
    "version",
}
PROFILE = {"id", "status", "view", "birth_year", "nationality", "languages", "skills", "consents"}
PSEUDONYMOUS = {
    "id",
    "status",
    "view",
    "pseudonym",
    "nationality",
    "birth_year",
    "consents",
    "currently_placed",
    "rehire_eligible",
}


@pytest.mark.parametrize(
    ("who", "view", "fields", "exports"),
    [
        ("worker", "full", FULL, True),
        ("agency", "full", FULL, True),
        ("compliance_officer", "full", FULL, True),
        ("employer", "profile", PROFILE, False),
        ("auditor", "pseudonymous", PSEUDONYMOUS, False),
        ("admin", "pseudonymous", PSEUDONYMOUS, False),
    ],
)
async def test_each_role_sees_exactly_its_fields_of_a_worker_in_every_read(
    registry, registry_app, minter, businesses, who, view, fields, exports
):
    agency = new_agency()
    employer = await businesses.employer(recruiting=agency)
    name, number, phone = f"Field Test {uuid.uuid4().hex[:8]}", passport_number(), "+9779812345678"
    nationality = "MN"  # Mongolia: this test's workers only, so each role's list holds them
    body = worker_body(
        full_name=name,
        nationality=nationality,
        phone=phone,
        identity_document={"kind": "passport", "number": number, "issuing_country": "NP"},
        consents=[REGISTRATION, sharing(employer.business_id)],
    )
    created = await register(registry, minter, agency, **body)
    caller = {
        "worker": worker_principal(created["id"]),
        "agency": agency,
        "employer": employer,
    }.get(who) or make_principal(Role(who))
    headers = minter.headers(caller)

    read = await registry.get(f"/v1/workers/{created['id']}", headers=headers)
    assert read.status_code == 200, read.text
    responses = [read.json()]
    if who != "worker":  # a worker does not search
        listed = await registry.get("/v1/workers", params={"nationality": nationality, "limit": 200}, headers=headers)
        assert listed.status_code == 200, listed.text
        [found] = [w for w in listed.json()["items"] if w["id"] == created["id"]]
        responses.append(found)
    export = await registry.get(f"/v1/workers/{created['id']}/export", headers=headers)
    if exports:
        assert export.status_code == 200, export.text
        responses.append(export.json()["worker"])
    else:
        assert export.status_code == 403, export.text

    for worker in responses:
        assert worker["view"] == view
        assert set(worker) == fields
        assert worker["birth_year"] == 1996 and worker["nationality"] == nationality
    if view != "full":
        text = read.text + listed.text
        for secret in (name, "1996-04-12", number, phone, phone[1:], "Gandaki"):
            assert secret not in text, secret
    else:
        assert read.json()["full_name"] == name and read.json()["identity_document"]["number"] == number
    reads = await audit_entries(registry_app, created["id"], "worker.read")
    assert [r["actor"] for r in reads] == ([] if who in ("worker", "agency") else [caller.actor])


# --- a duplicate identity document across two agencies -------------------------------------------------------


async def test_a_duplicate_document_names_the_record_only_to_its_agency_and_every_attempt_is_audited(
    registry, registry_app, minter
):
    first, second = new_agency(), new_agency()
    document = {"kind": "passport", "number": passport_number(), "issuing_country": "NP"}
    created = await register(registry, minter, first, identity_document=document)

    outside = await registry.post(
        "/v1/workers", json=worker_body(identity_document=document), headers=minter.headers(second)
    )
    assert outside.status_code == 409 and outside.json()["type"] == "urn:fairpath:problem:already_registered"
    assert created["id"] not in outside.text and "existing_id" not in outside.json()

    own = await registry.post(
        "/v1/workers", json=worker_body(identity_document=document), headers=minter.headers(first)
    )
    assert own.status_code == 409 and own.json()["type"] == "urn:fairpath:problem:duplicate"
    assert own.json()["existing_id"] == created["id"]

    # Changing a worker of the second agency to the same document: the same refusal, the same words.
    theirs = await register(registry, minter, second)
    changed = await registry.patch(
        f"/v1/workers/{theirs['id']}", json={"identity_document": document}, headers=minter.headers(second)
    )
    assert changed.status_code == 409 and comparable(changed, created["id"])[1] | {"detail": None} == comparable(
        outside, created["id"]
    )[1] | {"detail": None}
    assert created["id"] not in changed.text

    attempts = await audit_entries(registry_app, created["id"], "worker.duplicate_attempt")
    assert [a["actor"] for a in attempts] == [second.actor, first.actor, second.actor]
    for attempt in attempts:
        assert document["number"] not in json.dumps(dict(attempt), default=str)
