"""Demo records for `./fairpath up`: the demo agency's and the demo employer's business records,
registered through the gateway as the admin and linked to their organisations, the agency named as the
employer's recruiter (the recruitment relationship that lets each name the other in a job order), then vetted and
approved the way any business is (the agency with a valid operating licence; a case opened by one
compliance officer and decided by the other), and a demo worker registered by the agency, whose
login the admin then links to that record through the admin API. Everything is fictional; running it
again finds the records already there."""

import time
from datetime import date, timedelta
from typing import Any

import httpx

from fairpath.common.services import ALL_SERVICES
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


# Work waiting for each role in a fresh demo: a job order the agency can draft contracts from; a fictional
# sanctions list and a business registered under a name close to one listed on it, so a potential hit waits for an
# officer, with a vetting case opened by one officer for the other to decide; and a signed checkpoint of each
# service's audit chain for the auditor.
DEMO_JOB_ORDER_REFERENCE = "DEMO-JO-1"
DEMO_WATCHLIST = {"name": "Demo sanctions list (fictional)", "kind": "sanctions", "source": "Fairpath demo data"}
DEMO_LISTED = "id,name,aliases,country\nDEMO-S-1,Gulf Star Manpower Supply,Gulf Star Manpower,AE\n"
DEMO_UNDER_REVIEW = {
    "kind": "recruitment_agency",
    "legal_name": "Gulf Star Manpower Supplies LLC",
    "country": "AE",
    "registration_number": "DEMO-REVIEW-0001",
    "sector": "N",
}


def seed_demo_work(gateway_url: str, credentials: dict[str, Any], demo: dict[str, str]) -> dict[str, str]:
    """Return {"job_order": id, "under_review": business id}; running it again finds the records there."""

    def client(user: str) -> httpx.Client:
        return _client(gateway_url, credentials, user, timeout=30)

    with client("employer") as employer, client("admin") as admin, client("compliance_officer") as officer:
        seeded = {"job_order": _demo_job_order(employer, demo)}
        _demo_watchlist(admin)
        seeded["under_review"] = _demo_business_under_review(admin, officer)
        for service in (spec.name for spec in ALL_SERVICES):  # each keeps its own audit chain
            signed = officer.post(f"/v1/audit/{service}/checkpoints")
            if signed.status_code not in (200, 201, 409):
                raise RuntimeError(
                    f"could not sign a {service} checkpoint: HTTP {signed.status_code} {signed.text[:200]}"
                )
    return seeded


def job_order_body(
    employer_id: str, agency_id: str, *, reference: str, signed_on: date, workers: int = 10
) -> dict[str, Any]:
    """A job order for masons in the UAE under a service agreement with the agency, the employer paying every
    cost: the demo's, and the one the tests post."""
    return {
        "employer_id": employer_id,
        "destination_country": "AE",
        "sector": "F",
        "reference": reference,
        "service_agreements": [
            {"agency_id": agency_id, "signed_on": signed_on.isoformat(), "employer_pays_all_costs": True}
        ],
        "positions": [
            {
                "occupation": "7112",
                "title": "Mason",
                "number_of_workers": workers,
                "offered": {
                    "pay_amount": 200000,
                    "currency": "AED",
                    "pay_period": "month",
                    "normal_hours_per_day": 8,
                    "normal_hours_per_week": 48,
                    "weekly_rest_days": 1,
                    "paid_annual_leave_days": 21,
                    "duration_months": 24,
                    "housing": "provided_free",
                    "food": "cash_allowance",
                },
            }
        ],
    }


def _demo_job_order(employer: httpx.Client, demo: dict[str, str]) -> str:
    listed = employer.get("/v1/job-orders", params={"limit": 100}).json()["items"]
    for job_order in listed:
        if job_order.get("reference") == DEMO_JOB_ORDER_REFERENCE:
            return job_order["id"]
    body = job_order_body(
        demo["employer"],
        demo["recruitment_agency"],
        reference=DEMO_JOB_ORDER_REFERENCE,
        signed_on=utcnow().date() - timedelta(days=7),
    )
    response = employer.post("/v1/job-orders", json=body)
    if response.status_code != 201:
        raise RuntimeError(f"could not post the demo job order: HTTP {response.status_code} {response.text[:200]}")
    return response.json()["id"]


def _demo_watchlist(admin: httpx.Client) -> None:
    listed = admin.get("/v1/watchlists", params={"limit": 200}).json()["items"]
    if any(watchlist["name"] == DEMO_WATCHLIST["name"] for watchlist in listed):
        return
    created = admin.post("/v1/watchlists", json=DEMO_WATCHLIST)
    if created.status_code != 201:
        raise RuntimeError(f"could not create the demo watchlist: HTTP {created.status_code} {created.text[:200]}")
    loaded = admin.post(
        f"/v1/watchlists/{created.json()['id']}/imports",
        params={"format": "csv", "mode": "replace"},
        content=DEMO_LISTED.encode(),
        headers={"content-type": "text/csv"},
    )
    if loaded.status_code not in (200, 201, 202):
        raise RuntimeError(f"could not load the demo watchlist: HTTP {loaded.status_code} {loaded.text[:200]}")


def _demo_business_under_review(admin: httpx.Client, officer: httpx.Client) -> str:
    """Registered after the list is loaded, so its screening finds the listed name; a case is opened by one
    officer, for the other to decide once the hit is resolved."""
    response = admin.post("/v1/businesses", json=DEMO_UNDER_REVIEW)
    if response.status_code == 201:
        business_id = response.json()["id"]
    elif response.status_code == 409 and "existing_id" in response.json():
        return response.json()["existing_id"]  # screened and opened when it was registered
    else:
        raise RuntimeError(f"could not register the demo business under review: HTTP {response.status_code}")
    screened = officer.post(f"/v1/businesses/{business_id}/screenings")
    if screened.status_code != 201:
        raise RuntimeError(f"could not screen the demo business under review: HTTP {screened.status_code}")
    opened = officer.post(f"/v1/businesses/{business_id}/vetting-cases", json={"reason": "demo: initial vetting"})
    if opened.status_code not in (201, 409):
        raise RuntimeError(f"could not open the demo vetting case: HTTP {opened.status_code} {opened.text[:200]}")
    return business_id
