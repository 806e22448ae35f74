"""Who sees which contracts: the parties their own, the worker theirs once issued, auditors everything;
the configured notice before departure; warnings kept on the contract."""

import uuid

import pytest

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal


async def test_each_party_lists_only_its_contracts_and_the_worker_all_of_theirs(world):
    a, b = await world.parties(), await world.parties()
    draft_a = await a.contract()
    issued_a = await a.issued()
    issued_b = await b.issued()

    async def ids(principal, **params) -> set[str]:
        r = await world.client.get("/v1/contracts", params=params, headers=world.headers(principal))
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["items"]}

    assert await ids(a.agency_user) == {draft_a["id"], issued_a["id"]}
    assert await ids(a.employer_user) == {draft_a["id"], issued_a["id"]}
    assert await ids(a.worker_user) == {draft_a["id"], issued_a["id"]}
    assert {draft_a["id"], issued_a["id"], issued_b["id"]} <= await ids(world.auditor)
    assert await ids(world.auditor, status="draft", job_order_id=a.order["id"]) == {draft_a["id"]}
    assert await ids(make_principal(Role.agency, business_id=uuid.uuid4())) == set()


async def test_contract_lists_page_with_a_cursor(world):
    p = await world.parties(workers=5)
    made = [(await p.contract())["id"] for _ in range(3)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "job_order_id": p.order["id"]} | ({"cursor": cursor} if cursor else {})
        page = (await world.client.get("/v1/contracts", params=params, headers=world.headers(p.agency_user))).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made


async def test_an_auditor_reads_a_contract_and_its_versions_but_changes_nothing(world):
    p = await world.parties()
    created = await p.contract()
    assert (
        await world.client.get(f"/v1/contracts/{created['id']}", headers=world.headers(world.auditor))
    ).status_code == 200
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}", json={"terms": {}}, headers=world.headers(world.auditor)
    )
    assert r.status_code == 403
    assert (await p.post(created["id"], "issue", as_=world.auditor)).status_code == 403


async def test_another_employer_gets_404_for_a_contract_it_is_not_party_to(world):
    p = await world.parties()
    created = await p.contract()
    other = make_principal(Role.employer, business_id=uuid.uuid4())
    assert (await world.client.get(f"/v1/contracts/{created['id']}", headers=world.headers(other))).status_code == 404
    assert (await p.post(created["id"], "issue", as_=other)).status_code == 404


async def test_the_days_before_departure_are_configured_by_the_operator(world, contracts_app):
    p = await world.parties()
    created = await p.contract()  # departs in 30 days
    settings = contracts_app.state.settings
    saved = settings.issue_days_before_departure
    settings.issue_days_before_departure = 45
    try:
        r = await p.post(created["id"], "issue")
        assert r.status_code == 409 and "45 days before departure" in r.json()["detail"]
    finally:
        settings.issue_days_before_departure = saved


async def test_a_missing_minimum_wage_row_is_a_warning_kept_on_the_contract(world):
    p = await world.parties()
    created = await p.contract()
    assert "minimum_wage_unknown" in {w["rule"] for w in created["warnings"]}
    versions = (
        await world.client.get(f"/v1/contracts/{created['id']}/versions", headers=world.headers(p.agency_user))
    ).json()["items"]
    assert "minimum_wage_unknown" in {w["rule"] for w in versions[0]["warnings"]}


@pytest.mark.parametrize("path", ["/v1/contracts", "/v1/job-orders", "/v1/reference/minimum-wages"])
async def test_every_route_needs_a_principal(world, path):
    assert (await world.client.get(path)).status_code == 401
