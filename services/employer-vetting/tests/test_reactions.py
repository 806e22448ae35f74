"""Findings from other services over a real nats-server: each adds a finding and reopens review;
substitution, an illegitimate fee and a severe forced-labour indicator suspend at once; twice is once."""

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, select

from fairpath.common.auth import Role
from fairpath.common.events.broker import Broker
from fairpath.common.events.catalogue import (
    ContractReturned,
    ContractSubstitutionDetected,
    FeeReported,
    GrievanceSubstantiated,
    RetaliationDetected,
)
from fairpath.common.events.envelope import new_event
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.vetting.app import create_app
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.config import VettingSettings
from fairpath.vetting.findings.tables import Finding

from .helpers import register
from .test_cases import approve


@pytest.fixture(scope="module")
async def live_vetting(database_url, common_settings):
    """Vetting with its consumers and relay running."""
    app = create_app(
        VettingSettings(database_url=await database_url("vetting_live"), common=common_settings, warm_matching=False)
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def live_client(live_vetting):
    transport = httpx.ASGITransport(app=live_vetting, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://vetting") as client:
        yield client


@pytest.fixture(scope="module")
async def publisher(common_settings):
    broker = await Broker(common_settings.nats_url, name="test-publisher").connect()
    await broker.ensure_streams()
    yield broker
    await broker.close()


async def send(broker, payload, aggregate_id, msg_id=None):
    event = new_event(payload, aggregate_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": msg_id or event.id})
    return event


async def findings_of(app, business_id, kind):
    async with app.state.database.session(read_only=True) as s:
        return (
            await s.execute(
                select(func.count())
                .select_from(Finding)
                .where(Finding.business_id == uuid.UUID(business_id), Finding.kind == kind)
            )
        ).scalar()


async def business(app, business_id):
    async with app.state.database.session(read_only=True) as s:
        return await s.get(Business, uuid.UUID(business_id))


async def open_cases(app, business_id):
    async with app.state.database.session(read_only=True) as s:
        return (
            await s.execute(
                select(func.count())
                .select_from(VettingCase)
                .where(VettingCase.business_id == uuid.UUID(business_id), VettingCase.status == "open")
            )
        ).scalar()


async def approved_business(client, minter, **overrides):
    biz = await register(client, minter.headers(make_principal(Role.agency)), **overrides)
    await approve(client, minter, biz["id"])
    return biz


def substitution(employer_id, agency_id):
    return ContractSubstitutionDetected(
        version=3,
        contract_id=uuid.uuid4(),
        employer_id=employer_id,
        agency_ids=[agency_id],
        destination_country="AE",
        signed_version=2,
        detected_at=datetime.now(UTC),
        changes=[{"field": "pay.amount", "change": "less_favourable"}],
    )


async def test_substitution_suspends_the_employer_at_once_and_twice_is_once(
    live_vetting, live_client, publisher, minter
):
    employer = await approved_business(live_client, minter)
    approved_version = (await business(live_vetting, employer["id"])).version
    agency = await approved_business(live_client, minter, kind="recruitment_agency", country="NP")
    payload = substitution(uuid.UUID(employer["id"]), uuid.UUID(agency["id"]))
    event = await send(publisher, payload, payload.contract_id)
    await send(publisher, payload, payload.contract_id, msg_id=f"again-{event.id}")  # the same event, redelivered

    await wait_until(lambda: _status_is(live_vetting, employer["id"], "suspended"), message="the employer suspended")
    await wait_until(lambda: findings_of(live_vetting, agency["id"], "contract_substitution"), message="agency finding")
    assert await findings_of(live_vetting, employer["id"], "contract_substitution") == 1
    suspended = await business(live_vetting, employer["id"])
    assert suspended.version == approved_version + 1  # suspended once, not twice
    assert (await business(live_vetting, agency["id"])).status == "approved"  # a finding, not a suspension
    assert await open_cases(live_vetting, employer["id"]) == 1
    await wait_until(
        lambda: _published(publisher, "vetting.business.suspended", employer["id"]),
        message="vetting.business.suspended on the stream",
    )


async def _status_is(app, business_id, status):
    return (await business(app, business_id)).status == status


async def _published(broker, subject, business_id):
    info = await broker.js.stream_info("VETTING")
    if info.state.messages == 0:  # an empty stream has no sequence to ask for (JetStream answers 400)
        return False
    for seq in range(max(info.state.first_seq, info.state.last_seq - 50, 1), info.state.last_seq + 1):
        msg = await broker.js.get_msg("VETTING", seq)
        if msg.subject == subject and business_id.encode() in msg.data:
            return True
    return False


def fee(business_id, category):
    return FeeReported(
        version=1,
        fee_report_id=uuid.uuid4(),
        worker_id=uuid.uuid4(),
        business_id=business_id,
        category=category,
        amount_minor=45_000,
        currency="NPR",
        payment_method="cash",
        reported_by_role=Role.worker,
        reported_at=datetime.now(UTC),
    )


async def test_a_worker_paid_fee_is_a_finding_and_an_illegitimate_one_suspends(
    live_vetting, live_client, publisher, minter
):
    ordinary = await approved_business(live_client, minter, kind="recruitment_agency", country="NP")
    bribed = await approved_business(live_client, minter, kind="recruitment_agency", country="NP")
    await send(publisher, p := fee(uuid.UUID(ordinary["id"]), "medical"), p.fee_report_id)
    await send(publisher, q := fee(uuid.UUID(bribed["id"]), "illegitimate"), q.fee_report_id)
    await wait_until(lambda: _status_is(live_vetting, bribed["id"], "suspended"), message="suspension for a bribe")
    await wait_until(lambda: findings_of(live_vetting, ordinary["id"], "worker_paid_fee"), message="fee finding")
    assert (await business(live_vetting, ordinary["id"])).status == "approved"
    assert await open_cases(live_vetting, ordinary["id"]) == 1  # review reopened
    await assert_review_shown(live_vetting, live_client, minter, ordinary["id"], "approved", "worker_paid_fee")
    await assert_review_shown(live_vetting, live_client, minter, bribed["id"], "suspended", "worker_paid_fee")


async def assert_review_shown(app, client, minter, business_id, status, finding_kind):
    """The business says that it is being reviewed, and why, to whoever may read it."""
    async with app.state.database.session(read_only=True) as s:
        [case_id] = (
            await s.execute(
                select(VettingCase.id).where(
                    VettingCase.business_id == uuid.UUID(business_id), VettingCase.status == "open"
                )
            )
        ).scalars()
    headers = minter.headers(make_principal(Role.auditor))
    got = (await client.get(f"/v1/businesses/{business_id}", headers=headers)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == (status, True, str(case_id))
    findings = (await client.get(f"/v1/businesses/{business_id}/findings", headers=headers)).json()["items"]
    assert finding_kind in [f["kind"] for f in findings]
    assert {f["source"] for f in findings if f["kind"] == finding_kind} == {"registry"}


def grievance(business_id, indicators):
    return GrievanceSubstantiated(
        version=3,
        grievance_id=uuid.uuid4(),
        anonymous=True,
        filed_by_role=Role.worker,
        business_id=business_id,
        indicators=indicators,
        severity="medium",
        substantiated_at=datetime.now(UTC),
    )


async def test_a_severe_indicator_suspends_and_others_reopen_review(live_vetting, live_client, publisher, minter):
    severe = await approved_business(live_client, minter)
    milder = await approved_business(live_client, minter)
    await send(publisher, g := grievance(uuid.UUID(severe["id"]), ["retention_of_identity_documents"]), g.grievance_id)
    await send(publisher, h := grievance(uuid.UUID(milder["id"]), ["excessive_overtime"]), h.grievance_id)
    await wait_until(lambda: _status_is(live_vetting, severe["id"], "suspended"), message="suspension")
    await wait_until(lambda: findings_of(live_vetting, milder["id"], "substantiated_grievance"), message="finding")
    assert (await business(live_vetting, milder["id"])).status == "approved"
    assert await open_cases(live_vetting, milder["id"]) == 1
    await assert_review_shown(live_vetting, live_client, minter, milder["id"], "approved", "substantiated_grievance")


async def test_retaliation_is_a_finding_against_the_employer(live_vetting, live_client, publisher, minter):
    employer = await approved_business(live_client, minter)
    payload = RetaliationDetected(
        version=1,
        finding_id=uuid.uuid4(),
        business_id=uuid.UUID(employer["id"]),
        contract_id=uuid.uuid4(),
        grievance_anonymous=True,
        terminated_on=date.today(),
        terminated_by="employer",
        termination_reason="dismissal_for_cause",
        detected_at=datetime.now(UTC),
    )
    await send(publisher, payload, payload.finding_id)
    await wait_until(lambda: findings_of(live_vetting, employer["id"], "retaliation"), message="retaliation finding")
    assert await open_cases(live_vetting, employer["id"]) == 1


def returned(employer_id, paid_by, **worker_paid):
    return ContractReturned(
        version=6,
        contract_id=uuid.uuid4(),
        worker_id=uuid.uuid4(),
        employer_id=employer_id,
        status="completed",
        term="seasonal",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 10, 31),
        destination_country="AE",
        occupation="6111",
        travel_date=date(2026, 11, 2),
        paid_by=paid_by,
        rehire_eligible=False,
        **worker_paid,
    )


async def test_a_return_journey_the_worker_paid_is_one_fee_finding_against_the_employer(
    live_vetting, live_client, publisher, minter
):
    employer = await approved_business(live_client, minter)
    fair = await approved_business(live_client, minter)
    paid = returned(uuid.UUID(employer["id"]), "worker", worker_paid_amount_minor=120_000, currency="AED")
    await send(publisher, paid, paid.contract_id)
    # The worker's confirmation sends the whole return again: still one finding.
    again = paid.model_copy(update={"version": 7, "confirmed_home_at": datetime.now(UTC)})
    await send(publisher, again, again.contract_id)
    fair_return = await send(publisher, r := returned(uuid.UUID(fair["id"]), "employer"), r.contract_id)
    await wait_until(lambda: findings_of(live_vetting, employer["id"], "worker_paid_fee"), message="return finding")
    await wait_until(lambda: _consumed(live_vetting, fair_return), message="the return the employer paid, consumed")
    assert await findings_of(live_vetting, employer["id"], "worker_paid_fee") == 1
    assert await findings_of(live_vetting, fair["id"], "worker_paid_fee") == 0


async def _consumed(app, event) -> bool:
    inbox = app.state.ledger.inbox
    async with app.state.database.session(read_only=True) as s:
        found = await s.execute(select(inbox.c.event_id).where(inbox.c.event_id == event.event_id))
        return found.first() is not None
