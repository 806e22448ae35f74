"""References are reach too: every id a job order or contract names is resolved within the caller's reach, and one
outside it (another tenant's real record) is answered exactly as a random id: same status, same body."""

import json
import uuid

import httpx

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import Parties, World


def _masked(r: httpx.Response, record_id: str) -> tuple[int, dict]:
    return r.status_code, json.loads(r.text.replace(record_id, "<id>"))


def assert_same_answer(real: httpx.Response, real_id: str, unknown: httpx.Response, random_id: str) -> None:
    """Another tenant's real id and a random one get the same status and the same body (the id itself aside)."""
    assert _masked(real, real_id) == _masked(unknown, random_id)


def rules_of(r: httpx.Response) -> set[tuple[str, str]]:
    return {(v["field"], v["rule"]) for v in r.json().get("violations", [])}


async def two_tenants(world: World) -> tuple[Parties, Parties]:
    """Tenant A (its employer still under review, so a leak would name it and its status) and tenant B, each an
    employer linked to its own agency, a worker that agency registered and a job order."""
    a, b = await world.parties(), await world.parties()
    await world.business("employer", "under_review", version=3, business_id=a.employer)
    return a, b


async def post_job_order(world: World, principal, body: dict) -> httpx.Response:
    return await world.client.post("/v1/job-orders", json=body, headers=world.headers(principal))


# --- job orders ------------------------------------------------------------------------------------


async def test_an_agency_names_only_an_employer_it_recruits_for(world):
    a, b = await two_tenants(world)
    random_id = uuid.uuid4()
    real = await post_job_order(world, b.agency_user, world.job_order_body(a.employer, b.agency))
    unknown = await post_job_order(world, b.agency_user, world.job_order_body(random_id, b.agency))
    assert real.status_code == 422 and rules_of(real) == {("employer_id", "employer_not_vetted")}
    assert "under_review" not in real.text and "Gulf Horizon" not in real.text
    assert_same_answer(real, str(a.employer), unknown, str(random_id))
    # The employer it recruits for, itself and that employer's other recruiters: recorded.
    other = await world.business("recruitment_agency")
    await world.linked(b.employer, b.agency, other, version=3)
    body = world.job_order_body(b.employer, b.agency)
    body["service_agreements"].append(body["service_agreements"][0] | {"agency_id": str(other)})
    assert (await post_job_order(world, b.agency_user, body)).status_code == 201


async def test_an_agency_names_in_service_agreements_only_recruiters_of_the_employer(world):
    a, b = await two_tenants(world)
    random_id = uuid.uuid4()

    def naming(agency) -> dict:
        body = world.job_order_body(b.employer, b.agency)
        body["service_agreements"].append(body["service_agreements"][0] | {"agency_id": str(agency)})
        return body

    real = await post_job_order(world, b.agency_user, naming(a.agency))
    unknown = await post_job_order(world, b.agency_user, naming(random_id))
    assert real.status_code == 422
    assert rules_of(real) == {("service_agreements.1.agency_id", "recruiter_not_vetted")}
    assert_same_answer(real, str(a.agency), unknown, str(random_id))


async def test_an_employer_names_in_service_agreements_only_agencies_linked_to_it(world):
    a, b = await two_tenants(world)
    random_id = uuid.uuid4()
    real = await post_job_order(world, b.employer_user, world.job_order_body(b.employer, a.agency))
    unknown = await post_job_order(world, b.employer_user, world.job_order_body(b.employer, random_id))
    assert real.status_code == 422
    assert rules_of(real) == {("service_agreements.0.agency_id", "recruiter_not_vetted")}
    assert_same_answer(real, str(a.agency), unknown, str(random_id))
    assert (await post_job_order(world, b.employer_user, world.job_order_body(b.employer, b.agency))).status_code == 201


async def test_another_tenants_job_order_is_a_404_like_a_random_one(world):
    a, b = await two_tenants(world)
    random_id = str(uuid.uuid4())
    for caller in (b.agency_user, b.employer_user):
        real = await world.client.get(f"/v1/job-orders/{a.order['id']}", headers=world.headers(caller))
        unknown = await world.client.get(f"/v1/job-orders/{random_id}", headers=world.headers(caller))
        assert real.status_code == 404
        assert_same_answer(real, a.order["id"], unknown, random_id)
    listed = await world.client.get(
        "/v1/job-orders", params={"employer_id": str(a.employer)}, headers=world.headers(b.agency_user)
    )
    assert listed.status_code == 200 and listed.json()["items"] == []


# --- contracts: the job order ----------------------------------------------------------------------


def draft_on(p: Parties, order: dict | None, terms: dict | None = None, position_id: str | None = None) -> dict:
    return {
        "job_order_id": order["id"] if order else str(uuid.uuid4()),
        "position_id": position_id or (order["positions"][0]["id"] if order else str(uuid.uuid4())),
        "terms": terms or p.terms(),
    }


async def check(world: World, caller, draft: dict, path: str = "/v1/contracts/check") -> httpx.Response:
    return await world.client.post(path, json=draft, headers=world.headers(caller))


async def test_another_tenants_job_order_is_answered_as_an_unknown_one_and_nothing_derived_from_it(world):
    a, b = await two_tenants(world)
    for path in ("/v1/contracts/check", "/v1/contracts"):
        real = await check(world, b.agency_user, draft_on(b, a.order), path)
        random_draft = draft_on(b, None)
        unknown = await check(world, b.agency_user, random_draft, path)
        assert real.status_code == 422, real.text
        assert rules_of(real) == {("job_order_id", "unknown_job_order")}, path
        assert _masked(real, a.order["id"]) == _masked(unknown, random_draft["job_order_id"])


# --- contracts: the worker -------------------------------------------------------------------------


async def test_a_worker_another_agency_registered_is_answered_as_an_unregistered_one(world):
    a, b = await two_tenants(world)
    # Tenant A's worker has not consented and reads no Nepali: a leak would show consent_missing/language_not_read.
    await world.worker(worker_id=a.worker, version=2, consents=["registration"], languages=["bn"])
    random_id = str(uuid.uuid4())
    for path in ("/v1/contracts/check", "/v1/contracts"):
        answers = []
        for worker_id in (str(a.worker), random_id):
            terms = b.terms()
            terms["parties"]["worker"]["worker_id"] = worker_id
            answers.append(await check(world, b.agency_user, draft_on(b, b.order, terms), path))
        real, unknown = answers
        assert real.status_code == 422
        assert rules_of(real) == {("terms.parties.worker.worker_id", "worker_not_registered")}, path
        assert_same_answer(real, str(a.worker), unknown, random_id)


async def test_an_employer_reaches_only_a_worker_holding_a_contract_with_it(world):
    p = await world.parties()
    # Even a worker sharing their profile: contracts cannot tell with which employer, so it is not reach.
    await world.worker(
        worker_id=p.worker, version=2, consents=["registration", "employment_contract", "data_sharing_with_employer"]
    )
    random_id = str(uuid.uuid4())
    answers = []
    for worker_id in (str(p.worker), random_id):
        terms = p.terms()
        terms["parties"]["worker"]["worker_id"] = worker_id
        answers.append(await check(world, p.employer_user, draft_on(p, p.order, terms)))
    real, unknown = answers
    assert rules_of(real) == {("terms.parties.worker.worker_id", "worker_not_registered")}
    assert_same_answer(real, str(p.worker), unknown, random_id)
    await p.contract()  # the agency drafts the worker's contract with the employer
    r = await check(world, p.employer_user, draft_on(p, p.order))
    assert r.status_code == 200, r.text


# --- contracts: the businesses ---------------------------------------------------------------------


async def test_a_business_outside_reach_is_answered_as_an_unknown_one_in_a_contract(world):
    a, b = await two_tenants(world)
    random_id = str(uuid.uuid4())

    def with_employer(business_id: str) -> dict:
        terms = b.terms()
        terms["parties"]["employer"]["business_id"] = business_id
        return terms

    def with_recruiter(business_id: str) -> dict:
        terms = b.terms()
        terms["parties"]["recruiters"].append(terms["parties"]["recruiters"][0] | {"business_id": business_id})
        return terms

    # Tenant A's employer (under review), tenant A's agency, and an agency named as an employer (wrong kind).
    for make, real_id, expected in (
        (with_employer, str(a.employer), "employer_not_vetted"),
        (with_employer, str(a.agency), "employer_not_vetted"),
        (with_recruiter, str(a.agency), "recruiter_not_vetted"),
        (with_recruiter, str(a.employer), "recruiter_not_vetted"),
    ):
        for path in ("/v1/contracts/check", "/v1/contracts"):
            real = await check(world, b.agency_user, draft_on(b, b.order, make(real_id)), path)
            unknown = await check(world, b.agency_user, draft_on(b, b.order, make(random_id)), path)
            assert real.status_code == 422, real.text
            assert expected in {rule for _, rule in rules_of(real)}, (real_id, path)
            assert "under_review" not in real.text and "registered as" not in real.text
            assert_same_answer(real, real_id, unknown, random_id)


async def test_a_change_of_terms_naming_a_business_outside_reach_is_answered_as_an_unknown_one(world):
    a, b = await two_tenants(world)
    created = await b.contract()
    random_id = str(uuid.uuid4())
    answers = []
    for business_id in (str(a.agency), random_id):
        recruiters = b.terms()["parties"]["recruiters"]
        recruiters.append(recruiters[0] | {"business_id": business_id})
        answers.append(
            await world.client.patch(
                f"/v1/contracts/{created['id']}",
                json={"terms": {"parties": {"recruiters": recruiters}}},
                headers=world.headers(b.agency_user),
            )
        )
    real, unknown = answers
    assert real.status_code == 422
    assert ("terms.parties.recruiters.1.business_id", "recruiter_not_vetted") in rules_of(real)
    assert_same_answer(real, str(a.agency), unknown, random_id)


async def test_the_trial_agency_cannot_contract_another_tenants_worker_or_employer(world):
    """Issue 14: agency B recorded a job order naming employer A, then a contract naming agency A's worker."""
    a, b = await two_tenants(world)
    await world.business("employer", "approved", version=4, business_id=a.employer)
    order = await post_job_order(world, b.agency_user, world.job_order_body(a.employer, b.agency))
    assert order.status_code == 422
    terms = b.terms()
    terms["parties"]["worker"]["worker_id"] = str(a.worker)
    drafted = await check(world, b.agency_user, draft_on(b, b.order, terms), "/v1/contracts")
    assert drafted.status_code == 422


# --- reading ---------------------------------------------------------------------------------------


async def test_another_tenants_contract_its_versions_and_document_are_a_404_like_a_random_one(world):
    a, b = await world.parties(), await world.parties()
    created = await a.contract()
    random_id = str(uuid.uuid4())
    for caller in (b.agency_user, b.employer_user, make_principal(Role.worker, worker_id=b.worker)):
        for suffix in ("", "/versions", "/document", "/arrival-verification"):
            real = await world.client.get(f"/v1/contracts/{created['id']}{suffix}", headers=world.headers(caller))
            unknown = await world.client.get(f"/v1/contracts/{random_id}{suffix}", headers=world.headers(caller))
            assert real.status_code == 404, (suffix, real.text)
            assert_same_answer(real, created["id"], unknown, random_id)
    for method, suffix, body in (
        ("PATCH", "", {"terms": {"job": {"title": "Senior mason"}}}),
        ("POST", "/issue", None),
        ("POST", "/complete", {"completed_on": "2026-01-01"}),
    ):
        real, unknown = [
            await world.client.request(
                method, f"/v1/contracts/{contract_id}{suffix}", json=body, headers=world.headers(b.agency_user)
            )
            for contract_id in (created["id"], random_id)
        ]
        assert real.status_code == 404, (suffix, real.text)
        assert_same_answer(real, created["id"], unknown, random_id)
    listed = await world.client.get(
        "/v1/contracts", params={"job_order_id": a.order["id"]}, headers=world.headers(b.agency_user)
    )
    assert listed.status_code == 200 and listed.json()["items"] == []
