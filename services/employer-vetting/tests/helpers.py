"""Small builders shared by the vetting tests."""

import uuid


def business_body(**overrides):  # noqa: ANN003, ANN201
    return {"kind": "employer", "legal_name": "Gulf Horizon Construction LLC", "country": "AE",
            "registration_number": f"CN-{uuid.uuid4().hex[:10]}"} | overrides


async def register(client, headers, **overrides) -> dict:  # noqa: ANN001
    r = await client.post("/v1/businesses", json=business_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()
