"""What vetting gives a business's compliance dossier beyond its other reads: the recruitment chain both ways
(an agency sees the employers naming it) and the risk now, every factor with its evidence."""

import uuid

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .helpers import register


async def test_the_chain_both_ways_and_the_risk_with_its_evidence(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    employer = await register(vetting, agency)
    destination = await register(vetting, agency, kind="recruitment_agency", country="AE")
    origin = await register(vetting, agency, kind="recruitment_agency", country="NP")
    for body in ({"agency_id": destination["id"]}, {"agency_id": origin["id"], "sub_agent_of": destination["id"]}):
        r = await vetting.post(f"/v1/businesses/{employer['id']}/recruiters", json=body, headers=agency)
        assert r.status_code == 201, r.text
    auditor = minter.headers(make_principal(Role.auditor))

    def links(part: dict) -> list[tuple[str, str, str | None]]:
        return [(x["employer_id"], x["agency_id"], x["sub_agent_of"]) for x in part["recruitment_links"]]

    of_employer = (await vetting.get(f"/v1/businesses/{employer['id']}/dossier", headers=auditor)).json()
    assert links(of_employer) == [
        (employer["id"], destination["id"], None),
        (employer["id"], origin["id"], destination["id"]),
    ]
    assert of_employer["risk"]["factors"] and all(f["evidence"] for f in of_employer["risk"]["factors"])
    # The agency an origin agency sub-contracts for sees both links: its own and its sub-agent's.
    of_destination = (await vetting.get(f"/v1/businesses/{destination['id']}/dossier", headers=auditor)).json()
    assert links(of_destination) == links(of_employer)
    of_origin = (await vetting.get(f"/v1/businesses/{origin['id']}/dossier", headers=auditor)).json()
    assert links(of_origin) == [(employer["id"], origin["id"], destination["id"])]
    assert any(f["factor"] == "licence" for f in of_origin["risk"]["factors"])


async def test_only_auditors_and_compliance_officers_and_an_unknown_business_is_404(vetting, minter):
    agency = make_principal(Role.agency)
    employer = await register(vetting, minter.headers(agency))
    for principal, status in (
        (make_principal(Role.compliance_officer), 200),
        (make_principal(Role.admin), 403),
        (agency, 403),
        (make_principal(Role.employer, business_id=uuid.UUID(employer["id"])), 403),
    ):
        r = await vetting.get(f"/v1/businesses/{employer['id']}/dossier", headers=minter.headers(principal))
        assert r.status_code == status, (principal.role, r.text)
    unknown = await vetting.get(
        f"/v1/businesses/{uuid.uuid4()}/dossier", headers=minter.headers(make_principal(Role.auditor))
    )
    assert unknown.status_code == 404
