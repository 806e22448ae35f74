"""Fixtures of the registry's tests: the app on each database backend (one with its events on a real
nats-server), clients, and helpers that register workers."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fairpath.common.auth import Principal, Role
from fairpath.common.config import CommonSettings
from fairpath.common.events.broker import Broker
from fairpath.common.events.envelope import CloudEvent, new_event, parse_event
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.registry.app import create_app
from fairpath.registry.config import RegistrySettings

TEST_KEY_RING = "k2026:" + "A" * 43  # 32 zero-ish bytes, base64url: a fixed key the tests can reason about
TEST_HASH_KEY = "test-registry-hash-key"


def registry_settings(url: str, common: CommonSettings, **overrides) -> RegistrySettings:
    return RegistrySettings(
        database_url=url, common=common, encryption_keys=TEST_KEY_RING, hash_key=TEST_HASH_KEY, **overrides
    )


@pytest.fixture(scope="session")
async def registry_app(database_url, common_settings: CommonSettings) -> AsyncIterator[FastAPI]:
    """The registry with its relay and contract consumer on the test nats-server."""
    app = create_app(registry_settings(await database_url("registry"), common_settings))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def registry(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        yield client


@pytest.fixture(scope="session")
async def broker(common_settings: CommonSettings) -> AsyncIterator[Broker]:
    broker = await Broker(common_settings.nats_url, name="registry-tests").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


def passport_number() -> str:
    return f"PA{uuid.uuid4().int % 10**9:09d}"


def worker_body(**overrides) -> dict:
    body = {
        "full_name": "Sita Gurung",
        "date_of_birth": "1996-04-12",
        "sex": "female",
        "nationality": "NP",
        "identity_document": {"kind": "passport", "number": passport_number(), "issuing_country": "NP"},
        "phone": "+9779812345678",
        "languages": [{"language": "ne", "proficiency": "native"}, {"language": "en", "proficiency": "conversational"}],
        "skills": [{"occupation": "5120", "level": "skilled", "years_experience": 4}],
        "education": "upper_secondary",
        "origin_region": "Gandaki",
        "consents": [{"purpose": "registration", "method": "written_signature", "language": "ne"}],
    }
    body.update(overrides)
    return body


def new_agency() -> Principal:
    return make_principal(Role.agency, business_id=uuid.uuid4())


def worker_principal(worker_id: str | uuid.UUID) -> Principal:
    return make_principal(Role.worker, worker_id=uuid.UUID(str(worker_id)))


async def register(client: httpx.AsyncClient, minter, agency: Principal, **overrides) -> dict:
    r = await client.post("/v1/workers", json=worker_body(**overrides), headers=minter.headers(agency))
    assert r.status_code == 201, r.text
    return r.json()


class EventLog:
    """Every registry event the broker carries, as the relay published it (a core subscription on `registry.>`)."""

    def __init__(self) -> None:
        self.events: list[CloudEvent] = []

    async def on_message(self, msg) -> None:
        self.events.append(parse_event(msg.data))

    def of(self, subject: str, aggregate_id) -> list[CloudEvent]:
        return [e for e in self.events if e.nats_subject == subject and e.subject == str(aggregate_id)]

    async def wait_for(self, subject: str, aggregate_id, count: int = 1) -> list[CloudEvent]:
        return await wait_until(
            lambda: (found := self.of(subject, aggregate_id)) and len(found) >= count and found,
            message=f"{subject} for {aggregate_id}",
        )


@pytest.fixture(scope="session")
async def published(broker: Broker) -> AsyncIterator[EventLog]:
    log = EventLog()
    sub = await broker.nc.subscribe("registry.>", cb=log.on_message)
    yield log
    await sub.unsubscribe()


async def publish_contract_event(broker: Broker, payload) -> None:
    event = new_event(payload, payload.contract_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})
