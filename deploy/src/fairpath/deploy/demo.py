"""Demo records for `./fairpath up`: the demo agency's and the demo employer's business records,
registered through the gateway as the admin and linked to their organisations, the agency named as the
employer's recruiter (the recruitment relationship that lets each name the other in a job order), then vetted and
approved the way any business is (the agency with a valid operating licence; a case opened by one
compliance officer and decided by the other), and a demo worker registered by the agency, whose
login the admin then links to that record through the admin API. Everything is fictional; running it
again finds the records already there."""

import time
from datetime import timedelta
from typing import Any

import httpx

from fairpath.common.timeutil import utcnow

# How long the gateway may take to learn of the demo worker from the registry's event.
WORKER_KNOWN_TIMEOUT = 30.0

DEMO_BUSINESSES = {
    "recruitment_agency": {
        "legal_name": "Demo Recruitment Agency Pvt Ltd",
        "country": "NP",
        "registration_number": "DEMO-AGENCY-0001",
        "sector": "N",
    },
    "employer": {
        "legal_name": "Demo Employer Construction LLC",
        "country": "AE",
        "registration_number": "DEMO-EMPLOYER-0001",
        "sector": "F",
    },
}


DEMO_WORKER = {
    "full_name": "Demo Worker",
    "date_of_birth": "1995-03-14",
    "sex": "female",
    "nationality": "NP",
    "identity_document": {"kind": "passport", "number": "DEMO0000001", "issuing_country": "NP"},
    "languages": [{"language": "ne", "proficiency": "native"}, {"language": "en", "proficiency": "basic"}],
    "skills": [{"occupation": "7112", "level": "skilled", "years_experience": 5}],
    "consents": [
        {"purpose": p, "method": "written_signature", "language": "ne"}
        for p in ("registration", "employment_contract")  # the demo employer sees the worker once it holds a contract
    ],
}


def _client(gateway_url: str, credentials: dict[str, Any], user: str, timeout: float = 15) -> httpx.Client:
    return httpx.Client(
        base_url=gateway_url, timeout=timeout, headers={"X-API-Key": credentials["users"][user]["api_key"]}
    )


def _me(gateway_url: str, credentials: dict[str, Any], user: str) -> dict[str, Any]:
    with _client(gateway_url, credentials, user) as client:
        response = client.get("/v1/me")
    if response.status_code != 200:
        raise RuntimeError(f"the demo {user} cannot sign in: HTTP {response.status_code} {response.text[:200]}")
    return response.json()


def seed_demo_worker(gateway_url: str, credentials: dict[str, Any]) -> str:
    """Register the demo worker as the agency, and link the worker's login to the record (as the admin)."""
    with _client(gateway_url, credentials, "agency") as agency:
        response = agency.post("/v1/workers", json=DEMO_WORKER)
    if response.status_code == 201:
        worker_id = response.json()["id"]
    elif response.status_code == 409 and "existing_id" in response.json():
        worker_id = response.json()["existing_id"]
    else:
        raise RuntimeError(f"could not register the demo worker: HTTP {response.status_code} {response.text[:200]}")
    login = _me(gateway_url, credentials, "worker")
    if login["worker_id"] == worker_id:
        return worker_id
    deadline = time.monotonic() + WORKER_KNOWN_TIMEOUT
    with _client(gateway_url, credentials, "admin") as admin:
        while True:
            # 422 until the registry's event has told the gateway that the worker exists.
            linked = admin.patch(f"/v1/admin/users/{login['user_id']}", json={"worker_id": worker_id})
            if linked.status_code == 200:
                return worker_id
            if linked.status_code != 422 or time.monotonic() > deadline:
                raise RuntimeError(
                    f"could not link the demo worker's login: HTTP {linked.status_code} {linked.text[:200]}"
                )
            time.sleep(0.2)


def seed_demo_businesses(gateway_url: str, credentials: dict[str, Any]) -> dict[str, str]:
    """Return {kind: business id} for the demo agency and employer, the agency named as the employer's recruiter."""
    organization_of = {
        kind: _me(gateway_url, credentials, user)["organization"]["id"]
        for kind, user in (("recruitment_agency", "agency"), ("employer", "employer"))
    }
    seeded: dict[str, str] = {}
    with _client(gateway_url, credentials, "admin") as client:
        for kind, body in DEMO_BUSINESSES.items():
            response = client.post(
                "/v1/businesses", json={"kind": kind, **body, "organization_id": organization_of[kind]}
            )
            if response.status_code == 201:
                seeded[kind] = response.json()["id"]
            elif response.status_code == 409 and "existing_id" in response.json():
                seeded[kind] = response.json()["existing_id"]
            else:
                raise RuntimeError(
                    f"could not register the demo {kind}: HTTP {response.status_code} {response.text[:200]}"
                )
        _link_demo_recruiter(client, seeded)
    return seeded


def _link_demo_recruiter(admin: httpx.Client, demo: dict[str, str]) -> None:
    """The demo agency recruits for the demo employer: without the link neither may name the other in a job
    order. Running it again finds the link already there (409)."""
    response = admin.post(
        f"/v1/businesses/{demo['employer']}/recruiters", json={"agency_id": demo["recruitment_agency"]}
    )
    if response.status_code not in (201, 409):
        raise RuntimeError(
            f"could not name the demo agency the demo employer's recruiter: HTTP {response.status_code} "
            f"{response.text[:200]}"
        )


APPROVED = ("approved", "conditionally_approved")
DEMO_LICENCE = {"number": "DEMO-LICENCE-0001", "authority": "Department of Foreign Employment", "country": "NP"}


def vet_demo_businesses(gateway_url: str, credentials: dict[str, Any], demo: dict[str, str]) -> dict[str, str]:
    """Approve the demo agency and employer through four eyes, as a new user would; returns {kind: status}.

    A business already approved is left as it is; one that cannot be approved now (a screening hit
    waiting for an officer, say) keeps its status, which `up` prints."""

    def client(user: str) -> httpx.Client:
        return _client(gateway_url, credentials, user, timeout=30)

    statuses: dict[str, str] = {}
    with client("agency") as agency, client("compliance_officer") as opener, client("compliance_officer_2") as decider:
        for kind, business_id in demo.items():
            status = opener.get(f"/v1/businesses/{business_id}").json()["status"]
            if status not in APPROVED:
                if kind == "recruitment_agency":
                    _give_licence(agency, business_id)
                _approve(opener, decider, business_id)
                status = opener.get(f"/v1/businesses/{business_id}").json()["status"]
            statuses[kind] = status
    return statuses


def _give_licence(agency: httpx.Client, business_id: str) -> None:
    licences = agency.get(f"/v1/businesses/{business_id}/licences").json()
    items = licences["items"] if isinstance(licences, dict) else licences
    if any(licence["number"] == DEMO_LICENCE["number"] for licence in items):
        return
    today = utcnow().date()
    body = DEMO_LICENCE | {
        "valid_from": (today - timedelta(days=365)).isoformat(),
        "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
    }
    response = agency.post(f"/v1/businesses/{business_id}/licences", json=body)
    if response.status_code not in (201, 409):
        raise RuntimeError(f"could not record the demo licence: HTTP {response.status_code} {response.text[:200]}")


def _approve(opener: httpx.Client, decider: httpx.Client, business_id: str) -> None:
    opened = opener.post(f"/v1/businesses/{business_id}/vetting-cases", json={"reason": "demo: initial vetting"})
    if opened.status_code == 201:
        case_id = opened.json()["id"]
    elif opened.status_code == 409 and "existing_id" in opened.json():
        case_id = opened.json()["existing_id"]  # a case left open by an earlier run
    else:
        return
    decider.post(
        f"/v1/vetting-cases/{case_id}/decision",
        json={"decision": "approved", "reason": "demo: licence and records in order"},
    )
