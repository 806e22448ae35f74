"""Every event the registry writes carries the version its record has after the change it reports: a
consumer's projection applies only versions newer than its own, so an event with a stale version would be
dropped without a trace."""

from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.events.envelope import CloudEvent, parse_event
from fairpath.common.testing import make_principal

from .conftest import new_agency, register, worker_principal


async def outbox_events(app, aggregate_id) -> list[CloudEvent]:
    """The events written for one record, in the order they were written (outbox ids are UUIDv7)."""
    outbox = app.state.ledger.outbox
    async with app.state.database.session(read_only=True) as s:
        bodies = (await s.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars().all()
    return [event for event in map(parse_event, bodies) if event.subject == str(aggregate_id)]


async def test_every_worker_event_carries_the_version_the_worker_has_after_the_change(registry, registry_app, minter):
    owner = new_agency()
    agency = minter.headers(owner)
    created = await register(registry, minter, owner)
    url = f"/v1/workers/{created['id']}"

    async def current_version() -> int:
        return (await registry.get(url, headers=agency)).json()["version"]

    versions = [created["version"]]
    changed = await registry.patch(url, json={"phone": "+9779800000009"}, headers=agency)
    assert changed.status_code == 200, changed.text
    versions.append(changed.json()["version"])
    consent = await registry.post(
        f"{url}/consents",
        headers=minter.headers(worker_principal(created["id"])),
        json={"purpose": "employment_contract", "granted": True, "method": "self_service", "language": "ne"},
    )
    assert consent.status_code == 201, consent.text
    versions.append(await current_version())
    erased = await registry.post(f"{url}/erasure", headers=minter.headers(worker_principal(created["id"])))
    assert erased.status_code == 200, erased.text
    versions.append(await current_version())

    events = await outbox_events(registry_app, created["id"])
    assert [e.nats_subject for e in events] == [
        "registry.worker.registered",
        "registry.worker.updated",
        "registry.worker.consent_changed",
        "registry.worker.erased",
    ]
    assert [e.data["version"] for e in events] == versions == [1, 2, 3, 4]
    assert events[-1].data["version"] == await current_version()


async def test_grievance_events_carry_the_version_of_the_status_change_they_report(
    registry, registry_app, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    filed = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        headers=minter.headers(worker_principal(created["id"])),
        json={
            "business_id": str(await businesses.known(recruiting=agency)),
            "description": "Wages withheld.",
            "alleged_indicators": [],
        },
    )
    assert filed.status_code == 201, filed.text
    url = f"/v1/grievances/{filed.json()['id']}"
    officer = minter.headers(make_principal(Role.compliance_officer))
    reported = {"registry.grievance.filed": filed.json()["version"]}
    for change, subject in (
        ({"status": "under_investigation"}, None),  # acknowledged: no event, the version still moves
        ({"status": "substantiated", "severity": "high"}, "registry.grievance.substantiated"),
        ({"status": "resolved", "remedies": ["compensation"]}, "registry.grievance.resolved"),
    ):
        r = await registry.patch(url, json=change, headers=officer)
        assert r.status_code == 200, r.text
        if subject:
            reported[subject] = r.json()["version"]

    events = await outbox_events(registry_app, filed.json()["id"])
    assert {e.nats_subject: e.data["version"] for e in events} == reported
    assert [e.data["version"] for e in events] == [1, 3, 4]
    current = (await registry.get(url, headers=officer)).json()["version"]
    assert events[-1].data["version"] == current


async def test_fee_events_carry_the_version_of_the_change_they_report(registry, registry_app, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))
    employer = await businesses.employer(recruiting=agency)
    report = await registry.post(
        f"/v1/workers/{created['id']}/fees",
        headers=me,
        json={
            "category": "recruitment_fee",
            "amount_minor": 50_000,
            "currency": "USD",
            "payment_method": "cash",
            "paid_to_business_id": str(employer.business_id),
        },
    )
    assert report.status_code == 201, report.text
    url = f"/v1/fees/{report.json()['id']}"
    paid = await registry.patch(
        url,
        json={"step": "paid", "reimbursed_amount_minor": 50_000, "reimbursed_on": "2026-05-01"},
        headers=minter.headers(employer),
    )
    confirmed = await registry.patch(url, json={"step": "confirmed"}, headers=me)
    assert paid.status_code == confirmed.status_code == 200, confirmed.text

    events = await outbox_events(registry_app, report.json()["id"])
    assert [(e.nats_subject, e.data["version"]) for e in events] == [
        ("registry.fee.reported", report.json()["version"]),
        ("registry.fee.reimbursed", confirmed.json()["version"]),
    ]
    assert [e.data["version"] for e in events] == [1, 3]
