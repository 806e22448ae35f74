"""Demo records for `./fairpath up`: the demo agency's and the demo employer's business records,
registered through the gateway as the admin and linked to their organisations, and a demo worker
registered by the agency, whose login then opens that record. Everything is fictional; running
it again finds the records already there."""

import json
from pathlib import Path
from typing import Any

import httpx

from fairpath.common.auth import Role

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
        for p in ("registration", "employment_contract", "data_sharing_with_employer")
    ],
}


def seed_demo_worker(var_dir: Path, gateway_url: str, credentials: dict[str, Any]) -> str:
    """Register the demo worker as the agency, and point the worker login at the record."""
    headers = {"X-API-Key": credentials["users"]["agency"]["api_key"]}
    with httpx.Client(base_url=gateway_url, headers=headers, timeout=15) as client:
        response = client.post("/v1/workers", json=DEMO_WORKER)
    if response.status_code == 201:
        worker_id = response.json()["id"]
    elif response.status_code == 409 and "existing_id" in response.json():
        worker_id = response.json()["existing_id"]
    else:
        raise RuntimeError(f"could not register the demo worker: HTTP {response.status_code} {response.text[:200]}")
    path = var_dir / "gateway-identities.json"
    identities = json.loads(path.read_text())
    for user in identities["users"]:
        if user["role"] == Role.worker and user.get("worker_id") != worker_id:
            user["worker_id"] = worker_id
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(identities, indent=2))
            tmp.chmod(0o600)
            tmp.replace(path)  # the gateway notices the change and reloads
    return worker_id


def seed_demo_businesses(var_dir: Path, gateway_url: str, credentials: dict[str, Any]) -> dict[str, str]:
    """Return {kind: business id} for the demo agency and employer."""
    identities = json.loads((var_dir / "gateway-identities.json").read_text())
    organization_of = {org["kind"]: org["id"] for org in identities["organizations"]}
    headers = {"X-API-Key": credentials["users"]["admin"]["api_key"]}
    seeded: dict[str, str] = {}
    with httpx.Client(base_url=gateway_url, headers=headers, timeout=15) as client:
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
    return seeded
