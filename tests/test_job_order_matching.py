"""A job order posted in contracts reaches the registry over a real nats-server (`contracts.job_order.posted`),
and its agency finds its workers ranked as candidates for it."""

import uuid
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import NatsServer, wait_until
from fairpath.contracts.app import create_app as create_contracts
from fairpath.contracts.config import ContractsSettings
from fairpath.deploy.demo import job_order_body
from fairpath.registry.app import create_app as create_registry
from fairpath.registry.config import RegistrySettings
from fairpath.vetting.app import create_app as create_vetting
from fairpath.vetting.config import VettingSettings

from .conftest import client_of
from .test_up import readme_body


@pytest.fixture(scope="module")
async def apps(database_url, common_settings, tmp_path_factory):
    """The three services on a nats-server of their own: the registry tests' registry, alive for the session,
    shares the durable consumers' names and would take half of the events."""
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    common_settings = common_settings.model_copy(update={"nats_url": server.url})
    try:
        async with _started(database_url, common_settings) as started:
            yield started
    finally:
        server.stop()


@asynccontextmanager
async def _started(database_url, common_settings):
    vetting = create_vetting(VettingSettings(database_url=await database_url("jm_vetting"), common=common_settings))
    contracts = create_contracts(
        ContractsSettings(database_url=await database_url("jm_contracts"), common=common_settings)
    )
    registry = create_registry(RegistrySettings(database_url=await database_url("jm_registry"), common=common_settings))
    async with (
        vetting.router.lifespan_context(vetting),
        contracts.router.lifespan_context(contracts),
        registry.router.lifespan_context(registry),
    ):
        yield vetting, contracts, registry


def business(kind: str, country: str) -> dict:
    return {
        "kind": kind,
        "legal_name": f"Matching {kind}",
        "country": country,
        "registration_number": f"{country}-{uuid.uuid4().hex[:10]}",
    }


WORKER = {
    "full_name": "Sita Gurung",
    "date_of_birth": "1996-04-12",
    "sex": "female",
    "nationality": "NP",
    "languages": [{"language": "ne", "proficiency": "native"}],
    "skills": [{"occupation": "7112", "level": "skilled", "years_experience": 4}],
    "consents": [{"purpose": "registration", "method": "written_signature", "language": "ne"}],
}


async def test_a_job_order_posted_in_contracts_gets_its_agency_s_workers_as_candidates_in_the_registry(apps, minter):
    vetting_app, contracts_app, registry_app = apps
    admin = minter.headers(make_principal(Role.admin))
    async with client_of(vetting_app, "vetting") as vetting:
        employer = (await vetting.post("/v1/businesses", json=business("employer", "AE"), headers=admin)).json()
        agency = (await vetting.post("/v1/businesses", json=business("recruitment_agency", "NP"), headers=admin)).json()
    agency_user = make_principal(Role.agency, business_id=uuid.UUID(agency["id"]))
    async with client_of(registry_app, "registry") as registry:
        body = WORKER | {
            "identity_document": {
                "kind": "passport",
                "number": f"PA{uuid.uuid4().int % 10**9:09d}",
                "issuing_country": "NP",
            }
        }
        worker = await registry.post("/v1/workers", json=body, headers=minter.headers(agency_user))
        assert worker.status_code == 201, worker.text

        async with client_of(contracts_app, "contracts") as contracts:
            order_body = job_order_body(employer["id"], agency["id"], reference="JM-1", signed_on=date.today())

            async def posted():
                r = await contracts.post("/v1/job-orders", json=order_body, headers=admin)
                return r.json() if r.status_code == 201 else None

            order = await wait_until(posted, message="contracts to learn the businesses from vetting")
            # A second job order whose position asks Nepali and English and four years of experience.
            order_body = job_order_body(employer["id"], agency["id"], reference="JM-2", signed_on=date.today())
            order_body["positions"][0] |= {"languages": ["ne", "en"], "min_years_experience": 4}
            asking = await posted()
            assert asking["positions"][0]["languages"] == ["ne", "en"]

        async def shortlist(job_order):
            r = await registry.get(
                "/v1/candidates", params={"job_order_id": job_order["id"]}, headers=minter.headers(agency_user)
            )
            return r.json() if r.status_code == 200 else None

        found = await wait_until(lambda: shortlist(order), message="the registry to learn of the posted job order")
        found_asking = await wait_until(lambda: shortlist(asking), message="the registry to learn of the second")
    [candidate] = found["candidates"]
    assert candidate["worker"]["id"] == worker.json()["id"]
    assert candidate["position_id"] == order["positions"][0]["id"] and candidate["score"] == 97.0  # 4 of 5 years
    [candidate] = found_asking["candidates"]
    assert candidate["score"] == 90.0  # Nepali, not English; the four years asked
    explained = {p["factor"]: (p["points"], p["why"]) for p in candidate["explanation"]}
    assert explained["languages"] == (10.0, "speaks ne of ne, en (basic counts half)")
    assert explained["experience"] == (15.0, "4 years in 7112; the position asks 4")


async def test_an_agency_contracts_another_agency_s_worker_only_after_the_worker_accepts_its_offer(apps, minter):
    """The worker registered by one agency consents to be considered by a second agency (a co-recruiter of the same
    employer); the second agency finds them on its shortlist and picks them; until the worker accepts, contracts
    answers the worker as an unknown one; after, the second agency drafts the contract."""
    vetting_app, contracts_app, registry_app = apps
    admin = minter.headers(make_principal(Role.admin))
    opener, decider = (minter.headers(make_principal(Role.compliance_officer)) for _ in range(2))
    async with client_of(vetting_app, "vetting") as vetting:
        employer = (await vetting.post("/v1/businesses", json=business("employer", "AE"), headers=admin)).json()
        registering, recruiting = [
            (await vetting.post("/v1/businesses", json=business("recruitment_agency", "NP"), headers=admin)).json()
            for _ in range(2)
        ]
        for agency in (registering, recruiting):
            linked = await vetting.post(
                f"/v1/businesses/{employer['id']}/recruiters", json={"agency_id": agency["id"]}, headers=admin
            )
            assert linked.status_code == 201, linked.text
        for party in (employer, recruiting):
            case = await vetting.post(f"/v1/businesses/{party['id']}/vetting-cases", headers=opener)
            assert case.status_code == 201, case.text
            decided = await vetting.post(
                f"/v1/vetting-cases/{case.json()['id']}/decision",
                json={"decision": "approved", "reason": "licence and self-assessment in order"},
                headers=decider,
            )
            assert decided.status_code == 200, decided.text
    registrar = make_principal(Role.agency, business_id=uuid.UUID(registering["id"]))
    recruiter = make_principal(Role.agency, business_id=uuid.UUID(recruiting["id"]))
    worker_login = None

    async with client_of(registry_app, "registry") as registry, client_of(contracts_app, "contracts") as contracts:
        body = WORKER | {
            "identity_document": {
                "kind": "passport",
                "number": f"PA{uuid.uuid4().int % 10**9:09d}",
                "issuing_country": "NP",
            },
            "consents": [
                {"purpose": p, "method": "written_signature", "language": "ne"}
                for p in ("registration", "employment_contract")
            ],
        }
        worker = (await registry.post("/v1/workers", json=body, headers=minter.headers(registrar))).json()
        worker_login = minter.headers(make_principal(Role.worker, worker_id=uuid.UUID(worker["id"])))
        consent = {
            "purpose": "considered_by_recruiter",
            "business_id": recruiting["id"],
            "granted": True,
            "method": "written_signature",
            "language": "ne",
        }

        async def consented():
            r = await registry.post(
                f"/v1/workers/{worker['id']}/consents", json=consent, headers=minter.headers(registrar)
            )
            return r if r.status_code == 201 else None

        await wait_until(consented, message="the registry to learn the recruitment relationship from vetting")

        order_body = job_order_body(employer["id"], recruiting["id"], reference="JM-2", signed_on=date.today())

        async def posted():
            r = await contracts.post("/v1/job-orders", json=order_body, headers=admin)
            return r.json() if r.status_code == 201 else None

        order = await wait_until(posted, message="contracts to learn the businesses from vetting")

        async def shortlisted():
            r = await registry.get(
                "/v1/candidates", params={"job_order_id": order["id"]}, headers=minter.headers(recruiter)
            )
            return r.json()["candidates"] if r.status_code == 200 and r.json()["candidates"] else None

        [candidate] = await wait_until(shortlisted, message="the registry to learn of the posted job order")
        assert candidate["worker"]["id"] == worker["id"] and candidate["own_worker"] is False
        made = await registry.post(
            "/v1/offers",
            json={"job_order_id": order["id"], "worker_id": worker["id"], "position_id": candidate["position_id"]},
            headers=minter.headers(recruiter),
        )
        assert made.status_code == 201, made.text

        departure = date.today() + timedelta(days=30)

        def draft(worker_id: str) -> dict:
            return readme_body(
                "contract", EMPLOYER_ID=employer["id"], AGENCY_ID=recruiting["id"], WORKER_ID=worker_id,
                JOB_ORDER_ID=order["id"], POSITION_ID=order["positions"][0]["id"],
                DEPARTURE_DATE=departure.isoformat(), START_DATE=(departure + timedelta(days=2)).isoformat(),
            )  # fmt: skip

        def worker_refusals(response) -> list:
            assert response.status_code == 422, response.text
            return [v for v in response.json()["violations"] if v["field"] == "terms.parties.worker.worker_id"]

        # Not accepted yet: contracts answers the worker exactly as a worker id it never heard of.
        async def learnt_worker():
            # The registering agency, named as a sub-agent, reaches its worker as soon as contracts holds them.
            named = draft(worker["id"])
            named["terms"]["parties"]["recruiters"].append(
                {
                    "business_id": registering["id"],
                    "legal_name": "Matching sub-agent",
                    "role": "sub_agent",
                    "country": "NP",
                }
            )
            own = await contracts.post("/v1/contracts/check", json=named, headers=minter.headers(registrar))
            return own.status_code == 200 or (own.status_code == 422 and not worker_refusals(own))

        await wait_until(learnt_worker, message="contracts to learn of the worker")
        before = await contracts.post("/v1/contracts", json=draft(worker["id"]), headers=minter.headers(recruiter))
        unknown = await contracts.post(
            "/v1/contracts", json=draft(str(uuid.uuid4())), headers=minter.headers(recruiter)
        )
        assert worker_refusals(before) == worker_refusals(unknown)
        assert [v["rule"] for v in worker_refusals(before)] == ["worker_not_registered"]

        accepted = await registry.post(f"/v1/offers/{made.json()['id']}/accept", headers=worker_login)
        assert accepted.status_code == 200, accepted.text

        async def drafted():
            r = await contracts.post("/v1/contracts", json=draft(worker["id"]), headers=minter.headers(recruiter))
            if r.status_code == 422 and worker_refusals(r):
                return None
            return r

        contract = await wait_until(drafted, message="contracts to learn of the accepted offer")
        assert contract.status_code == 201, contract.text
        assert contract.json()["worker_id"] == worker["id"]
