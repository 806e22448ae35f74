"""The businesses vetting knows, projected from its events (real NATS): a fee or a grievance names only a
business the registry has heard of, and an unknown one is refused in words that reveal nothing."""

import uuid
from datetime import timedelta

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import BusinessApproved
from fairpath.common.ids import uuid7
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.registry.businesses.tables import BusinessProjection

from .conftest import business_registered, new_agency, publish_business_event, register, worker_principal

FEE = {"category": "recruitment_fee", "amount_minor": 50_000, "currency": "USD", "payment_method": "cash"}


def approved(business_id: uuid.UUID, version: int) -> BusinessApproved:
    now = utcnow()
    return BusinessApproved(
        version=version,
        business_id=business_id,
        kind="employer",
        legal_name="Gulf Horizon Construction LLC",
        country="QA",
        status="approved",
        organization_id=uuid7(),
        vetting_case_id=uuid7(),
        decided_at=now,
        approval_expires_at=now + timedelta(days=365),
        risk_band="low",
    )


async def projected(app, business_id: uuid.UUID, version: int) -> BusinessProjection:
    async def at_version() -> BusinessProjection | None:
        async with app.state.database.session(read_only=True) as s:
            row = await s.get(BusinessProjection, business_id)
        return row if row is not None and row.version >= version else None

    return await wait_until(at_version, message=f"business {business_id} at version {version}")


async def test_the_projection_follows_vetting_events_and_a_fee_may_then_name_the_business(
    registry, registry_app, broker, minter
):
    business_id = uuid7()
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))

    await publish_business_event(broker, business_registered(business_id, recruiter_ids=[agency.business_id]))
    registered = await projected(registry_app, business_id, 1)
    assert (registered.status, registered.kind) == ("registered", "employer")
    r = await registry.post(
        f"/v1/workers/{created['id']}/fees", json=FEE | {"paid_to_business_id": str(business_id)}, headers=me
    )
    assert r.status_code == 201, r.text

    decision = approved(business_id, 2)
    await publish_business_event(broker, decision)
    assert (await projected(registry_app, business_id, 2)).status == "approved"
    # A late, older event never overwrites the newer state; the next newer one is applied.
    await publish_business_event(broker, business_registered(business_id, version=1))
    await publish_business_event(broker, approved(business_id, 3))
    latest = await projected(registry_app, business_id, 3)
    assert latest.status == "approved" and latest.version == 3


async def test_a_fee_naming_an_unknown_business_is_refused_in_the_same_words_for_any_id(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))
    url = f"/v1/workers/{created['id']}/fees"
    answers = []
    for unknown in (uuid.uuid4(), uuid7()):
        r = await registry.post(url, json=FEE | {"paid_to_business_id": str(unknown)}, headers=me)
        assert r.status_code == 422, r.text
        [violation] = r.json()["violations"]
        assert (violation["field"], violation["rule"]) == ("paid_to_business_id", "unknown_business")
        assert str(unknown) not in r.text
        answers.append((r.json()["type"], r.json()["detail"], violation))
    assert answers[0] == answers[1]

    known = await businesses.known(recruiting=agency)
    report = await registry.post(url, json=FEE | {"paid_to_business_id": str(known)}, headers=me)
    assert report.status_code == 201 and report.json()["paid_to_business_id"] == str(known)


async def test_naming_the_business_of_a_fee_later_needs_a_known_business(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    report = (await registry.post(f"/v1/workers/{created['id']}/fees", json=FEE, headers=minter.headers(agency))).json()
    url = f"/v1/fees/{report['id']}"
    step = {"step": "promised", "promised_by_date": "2026-12-31"}
    r = await registry.patch(
        url, json=step | {"paid_to_business_id": str(uuid.uuid4())}, headers=minter.headers(agency)
    )
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("paid_to_business_id", "unknown_business")]
    known = await businesses.known(recruiting=agency)
    r = await registry.patch(url, json=step | {"paid_to_business_id": str(known)}, headers=minter.headers(agency))
    assert r.status_code == 200, r.text
    assert r.json()["paid_to_business_id"] == str(known)


async def test_a_grievance_names_only_a_business_the_registry_knows(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))
    url = f"/v1/workers/{created['id']}/grievances"
    body = {"description": "Wages withheld.", "alleged_indicators": ["withholding_of_wages"]}
    r = await registry.post(url, json=body | {"business_id": str(uuid.uuid4())}, headers=me)
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("business_id", "unknown_business")]

    known = await businesses.known(recruiting=agency)
    filed = await registry.post(url, json=body | {"business_id": str(known)}, headers=me)
    assert filed.status_code == 201, filed.text
    officer = minter.headers(make_principal(Role.compliance_officer))
    grievance_url = f"/v1/grievances/{filed.json()['id']}"
    r = await registry.patch(grievance_url, json={"business_id": str(uuid.uuid4())}, headers=officer)
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("business_id", "unknown_business")]
    other = await businesses.known(kind="recruitment_agency", recruiting=agency)
    r = await registry.patch(grievance_url, json={"business_id": str(other)}, headers=officer)
    assert r.status_code == 200 and r.json()["business_id"] == str(other)
