"""Fixtures of the registry's tests: the app on each database backend (one with its events on a real
nats-server), clients, helpers that register workers, and businesses vetting told the registry of."""

import uuid
from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fairpath.common.auth import Principal, Role
from fairpath.common.config import CommonSettings
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import BusinessRegistered
from fairpath.common.events.envelope import CloudEvent, EventPayload, new_event, parse_event
from fairpath.common.ids import uuid7
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.registry.app import create_app
from fairpath.registry.businesses.consumers import on_business_state
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


async def audit_entries(app: FastAPI, record_id, action: str | None = None) -> list:
    """The audit entries of one record, oldest first (of one action, if given)."""
    audit = app.state.ledger.audit
    query = select(audit.entry).where(audit.entry.c.record_id == str(record_id)).order_by(audit.entry.c.seq)
    if action:
        query = query.where(audit.entry.c.action == action)
    async with app.state.database.session(read_only=True) as s:
        return list((await s.execute(query)).mappings().all())


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


async def publish_business_event(broker: Broker, payload) -> None:
    event = new_event(payload, payload.business_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})


def business_registered(
    business_id: uuid.UUID, kind: str = "employer", version: int = 1, recruiter_ids: Sequence[uuid.UUID] = ()
) -> BusinessRegistered:
    return BusinessRegistered(
        version=version,
        business_id=business_id,
        kind=kind,
        recruiter_ids=list(recruiter_ids),
        legal_name="Gulf Horizon Construction LLC" if kind == "employer" else "Himalayan Manpower Pvt Ltd",
        country="QA" if kind == "employer" else "NP",
        status="registered",
    )


class Businesses:
    """Businesses vetting told the registry of, applied through the projection's own handler (the consumer's
    delivery over NATS has its own test)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def apply(self, payload: EventPayload) -> None:
        async with self.app.state.database.session() as session:
            await on_business_state(session, self.app.state.ledger, new_event(payload, payload.business_id), payload)

    async def known(
        self, business_id: uuid.UUID | None = None, kind: str = "employer", recruiting: Principal | None = None
    ) -> uuid.UUID:
        """A business vetting told the registry of; `recruiting`: an agency linked to it by a recruitment
        relationship (an employer it recruits for; for an agency, a co-recruiter of an employer it recruits for,
        as a sub-agent is), so the agency's workers may name it."""
        business_id = business_id or uuid7()
        if recruiting is None:
            await self.apply(business_registered(business_id, kind))
        elif kind == "employer":
            await self.apply(business_registered(business_id, kind, recruiter_ids=[recruiting.business_id]))
        else:
            await self.apply(business_registered(business_id, kind))
            await self.apply(business_registered(uuid7(), recruiter_ids=[recruiting.business_id, business_id]))
        return business_id

    async def employer(self, recruiting: Principal | None = None) -> Principal:
        return make_principal(Role.employer, business_id=await self.known(recruiting=recruiting))

    async def agency(self) -> Principal:
        return make_principal(Role.agency, business_id=await self.known(kind="recruitment_agency"))


@pytest.fixture
def businesses(registry_app: FastAPI) -> Businesses:
    return Businesses(registry_app)
