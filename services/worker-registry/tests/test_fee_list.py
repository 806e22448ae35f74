"""`GET /v1/workers/{id}/fees`: a worker's fee reports, paged, for whoever may read the worker's record (the worker,
their agency, the operator's officers and auditors); 404 outside reach; a read by others than the worker's side is
an audit entry."""

import uuid

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import audit_entries, new_agency, register, worker_principal
from .test_fees import fee


async def _reported(registry, minter, agency, worker_id: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        r = await registry.post(
            f"/v1/workers/{worker_id}/fees",
            json=fee(amount_minor=1_000 + n),
            headers=minter.headers(worker_principal(worker_id)),
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


async def test_the_worker_lists_their_fee_reports_page_by_page_without_evidence(registry, minter):
    agency = new_agency()
    created = await register(registry, minter, agency)
    reported = await _reported(registry, minter, agency, created["id"], 3)
    me = minter.headers(worker_principal(created["id"]))
    first = await registry.get(f"/v1/workers/{created['id']}/fees", params={"limit": 2}, headers=me)
    assert first.status_code == 200, first.text
    assert [f["id"] for f in first.json()["items"]] == reported[:2] and first.json()["next_cursor"]
    second = await registry.get(
        f"/v1/workers/{created['id']}/fees", params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=me
    )
    assert [f["id"] for f in second.json()["items"]] == reported[2:] and second.json()["next_cursor"] is None
    item = first.json()["items"][0]
    assert (item["amount_minor"], item["currency"], item["reimbursement_status"]) == (1_000, "NPR", "owed")
    assert item["evidence"] is None, "the evidence is read one report at a time"


async def test_agency_officer_and_auditor_list_a_workers_fees_and_their_reads_are_audited(
    registry, registry_app, minter
):
    agency = new_agency()
    created = await register(registry, minter, agency)
    await _reported(registry, minter, agency, created["id"], 1)
    officer = make_principal(Role.compliance_officer)
    for reader in (agency, officer, make_principal(Role.auditor)):
        r = await registry.get(f"/v1/workers/{created['id']}/fees", headers=minter.headers(reader))
        assert r.status_code == 200 and len(r.json()["items"]) == 1, r.text
    actors = [e.actor for e in await audit_entries(registry_app, created["id"], "worker.fees_read")]
    assert officer.actor in actors and agency.actor not in actors


async def test_fees_of_a_worker_outside_reach_are_404_as_for_no_worker(registry, minter):
    created = await register(registry, minter, new_agency())
    await _reported(registry, minter, new_agency(), created["id"], 1)
    for outsider in (
        new_agency(),
        worker_principal(uuid.uuid4()),
        make_principal(Role.employer, business_id=uuid.uuid4()),
    ):
        r = await registry.get(f"/v1/workers/{created['id']}/fees", headers=minter.headers(outsider))
        assert r.status_code == 404, r.text
    missing = await registry.get(f"/v1/workers/{uuid.uuid4()}/fees", headers=minter.headers(new_agency()))
    assert missing.status_code == 404
