"""Reactions to vetting and registry events arriving over a real nats-server, and contract events leaving through
the outbox: a suspension blocks issuing, a withdrawn consent blocks drafting, a late event changes nothing."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fairpath.common.auth import Role
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import (
    BusinessApproved,
    BusinessSuspended,
    WorkerConsentChanged,
    WorkerRegistered,
)
from fairpath.common.events.envelope import EventPayload, new_event
from fairpath.common.ids import uuid7
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.contracts.app import create_app
from fairpath.contracts.businesses.tables import BusinessProjection
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.workers.tables import WorkerProjection

from .conftest import Parties, World


@pytest.fixture(scope="module")
async def live_app(database_url, common_settings) -> AsyncIterator[FastAPI]:
    settings = ContractsSettings(
        database_url=await database_url("contracts_live"),
        common=common_settings,
        personal_data_key="test-personal-data-key",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def broker(common_settings) -> AsyncIterator[Broker]:
    broker = await Broker(common_settings.nats_url, name="contracts-tests").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


@pytest.fixture
async def live(live_app: FastAPI, minter) -> AsyncIterator[World]:
    transport = httpx.ASGITransport(app=live_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://contracts") as client:
        yield World(live_app, client, minter)


async def publish(broker: Broker, payload: EventPayload, aggregate_id: uuid.UUID) -> None:
    event = new_event(payload, aggregate_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})


async def projected(app: FastAPI, model, key, version: int):
    async with app.state.database.session(read_only=True) as s:
        row = await s.get(model, key)
        return row if row is not None and row.version >= version else None


def approved(business_id: uuid.UUID, kind: str, version: int, recruiter_ids=()) -> BusinessApproved:
    now = utcnow()
    return BusinessApproved(
        version=version,
        business_id=business_id,
        kind=kind,
        legal_name="Approved Co",
        country="QA",
        sector="F",
        status="approved",
        vetting_case_id=uuid7(),
        decided_at=now,
        approval_expires_at=now + timedelta(days=365),
        risk_band="low",
        recruiter_ids=list(recruiter_ids),
    )


async def parties_over_nats(live: World, broker: Broker) -> Parties:
    employer, agency, worker = uuid7(), uuid7(), uuid7()
    await publish(broker, approved(employer, "employer", 2, recruiter_ids=[agency]), employer)
    await publish(broker, approved(agency, "recruitment_agency", 2), agency)
    await publish(
        broker,
        WorkerRegistered(
            version=1,
            worker_id=worker,
            consents=["registration", "employment_contract"],
            languages=["ne", "en"],
            agency_id=agency,
        ),
        worker,
    )
    await wait_until(lambda: projected(live.app, BusinessProjection, employer, 2), message="the employer's approval")
    await wait_until(lambda: projected(live.app, BusinessProjection, agency, 2), message="the agency's approval")
    await wait_until(lambda: projected(live.app, WorkerProjection, worker, 1), message="the worker's registration")
    order = await live.job_order(employer, agency)
    return Parties(live, employer, agency, worker, order)


async def test_a_suspension_arriving_over_nats_blocks_issuing(live, broker):
    p = await parties_over_nats(live, broker)
    created = await p.contract()
    now = utcnow()
    await publish(
        broker,
        BusinessSuspended(
            version=3,
            business_id=p.employer,
            kind="employer",
            legal_name="Approved Co",
            country="QA",
            status="suspended",
            suspended_at=now,
            reason="contract_substitution",
            recruiter_ids=[p.agency],
        ),
        p.employer,
    )
    await wait_until(lambda: projected(live.app, BusinessProjection, p.employer, 3), message="the suspension")
    r = await p.post(created["id"], "issue")
    assert r.status_code == 409 and r.json()["blocking"][0]["rule"] == "employer_suspended"


async def test_a_late_approval_does_not_lift_a_suspension(live, broker):
    p = await parties_over_nats(live, broker)
    suspended = BusinessSuspended(
        version=5,
        business_id=p.agency,
        kind="recruitment_agency",
        legal_name="Approved Co",
        country="NP",
        status="suspended",
        suspended_at=utcnow(),
        reason="worker_paid_fee",
    )
    await publish(broker, suspended, p.agency)
    await wait_until(lambda: projected(live.app, BusinessProjection, p.agency, 5), message="the suspension")
    await publish(broker, approved(p.agency, "recruitment_agency", 4), p.agency)  # older, delivered after
    marker = uuid7()  # an event published after the late one: once it is applied, the late one was seen too
    await publish(broker, approved(marker, "employer", 1), marker)
    await wait_until(lambda: projected(live.app, BusinessProjection, marker, 1), message="the marker")
    row = await projected(live.app, BusinessProjection, p.agency, 5)
    assert row.status == "suspended" and row.version == 5


async def test_a_consent_withdrawn_over_nats_blocks_drafting(live, broker):
    p = await parties_over_nats(live, broker)
    await publish(
        broker,
        WorkerConsentChanged(
            version=2,
            worker_id=p.worker,
            consents=["registration"],
            languages=["ne", "en"],
            agency_id=p.agency,
            purpose="employment_contract",
            granted=False,
            changed_at=utcnow(),
        ),
        p.worker,
    )
    await wait_until(lambda: projected(live.app, WorkerProjection, p.worker, 2), message="the consent change")
    r = await p.create()
    assert r.status_code == 422
    assert ("terms.parties.worker.worker_id", "consent_missing") in {
        (v["field"], v["rule"]) for v in r.json()["violations"]
    }


async def test_the_same_event_delivered_twice_is_applied_once(live, broker):
    employer = uuid7()
    event = new_event(approved(employer, "employer", 2), employer)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})
    await broker.js.publish(event.nats_subject, event.to_json())  # redelivered without dedup header
    await wait_until(lambda: projected(live.app, BusinessProjection, employer, 2), message="the approval")
    inbox = live.app.state.ledger.inbox

    async def applied() -> int:
        async with live.app.state.database.session(read_only=True) as s:
            return (
                await s.execute(select(func.count()).select_from(inbox).where(inbox.c.event_id == event.event_id))
            ).scalar_one()

    marker = uuid7()
    await publish(broker, approved(marker, "employer", 1), marker)
    await wait_until(lambda: projected(live.app, BusinessProjection, marker, 1), message="the marker")
    assert await applied() == 1


async def test_contract_events_reach_the_contracts_stream(live, broker):
    p = await parties_over_nats(live, broker)
    issued = await p.issued()
    r = await p.post(issued["id"], "sign", {"version": 1, "method": "electronic"}, as_=p.worker_user)
    assert r.status_code == 200

    async def published() -> list[str]:
        info = await broker.js.stream_info("CONTRACTS")
        found = []
        for seq in range(max(1, info.state.last_seq - 50), info.state.last_seq + 1):
            msg = await broker.js.get_msg("CONTRACTS", seq)
            body = json.loads(msg.data)
            if body["subject"] == issued["id"]:
                found.append(body["type"])
        return found if len(found) == 2 else []

    types = await wait_until(published, message="the contract's events on the CONTRACTS stream")
    assert types == ["org.fairpath.contracts.contract.issued.v1", "org.fairpath.contracts.contract.signed.v1"]


async def test_the_service_reports_its_broker_ready(live):
    r = await wait_until(lambda: _ready(live.client), message="readiness")
    assert r["checks"]["broker"] == "ok"


async def _ready(client: httpx.AsyncClient):
    r = await client.get("/readyz")
    return r.json() if r.status_code == 200 else None


async def test_an_auditor_reads_but_never_drafts(live, broker):
    p = await parties_over_nats(live, broker)
    auditor = make_principal(Role.auditor)
    assert (await p.create(as_=auditor)).status_code == 403
