"""A business's contracts as the compliance dossier reads them: counts by status, and every substitution
finding with its changed terms, for the employer and for its recruiter alike."""

import copy

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal


async def test_counts_by_status_and_each_substitution_finding_for_the_employer_and_its_agency(world):
    p = await world.parties()
    signed = await p.signed()
    await p.issued()
    await p.contract()
    presented = copy.deepcopy(signed["terms"])
    presented["pay"]["amount"] = 150000
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": presented}, as_=world.officer)
    assert r.status_code == 200 and r.json()["substitution_found"] is True

    for business in (p.employer, p.agency):
        got = await world.client.get(
            "/v1/contracts/dossier", params={"business_id": str(business)}, headers=world.headers(world.auditor)
        )
        assert got.status_code == 200, got.text
        part = got.json()
        assert part["by_status"] == {"disputed": 1, "issued": 1, "draft": 1} and part["total"] == 3
        [finding] = part["substitution_findings"]
        assert (finding["contract_id"], finding["worker_id"], finding["worker_erased"]) == (
            signed["id"], str(p.worker), False,
        )  # fmt: skip
        assert {c["field"]: c["change"] for c in finding["changes"]}["terms.pay.amount"] == "less_favourable"
        assert finding["verified_by"].startswith("compliance_officer:")


async def test_only_auditors_and_compliance_officers_read_it(world):
    p = await world.parties()
    for principal, status in (
        (make_principal(Role.compliance_officer), 200),
        (make_principal(Role.admin), 403),
        (p.employer_user, 403),
        (p.agency_user, 403),
        (p.worker_user, 403),
    ):
        r = await world.client.get(
            "/v1/contracts/dossier", params={"business_id": str(p.employer)}, headers=world.headers(principal)
        )
        assert r.status_code == status, (principal.role, r.text)
