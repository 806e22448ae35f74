"""The contract's lifecycle: draft → issued → signed → active → completed | terminated, disputed on a finding;
every senseless transition a 409 with a clear reason, every event through the outbox."""

import copy
import itertools
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.contracts.contracts.tables import Contract


async def outbox_events(app, contract_id: str) -> list[dict]:
    outbox = app.state.ledger.outbox
    async with app.state.database.session(read_only=True) as s:
        rows = (await s.execute(select(outbox.c.body).order_by(outbox.c.created_at))).scalars().all()
    events = [json.loads(body) for body in rows]
    return [e for e in events if e["subject"] == contract_id]


async def set_departure(app, contract_id: str, days_from_today: int) -> None:
    """The calendar moves on: the departure date comes closer than it was when the contract was issued."""
    async with app.state.database.session() as s:
        await s.execute(
            update(Contract)
            .where(Contract.id == uuid.UUID(contract_id))
            .values(departure_date=utcnow().date() + timedelta(days=days_from_today))
        )


async def test_contract_goes_from_draft_to_completed_and_every_step_is_an_event(world, contracts_app):
    p = await world.parties()
    created = await p.contract()
    assert created["status"] == "draft" and created["current_version"] == 1
    issued = (await p.post(created["id"], "issue")).json()
    assert issued["status"] == "issued" and issued["issued_version"] == 1 and issued["issued_at"]
    r = await p.post(created["id"], "sign", {"version": 1, "method": "thumbprint"}, as_=p.worker_user)
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["status"] == "signed" and signed["signature_method"] == "thumbprint" and signed["signed_at"]
    r = await p.post(
        created["id"],
        "arrival-verification",
        {"presented_terms": p.terms() | {"period": created["terms"]["period"]}},
        as_=world.officer,
    )
    assert r.status_code == 200, r.text
    assert r.json()["substitution_found"] is False and r.json()["contract_status"] == "active"
    today = utcnow().date().isoformat()
    async with contracts_app.state.database.session() as s:  # the contract ran its course
        await s.execute(
            update(Contract)
            .where(Contract.id == uuid.UUID(created["id"]))
            .values(start_date=utcnow().date() - timedelta(days=700))
        )
    r = await p.post(created["id"], "complete", {"completed_on": today, "good_standing": True}, as_=p.employer_user)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"
    types = [e["type"] for e in await outbox_events(contracts_app, created["id"])]
    assert types == [f"org.fairpath.contracts.contract.{t}.v1" for t in ("issued", "signed", "activated", "completed")]
    events = await outbox_events(contracts_app, created["id"])
    assert [e["data"]["version"] for e in events] == sorted(e["data"]["version"] for e in events)
    assert events[1]["data"]["content_hash"] == signed["content_hash"]


async def test_every_contract_event_carries_the_version_the_contract_has_after_that_change(world, contracts_app):
    p = await world.parties()
    created = await p.contract()
    versions = []  # the contract's version after each change that sends an event
    r = await world.client.patch(  # a change of terms moves the version too, with no event
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 185000}}},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200 and r.json()["version"] > created["version"]
    issued = (await p.post(created["id"], "issue")).json()
    versions.append(issued["version"])
    r = await p.post(
        created["id"], "sign", {"version": issued["current_version"], "method": "electronic"}, as_=p.worker_user
    )
    assert r.status_code == 200, r.text
    signed = r.json()
    versions.append(signed["version"])
    presented = copy.deepcopy(signed["terms"])
    presented["pay"]["amount"] = 150000
    for terms, status in ((presented, "disputed"), (signed["terms"], "active")):
        r = await p.post(created["id"], "arrival-verification", {"presented_terms": terms}, as_=world.officer)
        assert r.status_code == 200 and r.json()["contract_status"] == status, r.text
        got = await world.client.get(f"/v1/contracts/{created['id']}", headers=world.headers(world.auditor))
        versions.append(got.json()["version"])
    async with contracts_app.state.database.session() as s:  # the contract ran its course
        await s.execute(
            update(Contract)
            .where(Contract.id == uuid.UUID(created["id"]))
            .values(start_date=utcnow().date() - timedelta(days=700))
        )
    today = utcnow().date().isoformat()
    r = await p.post(created["id"], "complete", {"completed_on": today}, as_=p.employer_user)
    assert r.status_code == 200, r.text
    versions.append(r.json()["version"])

    events = await outbox_events(contracts_app, created["id"])
    assert [e["type"].split(".")[-2] for e in events] == [
        "issued",
        "signed",
        "substitution_detected",
        "activated",
        "completed",
    ]
    carried = [e["data"]["version"] for e in events]
    assert carried == versions
    assert all(a < b for a, b in itertools.pairwise(carried))
    async with contracts_app.state.database.session(read_only=True) as s:
        row = await s.get(Contract, uuid.UUID(created["id"]))
    assert carried[-1] == row.version


async def test_events_carry_no_personal_data(world, contracts_app):
    p = await world.parties()
    signed = await p.signed()
    for event in await outbox_events(contracts_app, signed["id"]):
        body = json.dumps(event)
        assert "Sita" not in body and "Bharatpur" not in body


async def test_signing_a_draft_is_409(world):
    p = await world.parties()
    created = await p.contract()
    r = await p.post(created["id"], "sign", {"version": 1, "method": "electronic"}, as_=p.worker_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:not_issued"
    assert "must be issued" in r.json()["detail"]
    # and the operator may not sign for the worker
    r = await p.post(created["id"], "sign", {"version": 1, "method": "electronic"}, as_=world.admin)
    assert r.status_code == 403


async def test_signing_an_issued_contract_after_departure_is_409(world, contracts_app):
    p = await world.parties()
    issued = await p.issued()
    await set_departure(contracts_app, issued["id"], 0)
    r = await p.post(issued["id"], "sign", {"version": 1, "method": "electronic"}, as_=p.worker_user)
    assert r.status_code == 409
    assert r.json()["type"] == "urn:fairpath:problem:departure_passed"
    assert "before departure" in r.json()["detail"]


async def test_signing_another_version_than_the_issued_one_is_409(world):
    p = await world.parties()
    issued = await p.issued()
    r = await p.post(issued["id"], "sign", {"version": 2, "method": "electronic"}, as_=p.worker_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:version_mismatch"


async def test_signing_twice_is_409(world):
    p = await world.parties()
    signed = await p.signed()
    r = await p.post(signed["id"], "sign", {"version": 1, "method": "electronic"}, as_=p.worker_user)
    assert r.status_code == 409


async def test_another_worker_cannot_see_or_sign_the_contract(world):
    p = await world.parties()
    issued = await p.issued()
    stranger = make_principal(Role.worker, worker_id=uuid.uuid4())
    r = await p.post(issued["id"], "sign", {"version": 1, "method": "electronic"}, as_=stranger)
    assert r.status_code == 404
    assert (await world.client.get(f"/v1/contracts/{issued['id']}", headers=world.headers(stranger))).status_code == 404
    mine = await world.client.get(f"/v1/contracts/{issued['id']}", headers=world.headers(p.worker_user))
    assert mine.status_code == 200 and mine.json()["terms"]["parties"]["worker"]["full_name"] == "Sita Kumari Tamang"


async def test_issuing_twice_is_409(world):
    p = await world.parties()
    issued = await p.issued()
    r = await p.post(issued["id"], "issue")
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:not_a_draft"


async def test_issuing_too_close_to_departure_is_409(world, contracts_app):
    p = await world.parties()
    created = await p.contract()
    await set_departure(contracts_app, created["id"], 6)
    r = await p.post(created["id"], "issue")
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:too_late_to_issue"
    assert "7 days before departure" in r.json()["detail"]


async def test_issuing_for_an_employer_suspended_after_drafting_is_409(world):
    p = await world.parties()
    created = await p.contract()
    await world.business("employer", "suspended", version=3, business_id=p.employer)
    r = await p.post(created["id"], "issue")
    assert r.status_code == 409
    problem = r.json()
    assert problem["type"] == "urn:fairpath:problem:party_not_in_good_standing"
    assert "suspended" in problem["detail"] and problem["blocking"][0]["rule"] == "employer_suspended"


async def test_issuing_for_a_recruiter_whose_approval_expired_after_drafting_is_409(world):
    p = await world.parties()
    created = await p.contract()
    await world.business(
        "recruitment_agency",
        "approved",
        version=3,
        business_id=p.agency,
        approval_expires_at=utcnow() - timedelta(minutes=1),
    )
    r = await p.post(created["id"], "issue")
    assert r.status_code == 409 and r.json()["blocking"][0]["rule"] == "recruiter_approval_expired"


async def test_a_late_event_does_not_undo_a_suspension(world):
    p = await world.parties()
    created = await p.contract()
    await world.business("employer", "suspended", version=5, business_id=p.employer)
    await world.business("employer", "approved", version=4, business_id=p.employer)  # older, arrives late
    assert (await p.post(created["id"], "issue")).status_code == 409


async def test_completing_a_contract_that_is_not_active_is_409(world):
    p = await world.parties()
    signed = await p.signed()
    r = await p.post(signed["id"], "complete", {"completed_on": utcnow().date().isoformat()}, as_=p.employer_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:not_active"


async def test_arrival_verification_of_an_unsigned_contract_is_409(world):
    p = await world.parties()
    issued = await p.issued()
    r = await p.post(issued["id"], "arrival-verification", {"presented_terms": p.terms()}, as_=world.officer)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:not_signed"


async def test_terms_presented_for_another_worker_are_refused(world):
    p = await world.parties()
    signed = await p.signed()
    other = p.terms()
    other["parties"]["worker"]["worker_id"] = str(uuid.uuid4())
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": other}, as_=world.officer)
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "another_workers_contract"


@pytest.mark.parametrize("role", [Role.agency, Role.employer, Role.auditor, Role.worker])
async def test_only_compliance_officers_verify_arrivals(world, role):
    p = await world.parties()
    signed = await p.signed()
    r = await p.post(
        signed["id"],
        "arrival-verification",
        {"presented_terms": p.terms()},
        as_=make_principal(role, business_id=p.agency, worker_id=p.worker),
    )
    assert r.status_code == 403


async def test_the_worker_may_end_the_employment_and_the_termination_is_an_event(world, contracts_app):
    p = await world.parties()
    signed = await p.signed()
    r = await p.post(
        signed["id"],
        "terminate",
        {"terminated_on": utcnow().date().isoformat(), "reason": "resignation", "ended_by": "worker"},
        as_=p.worker_user,
    )
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    assert (await outbox_events(contracts_app, signed["id"]))[-1]["type"].endswith("contract.terminated.v1")
    again = await p.post(
        signed["id"],
        "terminate",
        {"terminated_on": utcnow().date().isoformat(), "reason": "resignation", "ended_by": "worker"},
        as_=p.worker_user,
    )
    assert again.status_code == 409 and again.json()["type"] == "urn:fairpath:problem:already_ended"


async def test_a_withdrawn_draft_frees_its_place_and_tells_nobody(world, contracts_app):
    p = await world.parties(workers=1)
    created = await p.contract()
    assert (await p.create()).json()["violations"][0]["rule"] == "positions_filled"
    r = await p.post(
        created["id"],
        "terminate",
        {"terminated_on": utcnow().date().isoformat(), "reason": "other", "ended_by": "agency"},
    )
    assert r.status_code == 200
    assert await outbox_events(contracts_app, created["id"]) == []
    assert (await p.create()).status_code == 201


async def test_the_audit_chain_records_each_step_without_personal_data(world, contracts_app):
    p = await world.parties()
    signed = await p.signed()
    r = await world.client.get(
        "/v1/audit/contracts/records", params={"record_id": signed["id"]}, headers=world.headers(world.auditor)
    )
    actions = [e["action"] for e in r.json()["items"]]
    assert actions == ["contract.drafted", "contract.issued", "contract.signed"]
    assert "Sita" not in r.text
    verify = await world.client.get("/v1/audit/contracts/verify", headers=world.headers(world.auditor))
    assert verify.json()["valid"] is True


async def test_no_personal_data_reaches_the_logs(world, caplog):
    p = await world.parties()
    with caplog.at_level("DEBUG"):
        signed = await p.signed()
        presented = p.terms() | {"period": signed["terms"]["period"]}
        presented["pay"]["amount"] = 150000
        await p.post(signed["id"], "arrival-verification", {"presented_terms": presented}, as_=world.officer)
        await world.client.get(f"/v1/contracts/{signed['id']}/document", headers=world.headers(p.worker_user))
    assert caplog.records, "the requests were logged"
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Sita" not in logged and "Bharatpur" not in logged
