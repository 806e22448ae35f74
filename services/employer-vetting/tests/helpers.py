"""Small builders shared by the vetting tests."""

import uuid

from fairpath.common.testing.nats import wait_until


def business_body(**overrides):
    return {
        "kind": "employer",
        "legal_name": "Gulf Horizon Construction LLC",
        "country": "AE",
        "registration_number": f"CN-{uuid.uuid4().hex[:10]}",
    } | overrides


async def register(client, headers, **overrides) -> dict:
    r = await client.post("/v1/businesses", json=business_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def ids_on_every_page(client, path: str, headers: dict, page_size: int = 2, **params) -> list[str]:
    """The ids of every item of a cursor-paged list, page after page, in the order the pages give them."""
    ids, cursor = [], None
    while True:
        r = await client.get(
            path, params=params | {"limit": page_size} | ({"cursor": cursor} if cursor else {}), headers=headers
        )
        assert r.status_code == 200, r.text
        ids += [item["id"] for item in r.json()["items"]]
        if not (cursor := r.json()["next_cursor"]):
            return ids


async def rescreened(client, headers, job: dict) -> dict:
    """An import job once its background re-screening is over, as `GET /v1/imports/{id}` shows it: the next
    steps of a test then never race the re-screening."""

    async def over():
        r = await client.get(f"/v1/imports/{job['id']}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json() if r.json()["rescreening"] not in ("pending", "running") else None

    # The first screening of a test session starts the matching worker (and loads logic-v2's data there).
    return await wait_until(over, timeout=180, message="the import's re-screening")
