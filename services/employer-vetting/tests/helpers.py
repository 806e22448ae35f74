"""Small builders shared by the vetting tests."""

import uuid


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
