"""The compliance dossier of businesses whose records were made through the API on the shared stack (SQLite and
PostgreSQL): each service read once, all at once, by the gateway, findings of each kind the services raise, the
records in the shape of their own endpoints, the erased worker as a marker, the anonymous grievance without a
worker, the CSV, the read audited, the roles.

Screening hits are left out here: a screening starts the matching processes (a minute on a busy machine); the
gateway's own tests show hits in the dossier, and vetting's tests the hits themselves."""

import copy
import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from .conftest import LiveStack
from .test_launcher import poll_until
from .test_tenancy_matrix import made_up_name, make_tenant, ok


def dossier(client: httpx.Client, business_id: str, **params: str) -> httpx.Response:
    return client.get(f"/v1/compliance/businesses/{business_id}", params=params)


@pytest.fixture(scope="module")
def recorded(shared_stack: LiveStack) -> dict[str, Any]:
    """One tenant (vetted agency and employer, a worker, an issued contract, a fee, a grievance; see the tenancy
    matrix), then: a non-compliant self-assessment, the contract signed and found substituted on arrival, an
    anonymous grievance under investigation, and a second worker's fee before that worker was erased."""
    run = uuid.uuid4().hex[:6]
    r, headers = make_tenant(shared_stack, 1, run, made_up_name())
    gw = shared_stack.gateway
    ag = httpx.Client(base_url=gw, timeout=30, headers=headers["ag"])
    em = httpx.Client(base_url=gw, timeout=30, headers=headers["em"])
    wk = httpx.Client(base_url=gw, timeout=30, headers=headers["wk"])
    with ag, em, wk, shared_stack.client("compliance_officer") as co:
        questions = ok(em.get("/v1/assessment-questions"))["questions"]
        answers = [{"question_id": q["id"], "answer": "compliant"} for q in questions]
        answers[0]["answer"] = "non_compliant"
        ok(em.post(f"/v1/businesses/{r['employer']}/assessments", json={"answers": answers}), 201)

        contract = ok(wk.get(f"/v1/contracts/{r['contract']}"))
        signed = ok(
            wk.post(
                f"/v1/contracts/{r['contract']}/sign",
                json={"version": contract["current_version"], "method": "electronic"},
            )
        )
        presented = copy.deepcopy(signed["terms"])
        presented["pay"]["amount"] = 150000
        verification = ok(
            co.post(f"/v1/contracts/{r['contract']}/arrival-verification", json={"presented_terms": presented})
        )
        assert verification["substitution_found"] is True

        anonymous = ok(
            wk.post(
                f"/v1/workers/{r['worker']}/grievances",
                json={
                    "business_id": r["employer"],
                    "anonymous": True,
                    "alleged_indicators": ["retention_of_identity_documents"],
                    "description": "My passport was taken on arrival.",
                },
            ),
            201,
        )
        ok(co.patch(f"/v1/grievances/{anonymous['id']}", json={"status": "under_investigation"}))
        r["anonymous_grievance"] = anonymous["id"]

        r["erased_fee"] = ok(
            ag.post(
                f"/v1/workers/{r['spare_worker']}/fees",
                json={
                    "category": "recruitment_fee",
                    "amount_minor": 9000000,
                    "currency": "NPR",
                    "payment_method": "loan",
                    "paid_to_business_id": r["agency"],
                },
            ),
            201,
        )["id"]
        r["erased_at"] = ok(
            co.post(f"/v1/workers/{r['spare_worker']}/erasure", json={"request_reference": f"DSR-{run}"})
        )["erased_at"]
    return r


def test_the_employers_dossier_holds_each_services_records(shared_stack: LiveStack, recorded):
    r = recorded
    with shared_stack.client("auditor") as auditor:
        # Vetting learns of the substitution from contracts' event: the finding arrives soon after.
        def substituted() -> dict | None:
            found = ok(dossier(auditor, r["employer"]))
            kinds = {f["kind"] for findings in found["findings_by_principle"].values() for f in findings}
            return found if "contract_substitution" in kinds else None

        d = poll_until(substituted, 30, "the substitution finding in the employer's dossier", interval=0.3)
        # Vetting's records as their own endpoints give them.
        assert d["licences"] == ok(auditor.get(f"/v1/businesses/{r['employer']}/licences"))
    assert d["complete"] is True and d["missing"] == []
    assert d["business"]["id"] == r["employer"]
    assert [link["agency_id"] for link in d["recruitment_chain"]["recruiters"]] == [r["agency"]]
    kinds = {f["kind"] for findings in d["findings_by_principle"].values() for f in findings}
    assert {"self_assessment_non_compliant", "contract_substitution"} <= kinds
    case = next(c for c in d["vetting_cases"] if c["id"] == r["case"])
    assert case["decision"] == "approved" and case["decision_reason"] and case["decided_by"] and case["decided_at"]
    assert d["risk"]["factors"] and all(f["evidence"] for f in d["risk"]["factors"])
    assert d["screening_hits"] == []
    assert d["contracts"]["by_status"]["disputed"] == 1 and d["contracts"]["total"] >= 2
    finding = d["contracts"]["substitution_findings"][0]
    assert finding["contract_id"] == r["contract"] and finding["worker"]["worker_id"] == r["worker"]
    assert finding["changes"] and all({"field", "signed", "presented"} <= set(c) for c in finding["changes"])
    assert any(c["field"] == "terms.pay.amount" for c in finding["changes"]), finding["changes"]
    grievances = {g["id"]: g for g in d["grievances"]["items"]}
    anonymous = grievances[r["anonymous_grievance"]]
    assert anonymous["worker"] is None and r["worker"] not in str(anonymous)
    assert anonymous["steps"][0]["actor"] is None and anonymous["steps"][1]["step"] == "under_investigation"
    assert grievances[r["grievance"]]["worker"]["worker_id"] == r["worker"]
    assert d["grievances"]["by_indicator"]["retention_of_identity_documents"]["alleged"] == 1
    sections = {e["section"] for e in d["timeline"]}
    assert {"business", "recruitment_chain", "findings", "vetting_cases", "contracts", "grievances"} <= sections


def test_the_agencys_dossier_shows_the_erased_worker_as_a_marker_with_its_date(shared_stack: LiveStack, recorded):
    r = recorded
    with shared_stack.client("compliance_officer") as officer:
        d = ok(dossier(officer, r["agency"]))
    assert [link["employer_id"] for link in d["recruitment_chain"]["recruits_for"]] == [r["employer"]]
    assert d["licences"][0]["register_status"] in ("unverified", "verified")
    fees = {f["id"]: f for f in d["fee_reports"]["items"]}
    erased = fees[r["erased_fee"]]["worker"]
    assert erased["worker_id"] == r["spare_worker"] and erased["erased"] is True
    assert erased["erased_at"][:19] == r["erased_at"][:19]
    assert fees[r["fee"]]["worker"]["erased"] is False
    assert d["fee_reports"]["by_category"]["recruitment_fee"]["by_reimbursement_status"] == {"owed": 1}
    assert any(e["event"] == "worker_erased" and e["record_id"] == r["spare_worker"] for e in d["timeline"])


def test_the_dossier_as_csv_and_every_read_in_the_gateways_audit_chain(shared_stack: LiveStack, recorded):
    r = recorded
    with shared_stack.client("compliance_officer") as officer:
        assert dossier(officer, r["agency"]).status_code == 200
    with shared_stack.client("auditor") as auditor:
        response = dossier(auditor, r["agency"], format="csv")
        assert response.status_code == 200, response.text
        day = datetime.now(UTC).date().isoformat()
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="dossier-') and disposition.endswith(f'-{day}.csv"')
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {"business", "recruitment_chain", "licences", "fee_reports", "timeline"} <= {x["section"] for x in rows}
        assert any(x["section"] == "fee_reports" and x["worker_id"] == r["spare_worker"] for x in rows)
        reads = ok(auditor.get("/v1/audit/gateway/records", params={"record_id": r["agency"], "limit": 500}))
    audited = [e for e in reads["items"] if e["action"] == "dossier.read"]
    # The officer's read and the auditor's (who, which business, when).
    assert {e["actor"].split(":")[0] for e in audited} >= {"compliance_officer", "auditor"}
    assert all(e["record_type"] == "business" and e["occurred_at"] for e in audited)


@pytest.mark.parametrize("user", ["admin", "agency", "employer"])
def test_other_roles_may_not_read_a_dossier(shared_stack: LiveStack, recorded, user):
    with shared_stack.client(user) as client:
        assert dossier(client, recorded["employer"]).status_code == 403
