"""The registry's part of a business's compliance dossier, in one read (`GET /v1/grievances/dossier`): its fee
reports and grievances, pseudonymous, without anyone's words, an erased worker as an erasure marker with its
date, an anonymous grievance with no worker."""

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import new_agency, register, worker_principal


def fee(business_id, category: str = "recruitment_fee") -> dict:
    return {
        "category": category,
        "amount_minor": 1500000,
        "currency": "NPR",
        "payment_method": "cash",
        "paid_to_business_id": str(business_id),
        "evidence": [{"kind": "receipt", "reference": "doc-1", "description": "paid to Mr Karim"}],
    }


async def test_a_business_fees_and_grievances_are_pseudonymous_with_erasure_markers(registry, minter, businesses):
    agency = new_agency()
    employer = await businesses.employer(recruiting=agency)
    kept = await register(registry, minter, agency)
    erased = await register(registry, minter, agency)
    for worker in (kept, erased):
        r = await registry.post(
            f"/v1/workers/{worker['id']}/fees", headers=minter.headers(agency), json=fee(employer.business_id)
        )
        assert r.status_code == 201, r.text
    filed = {}
    for anonymous in (True, False):
        r = await registry.post(
            f"/v1/workers/{kept['id']}/grievances",
            headers=minter.headers(worker_principal(kept["id"])),
            json={
                "business_id": str(employer.business_id),
                "anonymous": anonymous,
                "alleged_indicators": ["withholding_of_wages"],
                "description": "Mr Karim kept two months of my wages.",
            },
        )
        assert r.status_code == 201, r.text
        filed[anonymous] = r.json()["id"]
    erasure = await registry.post(
        f"/v1/workers/{erased['id']}/erasure", headers=minter.headers(worker_principal(erased["id"])), json={}
    )
    assert erasure.status_code == 200, erasure.text

    auditor = minter.headers(make_principal(Role.auditor))
    r = await registry.get("/v1/grievances/dossier", params={"business_id": str(employer.business_id)}, headers=auditor)
    assert r.status_code == 200, r.text
    dossier = r.json()
    assert dossier["business_id"] == str(employer.business_id)
    workers = {item["worker"]["worker_id"]: item["worker"] for item in dossier["fee_reports"]}
    assert workers[erased["id"]]["erased"] is True
    assert workers[erased["id"]]["erased_at"] == erasure.json()["erased_at"]
    assert workers[kept["id"]] == {"worker_id": kept["id"], "nationality": "NP", "erased": False, "erased_at": None}
    assert {item["reimbursement_status"] for item in dossier["fee_reports"]} == {"owed"}
    assert "evidence" not in dossier["fee_reports"][0]
    items = {item["id"]: item for item in dossier["grievances"]}
    anonymous, named = items[filed[True]], items[filed[False]]
    assert anonymous["worker"] is None and anonymous["steps"] == [
        {"step": "received", "actor": None, "at": anonymous["steps"][0]["at"]}
    ]
    assert named["worker"] == workers[kept["id"]] and named["steps"][0]["actor"].startswith("worker:")
    assert anonymous["acknowledgement_deadline_met"] is None and anonymous["resolution_deadline_met"] is None
    assert "Karim" not in r.text
    # Nothing about another business.
    other = await registry.get(
        "/v1/grievances/dossier", params={"business_id": str(agency.business_id)}, headers=auditor
    )
    assert other.json() == {"business_id": str(agency.business_id), "fee_reports": [], "grievances": []}


async def test_only_auditors_and_compliance_officers_read_a_business_dossier_part(registry, minter, businesses):
    employer = await businesses.employer()
    path = "/v1/grievances/dossier"
    for role, status in ((Role.compliance_officer, 200), (Role.admin, 403), (Role.agency, 403)):
        r = await registry.get(
            path, params={"business_id": str(employer.business_id)}, headers=minter.headers(make_principal(role))
        )
        assert r.status_code == status, (role, r.text)
    r = await registry.get(path, params={"business_id": str(employer.business_id)}, headers=minter.headers(employer))
    assert r.status_code == 403
    missing = await registry.get(path, headers=minter.headers(make_principal(Role.auditor)))
    assert missing.status_code == 422 and missing.json()["violations"][0]["field"] == "business_id"
