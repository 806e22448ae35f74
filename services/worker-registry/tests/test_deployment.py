"""Deployment steps of a placement (visa, medical, document verification, travel): moved by the placement's
agency or employer, read by its worker and the operator; a cost the worker paid becomes a fee report (a finding,
emitted as registry.fee.reported), and travel is done only after a confirmed orientation in the worker's
language."""

import uuid

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import ContractSigned
from fairpath.common.testing import make_principal

from .conftest import new_agency, publish_contract_event, register, worker_principal
from .test_orientation import attend, hold_session
from .test_placements import contract, placement_at


async def placed(registry, registry_app, broker, minter, businesses, agency=None):
    """A worker of the agency with a signed contract with an employer the agency recruits for."""
    agency = agency or new_agency()
    worker = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    contract_id = uuid.uuid4()
    await publish_contract_event(
        broker,
        contract(
            worker["id"],
            employer.business_id,
            2,
            ContractSigned,
            contract_id=contract_id,
            agency_ids=[agency.business_id],
        ),
    )
    await placement_at(registry_app, contract_id, 2)
    return agency, employer, worker, contract_id


def steps_url(contract_id) -> str:
    return f"/v1/placements/{contract_id}/deployment-steps"


async def test_the_placements_parties_move_steps_the_worker_and_officers_read_them(
    registry, registry_app, broker, minter, businesses
):
    agency, employer, worker, contract_id = await placed(registry, registry_app, broker, minter, businesses)
    fresh = await registry.get(steps_url(contract_id), headers=minter.headers(agency))
    assert fresh.status_code == 200, fresh.text
    assert [(s["step"], s["state"]) for s in fresh.json()["steps"]] == [
        ("visa", "pending"),
        ("medical", "pending"),
        ("document_verification", "pending"),
        ("travel", "pending"),
    ]
    changed = await registry.patch(
        steps_url(contract_id),
        json={
            "steps": [
                {
                    "step": "medical",
                    "state": "done",
                    "completed_on": "2026-04-02",
                    "cost": {"payer": "employer", "amount_minor": 450_000, "currency": "QAR"},
                },
                {"step": "visa", "state": "in_progress", "started_on": "2026-04-03"},
            ]
        },
        headers=minter.headers(employer),
    )
    assert changed.status_code == 200, changed.text
    by_step = {s["step"]: s for s in changed.json()["steps"]}
    assert by_step["medical"]["state"] == "done" and by_step["medical"]["payer"] == "employer"
    assert by_step["medical"]["fee_report_id"] is None and by_step["visa"]["state"] == "in_progress"
    by_agency = await registry.patch(
        steps_url(contract_id), json={"steps": [{"step": "visa", "state": "done"}]}, headers=minter.headers(agency)
    )
    assert by_agency.status_code == 200 and by_agency.json()["steps"][0]["version"] == 2

    for reader in (
        worker_principal(worker["id"]),
        make_principal(Role.compliance_officer),
        make_principal(Role.auditor),
    ):
        read = await registry.get(steps_url(contract_id), headers=minter.headers(reader))
        assert read.status_code == 200 and read.json()["steps"][0]["state"] == "done"
    by_worker = await registry.patch(
        steps_url(contract_id),
        json={"steps": [{"step": "visa", "state": "done"}]},
        headers=minter.headers(worker_principal(worker["id"])),
    )
    assert by_worker.status_code == 403


async def test_another_agencys_or_employers_placement_is_answered_as_a_random_id(
    registry, registry_app, broker, minter, businesses
):
    _, _, worker, contract_id = await placed(registry, registry_app, broker, minter, businesses)
    strangers = (
        new_agency(),
        await businesses.employer(),
        worker_principal(uuid.uuid4()),
    )
    for stranger in strangers:
        theirs = await registry.get(steps_url(contract_id), headers=minter.headers(stranger))
        random = await registry.get(steps_url(uuid.uuid4()), headers=minter.headers(stranger))
        assert theirs.status_code == random.status_code == 404
        assert theirs.json()["type"] == random.json()["type"]
    for stranger in strangers[:2]:
        change = {"steps": [{"step": "visa", "state": "done"}]}
        theirs = await registry.patch(steps_url(contract_id), json=change, headers=minter.headers(stranger))
        random = await registry.patch(steps_url(uuid.uuid4()), json=change, headers=minter.headers(stranger))
        assert theirs.status_code == random.status_code == 404


async def test_a_cost_the_worker_paid_is_a_fee_report_and_a_finding(
    registry, registry_app, broker, minter, businesses, published
):
    agency, employer, worker, contract_id = await placed(registry, registry_app, broker, minter, businesses)
    changed = await registry.patch(
        steps_url(contract_id),
        json={
            "steps": [
                {
                    "step": "medical",
                    "state": "done",
                    "cost": {
                        "payer": "worker",
                        "amount_minor": 1_200_000,
                        "currency": "NPR",
                        "payment_method": "cash",
                        "paid_on": "2026-03-20",
                    },
                }
            ]
        },
        headers=minter.headers(agency),
    )
    assert changed.status_code == 200, changed.text
    report_id = changed.json()["steps"][1]["fee_report_id"]
    assert report_id is not None
    report = (await registry.get(f"/v1/fees/{report_id}", headers=minter.headers(agency))).json()
    assert report["category"] == "medical" and report["finding"] is True and report["channel"] == "deployment"
    assert report["reimbursement_status"] == "owed" and report["contract_id"] == str(contract_id)
    assert report["finding_business_id"] == str(agency.business_id)
    [event] = await published.wait_for("registry.fee.reported", report_id)
    assert event.data["employer_id"] == str(employer.business_id) and event.data["category"] == "medical"
    fees = await registry.get(
        f"/v1/workers/{worker['id']}/fees", headers=minter.headers(worker_principal(worker["id"]))
    )
    assert [f["id"] for f in fees.json()["items"]] == [report_id]

    again = await registry.patch(
        steps_url(contract_id),
        json={"steps": [{"step": "medical", "cost": {"payer": "employer", "amount_minor": 1, "currency": "NPR"}}]},
        headers=minter.headers(employer),
    )
    assert again.status_code == 409 and again.json()["type"].endswith("cost_already_reported")


async def test_travel_is_done_only_after_a_confirmed_orientation_in_a_language_the_worker_speaks(
    registry, registry_app, broker, minter, businesses
):
    agency, employer, worker, contract_id = await placed(registry, registry_app, broker, minter, businesses)
    depart = {"steps": [{"step": "travel", "state": "done"}]}

    async def departing():
        return await registry.patch(steps_url(contract_id), json=depart, headers=minter.headers(employer))

    refused = await departing()
    assert refused.status_code == 409 and refused.json()["type"].endswith("orientation_before_departure")

    # Held in a language the worker does not speak (they speak ne and en): not enough.
    in_arabic = await hold_session(registry, minter, agency, language="ar")
    assert (await attend(registry, minter, agency, in_arabic["id"], worker["id"])).status_code == 200
    assert (await attend(registry, minter, worker_principal(worker["id"]), in_arabic["id"])).status_code == 200
    assert (await departing()).status_code == 409

    # In Nepali, attended but not yet confirmed by the worker: not enough.
    in_nepali = await hold_session(registry, minter, agency, language="ne")
    assert (await attend(registry, minter, agency, in_nepali["id"], worker["id"])).status_code == 200
    assert (await departing()).status_code == 409

    assert (await attend(registry, minter, worker_principal(worker["id"]), in_nepali["id"])).status_code == 200
    departed = await departing()
    assert departed.status_code == 200, departed.text
    travel = departed.json()["steps"][3]
    assert travel["state"] == "done" and travel["completed_on"] is not None


async def test_a_step_change_names_the_field_and_rule_it_breaks(registry, registry_app, broker, minter, businesses):
    agency, _, _, contract_id = await placed(registry, registry_app, broker, minter, businesses)
    backwards = await registry.patch(
        steps_url(contract_id),
        json={"steps": [{"step": "visa", "started_on": "2026-04-03", "completed_on": "2026-04-01"}]},
        headers=minter.headers(agency),
    )
    assert backwards.status_code == 422
    assert backwards.json()["violations"][0] | {"message": ""} == {
        "field": "steps.0.completed_on",
        "rule": "after_start",
        "message": "",
    }
    unpaid_how = await registry.patch(
        steps_url(contract_id),
        json={"steps": [{"step": "visa", "cost": {"payer": "worker", "amount_minor": 10, "currency": "NPR"}}]},
        headers=minter.headers(agency),
    )
    assert unpaid_how.status_code == 422 and unpaid_how.json()["violations"][0]["field"].startswith("steps.0.cost")
    twice = await registry.patch(
        steps_url(contract_id),
        json={"steps": [{"step": "visa", "state": "done"}, {"step": "visa", "state": "pending"}]},
        headers=minter.headers(agency),
    )
    assert twice.status_code == 422
