"""Placements from contract events (real NATS): history, availability, re-hire eligibility that ignores the
worker's own grievances, and retaliation findings for terminations soon after a grievance."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import (
    ContractActivated,
    ContractCompleted,
    ContractIssued,
    ContractSigned,
    ContractTerminated,
)
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.registry.placements.tables import Placement, RetaliationFinding

from .conftest import new_agency, publish_contract_event, register, worker_principal

TODAY = date.today()


def contract(worker_id, employer_id, version, model, **extra):
    status = {
        ContractIssued: "issued",
        ContractSigned: "signed",
        ContractActivated: "active",
        ContractCompleted: "completed",
        ContractTerminated: "terminated",
    }[model]
    base = {
        "version": version,
        "contract_id": extra.pop("contract_id"),
        "worker_id": uuid.UUID(str(worker_id)),
        "employer_id": employer_id,
        "agency_ids": [uuid.uuid4()],
        "status": status,
        "term": extra.pop("term", "seasonal"),
        "start_date": TODAY - timedelta(days=200),
        "end_date": TODAY + timedelta(days=100),
        "destination_country": "AE",
        "occupation": "7112",
    }
    now = utcnow()
    specific = {
        ContractIssued: {"issued_at": now, "languages": ["ne"]},
        ContractSigned: {"signed_at": now, "content_hash": "a" * 64},
        ContractActivated: {"arrival_verified_at": now},
        ContractCompleted: {"completed_on": TODAY, "good_standing": True},
        ContractTerminated: {"terminated_on": TODAY, "reason": "dismissal_for_cause", "ended_by": "employer"},
    }[model]
    return model(**(base | specific | extra))


async def placement(app, contract_id):
    async with app.state.database.session(read_only=True) as s:
        return await s.get(Placement, contract_id)


async def placement_at(app, contract_id, version):
    return await wait_until(lambda: _at(app, contract_id, version), message=f"placement version {version}")


async def _at(app, contract_id, version):
    found = await placement(app, contract_id)
    return found if found is not None and found.version >= version else None


async def findings_for(app, contract_id):
    async with app.state.database.session(read_only=True) as s:
        return list(
            (await s.execute(select(RetaliationFinding).where(RetaliationFinding.contract_id == contract_id))).scalars()
        )


async def test_contract_events_build_the_placement_history_and_availability(registry, registry_app, broker, minter):
    agency = new_agency()
    created = await register(registry, minter, agency, skills=[{"occupation": "7112", "level": "skilled"}])
    employer, contract_id = uuid.uuid4(), uuid.uuid4()
    for version, model in enumerate((ContractIssued, ContractSigned, ContractActivated), start=1):
        await publish_contract_event(broker, contract(created["id"], employer, version, model, contract_id=contract_id))
    await placement_at(registry_app, contract_id, 3)
    worker = (await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))).json()
    assert worker["currently_placed"] is True and worker["rehire_eligible"] is False
    available = await registry.get("/v1/workers", params={"available": True}, headers=minter.headers(agency))
    assert created["id"] not in [w["id"] for w in available.json()["items"]]

    # A late, older event never overwrites the newer state.
    await publish_contract_event(broker, contract(created["id"], employer, 2, ContractSigned, contract_id=contract_id))
    await publish_contract_event(
        broker, contract(created["id"], employer, 4, ContractCompleted, contract_id=contract_id)
    )
    done = await placement_at(registry_app, contract_id, 4)
    assert done.status == "completed" and done.rehire_eligible is True
    history = await registry.get(f"/v1/workers/{created['id']}/placements", headers=minter.headers(agency))
    [item] = history.json()["items"]
    assert item["status"] == "completed" and item["rehire_eligible"] is True and item["version"] == 4
    worker = (await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))).json()
    assert worker["currently_placed"] is False and worker["rehire_eligible"] is True
    rehire = await registry.get("/v1/workers", params={"rehire_eligible": True}, headers=minter.headers(agency))
    assert [w["id"] for w in rehire.json()["items"]] == [created["id"]]
    assert (
        await registry.get(f"/v1/workers/{created['id']}/placements", headers=minter.headers(new_agency()))
    ).status_code == 404


async def test_the_workers_own_grievance_never_costs_them_re_hire(registry, registry_app, broker, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer, contract_id = await businesses.known(recruiting=agency), uuid.uuid4()
    filed = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        headers=minter.headers(worker_principal(created["id"])),
        json={
            "business_id": str(employer),
            "description": "Unpaid overtime.",
            "alleged_indicators": ["excessive_overtime"],
        },
    )
    assert filed.status_code == 201, filed.text
    await publish_contract_event(
        broker, contract(created["id"], employer, 5, ContractCompleted, contract_id=contract_id)
    )
    done = await placement_at(registry_app, contract_id, 5)
    assert done.rehire_eligible is True


async def test_open_ended_or_bad_standing_completion_is_not_re_hire_eligible(registry_app, registry, broker, minter):
    created = await register(registry, minter, new_agency())
    employer = uuid.uuid4()
    bad, open_ended = uuid.uuid4(), uuid.uuid4()
    await publish_contract_event(
        broker, contract(created["id"], employer, 5, ContractCompleted, contract_id=bad, good_standing=False)
    )
    await publish_contract_event(
        broker,
        contract(
            created["id"], employer, 5, ContractCompleted, contract_id=open_ended, term="open_ended", end_date=None
        ),
    )
    assert (await placement_at(registry_app, bad, 5)).rehire_eligible is False
    assert (await placement_at(registry_app, open_ended, 5)).rehire_eligible is False


@pytest.mark.parametrize("anonymous", [False, True])
async def test_termination_within_90_days_of_a_grievance_is_retaliation(
    registry, registry_app, broker, minter, published, businesses, anonymous
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer, contract_id = await businesses.known(recruiting=agency), uuid.uuid4()
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json={
                "business_id": str(employer),
                "description": "Wages withheld.",
                "anonymous": anonymous,
                "alleged_indicators": ["withholding_of_wages"],
            },
        )
    ).json()
    # Counted from the day the grievance was filed (a run may cross midnight after this module was loaded).
    terminated_on = date.fromisoformat(filed["filed_at"][:10]) + timedelta(days=89)
    await publish_contract_event(
        broker,
        contract(created["id"], employer, 6, ContractTerminated, contract_id=contract_id, terminated_on=terminated_on),
    )
    [finding] = await wait_until(lambda: findings_for(registry_app, contract_id), message="the finding")
    [event] = await published.wait_for("registry.retaliation.detected", finding.id)
    assert event.data["business_id"] == str(employer) and event.data["contract_id"] == str(contract_id)
    assert event.data["terminated_by"] == "employer" and event.data["termination_reason"] == "dismissal_for_cause"
    assert event.data["grievance_anonymous"] is anonymous
    if anonymous:
        assert event.data.get("grievance_id") is None and event.data.get("days_after_grievance") is None
    else:
        assert event.data["grievance_id"] == filed["id"] and event.data["days_after_grievance"] == 89
    # The same termination delivered again makes no second finding.
    await publish_contract_event(
        broker,
        contract(created["id"], employer, 7, ContractTerminated, contract_id=contract_id, terminated_on=terminated_on),
    )
    await placement_at(registry_app, contract_id, 7)
    assert len(await findings_for(registry_app, contract_id)) == 1


@pytest.mark.parametrize("case", ["beyond_window", "worker_resigned", "no_grievance"])
async def test_no_retaliation_finding_outside_the_rule(registry, registry_app, broker, minter, businesses, case):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer, contract_id = await businesses.known(recruiting=agency), uuid.uuid4()
    if case != "no_grievance":
        filed = await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json={"business_id": str(employer), "description": "Wages withheld."},
        )
        assert filed.status_code == 201, filed.text
        filed_on = date.fromisoformat(filed.json()["filed_at"][:10])
    extra = {"terminated_on": filed_on + timedelta(days=91)} if case == "beyond_window" else {}
    if case == "worker_resigned":
        extra |= {"ended_by": "worker", "reason": "resignation"}
    await publish_contract_event(
        broker, contract(created["id"], employer, 3, ContractTerminated, contract_id=contract_id, **extra)
    )
    terminated = await placement_at(registry_app, contract_id, 3)
    assert terminated.status == "terminated" and terminated.rehire_eligible is False
    assert await findings_for(registry_app, contract_id) == []


async def test_employer_sees_only_its_own_contracts_in_the_history_of_a_worker_it_contracts(
    registry, registry_app, broker, minter
):
    # The employer reaches the worker by its contract with them (no consent to share is needed for it).
    created = await register(registry, minter, new_agency())
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    employer = make_principal(Role.employer, business_id=uuid.uuid4())
    await publish_contract_event(
        broker, contract(created["id"], employer.business_id, 1, ContractIssued, contract_id=mine)
    )
    await publish_contract_event(broker, contract(created["id"], uuid.uuid4(), 1, ContractIssued, contract_id=theirs))
    await placement_at(registry_app, mine, 1)
    await placement_at(registry_app, theirs, 1)
    r = await registry.get(f"/v1/workers/{created['id']}/placements", headers=minter.headers(employer))
    assert [p["contract_id"] for p in r.json()["items"]] == [str(mine)]


async def test_fee_on_a_placement_names_its_employer_and_another_workers_contract_is_refused(
    registry, registry_app, broker, minter, published
):
    agency = new_agency()
    created, other = await register(registry, minter, agency), await register(registry, minter, agency)
    employer, contract_id = uuid.uuid4(), uuid.uuid4()
    await publish_contract_event(broker, contract(created["id"], employer, 1, ContractIssued, contract_id=contract_id))
    await placement_at(registry_app, contract_id, 1)
    fee = {
        "category": "recruitment_fee",
        "amount_minor": 90_000,
        "currency": "USD",
        "payment_method": "wage_deduction",
        "contract_id": str(contract_id),
    }
    r = await registry.post(f"/v1/workers/{created['id']}/fees", json=fee, headers=minter.headers(agency))
    [event] = await published.wait_for("registry.fee.reported", r.json()["id"])
    assert event.data["employer_id"] == str(employer) and event.data["contract_id"] == str(contract_id)
    refused = await registry.post(f"/v1/workers/{other['id']}/fees", json=fee, headers=minter.headers(agency))
    assert refused.status_code == 422 and refused.json()["violations"][0]["rule"] == "worker_contract"
