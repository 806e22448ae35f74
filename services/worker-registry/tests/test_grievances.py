"""Grievances (IRIS G): filed by the worker directly or for them; received → under_investigation →
substantiated / unsubstantiated → resolved by compliance officers, with who and when, deadlines,
escalation and remedy; an anonymous grievance hides the filer from the business."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import ContractIssued
from fairpath.common.testing import make_principal
from fairpath.registry.grievances.tables import Grievance

from .conftest import new_agency, publish_contract_event, register, worker_principal
from .test_placements import contract, placement_at


def grievance(business_id, **overrides) -> dict:
    return {
        "business_id": str(business_id),
        "alleged_indicators": ["retention_of_identity_documents"],
        "description": "My passport was taken by the supervisor Mr Karim.",
        "language": "ne",
    } | overrides


async def test_worker_files_directly_with_deadlines_and_the_filing_is_emitted_anonymously(
    registry, registry_app, broker, minter, published, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    contract_id = uuid.uuid4()  # the worker's contract with the employer: the grievance names it
    await publish_contract_event(
        broker, contract(created["id"], employer.business_id, 1, ContractIssued, contract_id=contract_id)
    )
    await placement_at(registry_app, contract_id, 1)
    r = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        headers=minter.headers(worker_principal(created["id"])),
        json=grievance(employer.business_id, anonymous=True, contract_id=str(contract_id)),
    )
    assert r.status_code == 201, r.text
    filed = r.json()
    assert (filed["status"], filed["channel"], filed["filed_by_role"]) == ("received", "worker", "worker")
    filed_at = datetime.fromisoformat(filed["filed_at"])
    assert datetime.fromisoformat(filed["acknowledge_by"]) - filed_at == timedelta(days=7)
    assert datetime.fromisoformat(filed["resolve_by"]) - filed_at == timedelta(days=30)
    assert not filed["acknowledgement_overdue"] and filed["steps"][0]["step"] == "received"

    [event] = await published.wait_for("registry.grievance.filed", filed["id"])
    assert (
        event.data["anonymous"] is True
        and event.data.get("worker_id") is None
        and event.data.get("contract_id") is None
    )
    assert event.data["business_id"] == str(employer.business_id)
    assert event.data["alleged_indicators"] == ["retention_of_identity_documents"]
    assert "Karim" not in event.to_json().decode()

    seen = (await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(employer))).json()
    assert seen["worker_id"] is None and seen["contract_id"] is None and seen["description"] is None
    assert seen["channel"] is None and seen["filed_by_role"] is None and seen["steps"] is None
    assert seen["alleged_indicators"] == ["retention_of_identity_documents"]
    assert created["id"] not in str(seen)


async def test_named_grievance_shows_the_worker_to_the_business_and_others_get_404(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(agency),
            json=grievance(employer.business_id),
        )
    ).json()
    assert filed["channel"] == "agency"
    seen = (await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(employer))).json()
    assert seen["worker_id"] == created["id"] and seen["description"].startswith("My passport")
    for outsider in (
        make_principal(Role.employer, business_id=uuid.uuid4()),
        new_agency(),
        worker_principal(uuid.uuid4()),
    ):
        assert (
            await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(outsider))
        ).status_code == 404
    assert (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(new_agency()),
            json=grievance(employer.business_id),
        )
    ).status_code == 404


async def test_anonymous_grievance_against_the_workers_own_agency_hides_the_filer_from_it(registry, minter, businesses):
    agency = await businesses.agency()
    created = await register(registry, minter, agency)
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json=grievance(agency.business_id, anonymous=True),
        )
    ).json()
    seen = (await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(agency))).json()
    assert seen["worker_id"] is None and seen["description"] is None


async def test_lifecycle_by_compliance_officers_records_who_and_when_and_emits(registry, minter, published, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer_id = await businesses.known(recruiting=agency)
    me = worker_principal(created["id"])
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances", headers=minter.headers(me), json=grievance(employer_id)
        )
    ).json()
    url = f"/v1/grievances/{filed['id']}"
    officer, second = make_principal(Role.compliance_officer), make_principal(Role.compliance_officer)
    for role in (Role.agency, Role.employer, Role.worker, Role.auditor, Role.admin):
        assert (
            await registry.patch(
                url, json={"status": "under_investigation"}, headers=minter.headers(make_principal(role))
            )
        ).status_code == 403
    assert (await registry.patch(url, json={"status": "resolved"}, headers=minter.headers(officer))).status_code == 409

    r = await registry.patch(url, json={"status": "under_investigation"}, headers=minter.headers(officer))
    assert r.status_code == 200 and r.json()["acknowledged_at"] and not r.json()["acknowledgement_overdue"]
    missing = await registry.patch(
        url, json={"status": "substantiated", "remedies": ["reimbursement"]}, headers=minter.headers(second)
    )
    assert missing.status_code == 422
    assert {(v["field"], v["rule"]) for v in missing.json()["violations"]} == {
        ("severity", "required"),
        ("remedies", "only_when_resolved"),
    }
    r = await registry.patch(
        url,
        headers=minter.headers(second),
        json={
            "status": "substantiated",
            "indicators": ["retention_of_identity_documents", "withholding_of_wages"],
            "severity": "critical",
            "decision_note": "Confirmed on site.",
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "substantiated"
    no_remedy = await registry.patch(url, json={"status": "resolved"}, headers=minter.headers(second))
    assert no_remedy.status_code == 422 and no_remedy.json()["violations"][0]["rule"] == "remedy_required"
    r = await registry.patch(
        url,
        headers=minter.headers(second),
        json={
            "status": "resolved",
            "remedies": ["reimbursement", "corrective_action"],
            "remedy_note": "Passport returned.",
        },
    )
    resolved = r.json()
    assert resolved["status"] == "resolved" and resolved["remedies"] == ["reimbursement", "corrective_action"]
    assert [(s["step"], s["actor"]) for s in resolved["steps"]] == [
        ("received", me.actor),
        ("under_investigation", officer.actor),
        ("substantiated", second.actor),
        ("resolved", second.actor),
    ]
    assert (
        await registry.patch(url, json={"status": "under_investigation"}, headers=minter.headers(officer))
    ).status_code == 409

    [substantiated] = await published.wait_for("registry.grievance.substantiated", filed["id"])
    assert substantiated.data["severity"] == "critical" and substantiated.data["worker_id"] == created["id"]
    assert substantiated.data["indicators"] == ["retention_of_identity_documents", "withholding_of_wages"]
    [done] = await published.wait_for("registry.grievance.resolved", filed["id"])
    assert done.data["substantiated"] is True and done.data["remedies"] == ["reimbursement", "corrective_action"]
    assert "Passport returned" not in done.to_json().decode()


async def test_unsubstantiated_grievance_is_emitted_and_escalation_is_recorded(registry, minter, published, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json=grievance(await businesses.known(recruiting=agency)),
        )
    ).json()
    url = f"/v1/grievances/{filed['id']}"
    officer = minter.headers(make_principal(Role.compliance_officer))
    r = await registry.patch(
        url, json={"escalated_to": "labour_inspectorate", "escalation_reference": "LI-2026-0412"}, headers=officer
    )
    assert (
        r.status_code == 200 and r.json()["escalated_to"] == "labour_inspectorate" and r.json()["status"] == "received"
    )
    assert (await registry.patch(url, json={"escalated_to": "embassy"}, headers=officer)).status_code == 409
    await registry.patch(url, json={"status": "under_investigation"}, headers=officer)
    await registry.patch(
        url, json={"status": "unsubstantiated", "decision_note": "No evidence found."}, headers=officer
    )
    r = await registry.patch(url, json={"status": "resolved", "remedies": ["referral"]}, headers=officer)
    assert r.json()["steps"][1]["step"] == "escalated"
    await published.wait_for("registry.grievance.unsubstantiated", filed["id"])
    [done] = await published.wait_for("registry.grievance.resolved", filed["id"])
    assert done.data["substantiated"] is False and done.data["escalated_to"] == "labour_inspectorate"


async def test_missed_deadlines_show_as_overdue(registry, registry_app, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json=grievance(await businesses.known(recruiting=agency)),
        )
    ).json()
    past = datetime.fromisoformat(filed["filed_at"]) - timedelta(days=1)
    async with registry_app.state.database.session() as s:
        await s.execute(
            update(Grievance).where(Grievance.id == uuid.UUID(filed["id"])).values(acknowledge_by=past, resolve_by=past)
        )
    officer = minter.headers(make_principal(Role.compliance_officer))
    seen = (await registry.get(f"/v1/grievances/{filed['id']}", headers=officer)).json()
    assert seen["acknowledgement_overdue"] is True and seen["resolution_overdue"] is True
    late = (
        await registry.patch(f"/v1/grievances/{filed['id']}", json={"status": "under_investigation"}, headers=officer)
    ).json()
    assert late["acknowledgement_overdue"] is True, "acknowledged after the deadline stays overdue on the record"


async def test_grievance_about_another_workers_fee_is_refused(registry, minter, businesses):
    agency = new_agency()
    mine, theirs = await register(registry, minter, agency), await register(registry, minter, new_agency())
    me = minter.headers(worker_principal(theirs["id"]))
    fee = (
        await registry.post(
            f"/v1/workers/{theirs['id']}/fees",
            headers=me,
            json={"category": "medical", "amount_minor": 500, "currency": "USD", "payment_method": "cash"},
        )
    ).json()
    r = await registry.post(
        f"/v1/workers/{mine['id']}/grievances",
        headers=minter.headers(worker_principal(mine["id"])),
        json=grievance(await businesses.known(recruiting=agency), fee_report_id=fee["id"]),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "fee_report_id"


async def test_overdue_queue_lists_late_grievances_and_a_business_sees_only_its_own(
    registry, registry_app, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    me = minter.headers(worker_principal(created["id"]))
    late = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances", headers=me, json=grievance(employer.business_id, anonymous=True)
        )
    ).json()
    on_time = (
        await registry.post(f"/v1/workers/{created['id']}/grievances", headers=me, json=grievance(employer.business_id))
    ).json()
    past = datetime.fromisoformat(late["filed_at"]) - timedelta(days=1)
    async with registry_app.state.database.session() as s:
        await s.execute(update(Grievance).where(Grievance.id == uuid.UUID(late["id"])).values(acknowledge_by=past))
    officer = minter.headers(make_principal(Role.compliance_officer))
    queue = await registry.get(
        "/v1/grievances", params={"overdue": "true", "business_id": str(employer.business_id)}, headers=officer
    )
    assert [g["id"] for g in queue.json()["items"]] == [late["id"]]
    theirs = await registry.get("/v1/grievances", headers=minter.headers(employer))
    assert [g["id"] for g in theirs.json()["items"]] == [late["id"], on_time["id"]]
    assert theirs.json()["items"][0]["worker_id"] is None and theirs.json()["items"][1]["worker_id"] == created["id"]
    other = make_principal(Role.employer, business_id=uuid.uuid4())
    assert (await registry.get("/v1/grievances", headers=minter.headers(other))).json()["items"] == []


async def test_a_grievance_description_keeps_its_lines_and_tabs_and_refuses_other_control_characters(
    registry, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    me = minter.headers(worker_principal(created["id"]))
    business = await businesses.known(recruiting=agency)
    written = "First, my passport was taken.\n\tThen my wages:\r\n- March\n- April"
    r = await registry.post(
        f"/v1/workers/{created['id']}/grievances", headers=me, json=grievance(business, description=written)
    )
    assert r.status_code == 201, r.text
    seen = await registry.get(f"/v1/grievances/{r.json()['id']}", headers=me)
    assert seen.json()["description"] == written
    refused = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        headers=me,
        json=grievance(business, description="Wages\x00 withheld"),
    )
    assert refused.status_code == 422
    assert [(v["field"], v["rule"]) for v in refused.json()["violations"]] == [("description", "control_character")]


async def test_anonymous_grievance_filed_by_the_worker_is_hidden_from_their_agency_but_not_from_officers(
    registry, minter, businesses
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    me = minter.headers(worker_principal(created["id"]))
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances", headers=me, json=grievance(employer.business_id, anonymous=True)
        )
    ).json()
    assert (await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(agency))).status_code == 404
    export = await registry.get(f"/v1/workers/{created['id']}/export", headers=minter.headers(agency))
    assert export.status_code == 200 and filed["id"] not in export.text
    officer = await registry.get(
        f"/v1/grievances/{filed['id']}", headers=minter.headers(make_principal(Role.compliance_officer))
    )
    assert officer.json()["worker_id"] == created["id"] and officer.json()["description"].startswith("My passport")
    assert filed["id"] in (await registry.get(f"/v1/workers/{created['id']}/export", headers=me)).text


async def test_a_named_grievance_the_worker_filed_stays_readable_by_their_agency(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    employer = await businesses.employer(recruiting=agency)
    filed = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=minter.headers(worker_principal(created["id"])),
            json=grievance(employer.business_id),
        )
    ).json()
    seen = await registry.get(f"/v1/grievances/{filed['id']}", headers=minter.headers(agency))
    assert seen.status_code == 200 and seen.json()["worker_id"] == created["id"]
