"""A recruitment from vetting to arrival, as its users go through it: every service a process, every
call through the gateway with the demo users' API keys, every hand-over between services an event.

The agency and the employer are vetted (four eyes), the employer posts a job order, the agency
drafts and issues a contract in the worker's language, the worker signs it, a compliance officer
verifies the arrival and finds a substituted contract, vetting suspends the employer on the
finding, and the auditor verifies every service's audit chain."""

import copy
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from fairpath.deploy.demo import job_order_body

from .conftest import LiveStack
from .test_launcher import poll_until


def poll(predicate: Callable[[], Any], message: str, timeout: float = 20.0) -> Any:
    return poll_until(predicate, timeout, message, interval=0.2)


class Users:
    def __init__(self, gateway: str, credentials: dict[str, Any]) -> None:
        self.gateway, self.credentials = gateway, credentials

    def __getattr__(self, username: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.gateway, timeout=20, headers={"X-API-Key": self.credentials["users"][username]["api_key"]}
        )


@pytest.fixture(scope="module")
def world(shared_stack: LiveStack) -> tuple[Users, dict[str, str]]:
    """The suite's shared stack, with the demo records (this journey vets the demo businesses itself)."""
    return Users(shared_stack.gateway, shared_stack.credentials), dict(shared_stack.demo)


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def vet(users: Users, business_id: str) -> None:
    """Opened by one compliance officer, approved by the other."""
    case = ok(users.compliance_officer.post(f"/v1/businesses/{business_id}/vetting-cases"), 201)
    ok(
        users.compliance_officer_2.post(
            f"/v1/vetting-cases/{case['id']}/decision",
            json={"decision": "approved", "reason": "licence and self-assessment in order"},
        )
    )


def terms(demo: dict[str, str], departure: date) -> dict:
    return {
        "parties": {
            "employer": {
                "business_id": demo["employer"],
                "legal_name": "Demo Employer Construction LLC",
                "address": "Plot 7, Industrial Area 2, Abu Dhabi",
            },
            "worker": {
                "worker_id": demo["worker"],
                "full_name": "Demo Worker",
                "address": "Ward 4, Pokhara",
                "nationality": "NP",
            },
            "recruiters": [
                {
                    "business_id": demo["recruitment_agency"],
                    "legal_name": "Demo Recruitment Agency Pvt Ltd",
                    "role": "origin_agency",
                    "country": "NP",
                }
            ],
        },
        "workplace": {"address": "Site 4, Saadiyat", "city": "Abu Dhabi", "country": "AE"},
        "job": {"title": "Mason", "occupation": "7112", "description": "Block laying", "sector": "F"},
        "period": {
            "departure_date": departure.isoformat(),
            "start_date": (departure + timedelta(days=2)).isoformat(),
            "term": "fixed_period",
            "duration_months": 24,
            "probation_days": 90,
        },
        "pay": {
            "amount": 200000,
            "currency": "AED",
            "period": "month",
            "calculation": "monthly basic wage",
            "payment_method": "bank_transfer",
            "overtime_rate_percent": 125,
            "deductions": [],
        },
        "hours": {"normal_hours_per_day": 8, "normal_hours_per_week": 48},
        "rest": {"weekly_rest_days": 1},
        "leave": {"paid_annual_leave_days": 21, "sick_leave_days": 14},
        "food_and_housing": {
            "food": {"provision": "cash_allowance", "cash_value": 30000},
            "housing": {"provision": "provided_free", "description": "shared room"},
        },
        "transport": {"to_and_from_point_of_hire_paid_by": "employer", "at_job_site_paid_by": "employer"},
        "medical": {
            "medical_care_paid_by": "employer",
            "insurance_paid_by": "employer",
            "insurance_description": "health insurance",
        },
        "termination": {
            "grounds": ["gross misconduct"],
            "employer_notice_days": 30,
            "worker_notice_days": 30,
            "worker_may_leave_without_penalty": True,
        },
        "repatriation": {"paid_by": "employer", "includes_repatriation_of_remains": True},
        "dispute_settlement": {
            "procedure": "Ministry of Human Resources",
            "grievance_contact": {"organisation": "Fairpath worker helpline", "phone": "+971 4000 0000"},
        },
        "fee_statement": [
            {
                "category": "recruitment_fee",
                "description": "agency service fee",
                "amount": 50000,
                "currency": "AED",
                "paid_by": "employer",
            }
        ],
        "document_custody": {"passport_kept_by": "worker", "identity_documents_kept_by": "worker"},
        "languages": {"worker_language": "ne", "destination_language": "ar", "prevailing": "ne"},
    }


def test_a_recruitment_from_vetting_to_a_substitution_finding(world):
    users, demo = world

    # Phase 1: both businesses vetted, the agency with its licence and self-assessment.
    ok(
        users.agency.post(
            f"/v1/businesses/{demo['recruitment_agency']}/licences",
            json={
                "number": "DOFE-1234-2025",
                "authority": "Department of Foreign Employment",
                "country": "NP",
                "valid_from": "2025-01-01",
                "valid_until": "2030-12-31",
            },
        ),
        201,
    )
    questions = ok(users.agency.get("/v1/assessment-questions"))["questions"]
    ok(
        users.agency.post(
            f"/v1/businesses/{demo['recruitment_agency']}/assessments",
            json={"answers": [{"question_id": q["id"], "answer": "compliant"} for q in questions]},
        ),
        201,
    )
    vet(users, demo["recruitment_agency"])
    vet(users, demo["employer"])
    assert ok(users.employer.get(f"/v1/businesses/{demo['employer']}"))["status"] == "approved"

    # The operator's minimum wage for the destination, with its source.
    ok(
        users.admin.put(
            "/v1/reference/minimum-wages",
            json={
                "items": [
                    {
                        "country": "AE",
                        "sector": "F",
                        "amount": 150000,
                        "currency": "AED",
                        "period": "month",
                        "source": "operator's corridor agreement (demo figure)",
                        "effective_from": "2026-01-01",
                    }
                ]
            },
        )
    )

    # The employer's job order under a service agreement with the agency (the employer pays every cost).
    order = ok(
        users.employer.post(
            "/v1/job-orders",
            json=job_order_body(
                demo["employer"], demo["recruitment_agency"], reference="DL-1", signed_on=date.today(), workers=3
            ),
        ),
        201,
    )

    # Phase 2: the contract, checked against what contracts learnt from vetting and the registry.
    draft = {
        "job_order_id": order["id"],
        "position_id": order["positions"][0]["id"],
        "terms": terms(demo, date.today() + timedelta(days=30)),
    }

    def checked():
        result = users.agency.post("/v1/contracts/check", json=draft).json()
        checked.last = result
        return result.get("passes") and not any(w["rule"] == "minimum_wage_unknown" for w in result["warnings"])

    try:
        poll(checked, "contracts to learn the approvals and the worker's consent")
    except AssertionError:
        raise AssertionError(f"last check: {checked.last}") from None
    contract = ok(users.agency.post("/v1/contracts", json=draft), 201)
    issued = ok(users.agency.post(f"/v1/contracts/{contract['id']}/issue"))
    document = users.worker.get(f"/v1/contracts/{contract['id']}/document", params={"format": "html", "lang": "ne"})
    assert document.status_code == 200 and "Demo Worker" in document.text
    signed = ok(
        users.worker.post(
            f"/v1/contracts/{contract['id']}/sign", json={"version": issued["current_version"], "method": "electronic"}
        )
    )
    assert signed["status"] == "signed"

    # Phase 3: on arrival the employer presents lower pay and keeps the passport.
    presented = copy.deepcopy(signed["terms"])
    presented["pay"]["amount"] = 150000
    presented["document_custody"]["passport_kept_by"] = "employer"
    finding = ok(
        users.compliance_officer.post(
            f"/v1/contracts/{contract['id']}/arrival-verification", json={"presented_terms": presented}
        )
    )
    assert finding["substitution_found"] is True

    # Vetting acts on contracts' finding: the employer is suspended at once.
    poll(
        lambda: users.auditor.get(f"/v1/businesses/{demo['employer']}").json()["status"] == "suspended",
        "the employer suspended on the substitution finding",
    )
    # The registry keeps the placement; the worker sees their own.
    placements = poll(
        lambda: users.worker.get(f"/v1/workers/{demo['worker']}/placements").json().get("items"),
        "the worker's placement",
    )
    assert placements[0]["contract_id"] == contract["id"]

    # A fee the worker reports is a finding against the agency.
    ok(
        users.worker.post(
            f"/v1/workers/{demo['worker']}/fees",
            json={
                "category": "medical",
                "amount_minor": 1500000,
                "currency": "NPR",
                "payment_method": "cash",
                "paid_to_business_id": demo["recruitment_agency"],
            },
        ),
        201,
    )
    poll(
        lambda: any(
            e["action"] == "finding.recorded"
            for e in users.auditor.get(
                f"/v1/businesses/{demo['recruitment_agency']}/history", params={"limit": 200}
            ).json()["items"]
        ),
        "the fee finding in the agency's history",
    )

    # The auditor verifies that no service's records were altered.
    for service in ("vetting", "contracts", "registry", "gateway"):
        verification = ok(users.auditor.get(f"/v1/audit/{service}/verify"))
        assert verification["valid"] is True, verification
    # And the auditor writes nothing.
    assert (
        users.auditor.post(
            "/v1/businesses",
            json={"kind": "employer", "legal_name": "X", "country": "AE", "registration_number": str(uuid.uuid4())[:8]},
        ).status_code
        == 403
    )
