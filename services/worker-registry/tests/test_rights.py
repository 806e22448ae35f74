"""Data-subject rights: the export holds the whole record; erasure pseudonymises, keeps the compliance
facts, leaves the audit chain verifiable and is emitted; it is the worker's right: the worker, or the
operator on the worker's recorded request, never an agency."""

import json
import uuid

import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.registry.fees.tables import FeeReport
from fairpath.registry.grievances.tables import Grievance
from fairpath.registry.workers.tables import Worker, WorkerLanguage

from .conftest import audit_entries, new_agency, register, worker_body, worker_principal

FEE = {
    "category": "travel_lodging",
    "amount_minor": 42_000,
    "currency": "USD",
    "payment_method": "cash",
    "evidence": [{"kind": "receipt", "reference": "scan-1"}],
}


async def worker_with_history(registry, minter, businesses):
    agency = new_agency()
    body = worker_body(full_name="Maya Rai Erasable")
    created = await register(registry, minter, agency, **body)
    me = minter.headers(worker_principal(created["id"]))
    fee = (await registry.post(f"/v1/workers/{created['id']}/fees", json=FEE, headers=me)).json()
    grievance = (
        await registry.post(
            f"/v1/workers/{created['id']}/grievances",
            headers=me,
            json={
                "business_id": str(await businesses.known(recruiting=agency)),
                "description": "Maya's passport was kept.",
                "alleged_indicators": ["retention_of_identity_documents"],
            },
        )
    ).json()
    return agency, body, created, fee, grievance


async def test_export_holds_the_whole_record(registry, minter, businesses):
    agency, body, created, fee, grievance = await worker_with_history(registry, minter, businesses)
    r = await registry.get(
        f"/v1/workers/{created['id']}/export", headers=minter.headers(worker_principal(created["id"]))
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    export = r.json()
    assert export["worker"]["full_name"] == "Maya Rai Erasable"
    assert export["worker"]["identity_document"]["number"] == body["identity_document"]["number"]
    assert [c["purpose"] for c in export["consents"]] == ["registration"]
    assert [f["id"] for f in export["fee_reports"]] == [fee["id"]] and export["fee_reports"][0]["evidence"]
    assert [g["id"] for g in export["grievances"]] == [grievance["id"]]
    assert export["placements"] == [] and export["retaliation_findings"] == []
    assert (
        await registry.get(f"/v1/workers/{created['id']}/export", headers=minter.headers(agency))
    ).status_code == 200
    assert (
        await registry.get(f"/v1/workers/{created['id']}/export", headers=minter.headers(new_agency()))
    ).status_code == 404
    assert (
        await registry.get(f"/v1/workers/{created['id']}/export", headers=minter.headers(make_principal(Role.employer)))
    ).status_code == 403


async def test_erasure_pseudonymises_keeps_compliance_facts_and_the_audit_chain_verifies(
    registry, registry_app, minter, published, businesses
):
    agency, body, created, fee, grievance = await worker_with_history(registry, minter, businesses)
    r = await registry.post(
        f"/v1/workers/{created['id']}/erasure",
        json={"reason": "data_subject_request"},
        headers=minter.headers(worker_principal(created["id"])),
    )
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["pseudonym"].startswith("W-") and "fee_reports" in receipt["kept"]

    seen = (await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))).json()
    assert seen["status"] == "erased" and seen["pseudonym"] == receipt["pseudonym"]
    assert seen["full_name"] is None and seen["identity_document"] is None and seen["languages"] == []

    wid = uuid.UUID(created["id"])
    async with registry_app.state.database.session(read_only=True) as s:
        worker = await s.get(Worker, wid)
        assert (
            worker.full_name_sealed is None and worker.document_number_sealed is None and worker.document_hash is None
        )
        assert worker.phone_sealed is None and worker.date_of_birth_sealed is None
        assert (await s.execute(select(WorkerLanguage).where(WorkerLanguage.worker_id == wid))).first() is None
        kept_fee = await s.get(FeeReport, uuid.UUID(fee["id"]))
        kept_grievance = await s.get(Grievance, uuid.UUID(grievance["id"]))
    assert kept_fee.amount_minor == 42_000 and kept_fee.finding and kept_fee.evidence_sealed is None
    assert (
        kept_grievance.alleged_indicators == ["retention_of_identity_documents"]
        and kept_grievance.description_sealed is None
    )

    officer = minter.headers(make_principal(Role.compliance_officer))
    assert (await registry.get(f"/v1/grievances/{grievance['id']}", headers=officer)).json()["worker_id"] == created[
        "id"
    ]
    verify = await registry.get("/v1/audit/registry/verify", headers=minter.headers(make_principal(Role.auditor)))
    assert verify.status_code == 200 and verify.json()["valid"] is True

    [event] = await published.wait_for("registry.worker.erased", created["id"])
    assert set(event.data) == {"version", "worker_id", "erased_at"}

    assert (
        await registry.post(
            f"/v1/workers/{created['id']}/erasure", json={"request_reference": "DSR-2026-0001"}, headers=officer
        )
    ).status_code == 409
    assert (
        await registry.patch(
            f"/v1/workers/{created['id']}", json={"phone": "+9779800000003"}, headers=minter.headers(agency)
        )
    ).status_code == 409
    # The document may be registered again: nothing of it is left to match.
    again = await registry.post(
        "/v1/workers", json=worker_body(identity_document=body["identity_document"]), headers=minter.headers(agency)
    )
    assert again.status_code == 201


async def test_an_agency_may_not_erase_a_worker_not_even_its_own(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    url = f"/v1/workers/{created['id']}/erasure"
    for caller in (agency, new_agency(), make_principal(Role.employer), make_principal(Role.auditor)):
        r = await registry.post(url, json={"request_reference": "DSR-2026-0002"}, headers=minter.headers(caller))
        assert r.status_code == 403, (caller.role, r.text)
    assert (await registry.post(url, headers=minter.headers(worker_principal(uuid.uuid4())))).status_code == 404
    seen = await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))
    assert seen.json()["status"] == "active" and seen.json()["full_name"] == "Sita Gurung"


@pytest.mark.parametrize("role", [Role.compliance_officer, Role.admin])
async def test_the_operator_erases_only_on_a_recorded_request_whose_reference_is_audited_as_a_digest(
    registry, registry_app, minter, role
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    url = f"/v1/workers/{created['id']}/erasure"
    operator = make_principal(role)
    for body in ({"reason": "data_subject_request"}, None):
        r = await registry.post(url, json=body, headers=minter.headers(operator))
        assert r.status_code == 422, r.text
        assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("request_reference", "required")]
    assert (await registry.get(f"/v1/workers/{created['id']}", headers=minter.headers(agency))).json()[
        "status"
    ] == "active"

    r = await registry.post(
        url,
        json={"reason": "data_subject_request", "request_reference": "DSR-2026-0117"},
        headers=minter.headers(operator),
    )
    assert r.status_code == 200, r.text
    [entry] = await audit_entries(registry_app, created["id"], "worker.erased")
    assert entry["actor"] == operator.actor
    assert "request_reference" in {change["field"] for change in entry["changes"]}
    assert "DSR-2026-0117" not in json.dumps(dict(entry), default=str)


async def test_the_worker_erases_their_own_record_without_a_reference(registry, minter):
    created = await register(registry, minter, new_agency())
    r = await registry.post(
        f"/v1/workers/{created['id']}/erasure", headers=minter.headers(worker_principal(created["id"]))
    )
    assert r.status_code == 200, r.text
    assert r.json()["worker_id"] == created["id"]
