"""Vetting's part of a business's compliance dossier, in one read: the business, the recruitment chain both ways
(an agency sees the employers naming it), the risk now with every factor's evidence, and the licences, findings,
vetting cases and screening hits, each whole and each record as its own endpoint gives it."""

import uuid

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .helpers import register, rescreened


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


async def _items_on_every_page(client, path: str, headers: dict, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
        r = await client.get(path, params=query, headers=headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        if not (cursor := r.json()["next_cursor"]):
            return items


async def test_the_business_and_its_licences_findings_cases_and_hits_whole_as_their_own_endpoints_give_them(
    vetting, minter
):
    admin = minter.headers(make_principal(Role.admin))
    name = f"Crescent Manpower Services {uuid.uuid4().hex[:6]}"
    watchlist = (
        await vetting.post("/v1/watchlists", json={"name": f"blocklist {name}", "kind": "blocklist"}, headers=admin)
    ).json()
    csv = f"id,name,country\nbl-{uuid.uuid4().hex[:8]},{name} Pvt Ltd,NP\n"
    loaded = await vetting.post(
        f"/v1/watchlists/{watchlist['id']}/imports", content=csv.encode(), headers={**admin, "content-type": "text/csv"}
    )
    assert loaded.status_code == 201, loaded.text
    await rescreened(vetting, admin, loaded.json())
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP", legal_name=name)
    licence = {
        "number": f"DOFE-{uuid.uuid4().hex[:6]}",
        "authority": "Department of Foreign Employment",
        "country": "NP",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
    }
    r = await vetting.post(f"/v1/businesses/{biz['id']}/licences", json=licence, headers=agency)
    assert r.status_code == 201, r.text
    # Five findings: more than one page of the findings' own endpoint (read here two at a time).
    questions = (await vetting.get("/v1/assessment-questions", headers=agency)).json()["questions"]
    answers = [{"question_id": q["id"], "answer": "non_compliant"} for q in questions[:5]]
    answers += [{"question_id": q["id"], "answer": "compliant"} for q in questions[5:]]
    r = await vetting.post(f"/v1/businesses/{biz['id']}/assessments", json={"answers": answers}, headers=agency)
    assert r.status_code == 201 and r.json()["findings"] == 5, r.text
    officer = minter.headers(make_principal(Role.compliance_officer))
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/vetting-cases", json={"reason": "initial vetting"}, headers=officer
    )
    assert r.status_code == 201, r.text

    auditor = minter.headers(make_principal(Role.auditor))
    r = await vetting.get(f"/v1/businesses/{biz['id']}/dossier", headers=auditor)
    assert r.status_code == 200, r.text
    dossier = r.json()
    assert dossier["business"] == (await vetting.get(f"/v1/businesses/{biz['id']}", headers=auditor)).json()
    assert dossier["licences"] == (await vetting.get(f"/v1/businesses/{biz['id']}/licences", headers=auditor)).json()
    assert len(dossier["licences"]) == 1
    findings = await _items_on_every_page(vetting, f"/v1/businesses/{biz['id']}/findings", auditor)
    assert dossier["findings"] == findings and len(findings) >= 5
    cases = await _items_on_every_page(vetting, "/v1/vetting-cases", auditor, business_id=biz["id"])
    assert dossier["vetting_cases"] == cases and len(cases) == 1
    hits = await _items_on_every_page(vetting, f"/v1/businesses/{biz['id']}/screening-hits", auditor)
    assert dossier["screening_hits"] == hits and len(hits) == 1
    assert dossier["risk"]["factors"] and dossier["recruitment_links"] == []
