"""Demo records for `./fairpath up`: the demo agency's and the demo employer's business records,
registered through the gateway as the admin and linked to their organisations, so that their
users can act for them at once. Registering again finds the records already there."""

import json
from pathlib import Path
from typing import Any

import httpx

DEMO_BUSINESSES = {
    "recruitment_agency": {"legal_name": "Demo Recruitment Agency Pvt Ltd", "country": "NP",
                           "registration_number": "DEMO-AGENCY-0001", "sector": "N"},
    "employer": {"legal_name": "Demo Employer Construction LLC", "country": "AE",
                 "registration_number": "DEMO-EMPLOYER-0001", "sector": "F"},
}


def seed_demo_businesses(var_dir: Path, gateway_url: str, credentials: dict[str, Any]) -> dict[str, str]:
    """Return {kind: business id} for the demo agency and employer."""
    identities = json.loads((var_dir / "gateway-identities.json").read_text())
    organization_of = {org["kind"]: org["id"] for org in identities["organizations"]}
    headers = {"X-API-Key": credentials["users"]["admin"]["api_key"]}
    seeded: dict[str, str] = {}
    with httpx.Client(base_url=gateway_url, headers=headers, timeout=15) as client:
        for kind, body in DEMO_BUSINESSES.items():
            response = client.post("/v1/businesses", json={"kind": kind, **body, "organization_id": organization_of[kind]})
            if response.status_code == 201:
                seeded[kind] = response.json()["id"]
            elif response.status_code == 409 and "existing_id" in response.json():
                seeded[kind] = response.json()["existing_id"]
            else:
                raise RuntimeError(f"could not register the demo {kind}: HTTP {response.status_code} {response.text[:200]}")
    return seeded
