"""A job order posted in contracts reaches the registry over a real nats-server (`contracts.job_order.posted`),
and its agency finds its workers ranked as candidates for it."""

import uuid
from contextlib import asynccontextmanager
from datetime import date

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

        async def shortlist():
            r = await registry.get(
                "/v1/candidates", params={"job_order_id": order["id"]}, headers=minter.headers(agency_user)
            )
            return r.json() if r.status_code == 200 else None

        found = await wait_until(shortlist, message="the registry to learn of the posted job order")
    [candidate] = found["candidates"]
    assert candidate["worker"]["id"] == worker.json()["id"]
    assert candidate["position_id"] == order["positions"][0]["id"] and candidate["score"] == 97.0  # 4 of 5 years
