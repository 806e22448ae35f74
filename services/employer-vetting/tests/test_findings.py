"""Review reopened on an approved business shows on the business, and the findings behind it are readable.

A confirmed sanctions match suspends at once; another confirmed hit reopens review and the business stays
approved (it may still contract) with `review_open: true` and the open case named, in GET and in lists,
for the business itself and for the auditors. The findings against a business are a cursor page for every
role that may read the business. The same holds whether the hit came from a re-screening or from the
screening of a case."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.screening.schemas import ScreeningTrigger
from fairpath.vetting.screening.service import SYSTEM_ACTOR, screen_business

from .helpers import ids_on_every_page, register
from .test_cases import approve, open_case
from .test_screening import OFFICER, ftm, hits, resolve, watchlist_with, word

AUDITOR = make_principal(Role.auditor)


async def open_cases(app, business_id) -> list[str]:
    async with app.state.database.session(read_only=True) as s:
        rows = await s.execute(
            select(VettingCase.id).where(
                VettingCase.business_id == uuid.UUID(business_id), VettingCase.status == "open"
            )
        )
        return [str(i) for i in rows.scalars()]


async def approved_agency(client, minter, name: str) -> tuple[dict, dict]:
    """An agency's business, approved through a case; with the headers of its own agency user."""
    agency = make_principal(Role.agency)
    biz = await register(client, minter.headers(agency), kind="recruitment_agency", country="NP", legal_name=name)
    await approve(client, minter, biz["id"])
    return biz, minter.headers(agency)


async def confirm_only_hit(client, minter, business_id) -> dict:
    [hit] = await hits(client, minter, business_id, status="potential")
    confirmed = await resolve(client, minter, hit["id"], "confirmed")
    assert confirmed.status_code == 200, confirmed.text
    return hit


async def test_a_confirmed_debarment_hit_from_a_rescreen_keeps_the_business_approved_with_review_open_for_all(
    vetting, vetting_app, minter
):
    a, b = word(), word()
    biz, own = await approved_agency(vetting, minter, f"{a} {b} Petroleum LLC")
    auditor = minter.headers(AUDITOR)
    before = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert before["review_open"] is False and before["open_case_id"] is None

    # The list changes after the approval: the business is re-screened against the new entry.
    await watchlist_with(vetting, minter, ftm(f"d-{a}", f"{a} {b} Petroleum"), kind="debarment")
    hit = await confirm_only_hit(vetting, minter, biz["id"])

    [case_id] = await open_cases(vetting_app, biz["id"])
    for headers in (own, auditor, minter.headers(OFFICER)):
        got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=headers)).json()
        assert (got["status"], got["review_open"], got["open_case_id"]) == ("approved", True, case_id)
    listed = (await vetting.get("/v1/businesses", params={"review_open": "true", "limit": 200}, headers=own)).json()
    assert [(x["id"], x["review_open"], x["open_case_id"]) for x in listed["items"]] == [(biz["id"], True, case_id)]
    not_listed = await ids_on_every_page(vetting, "/v1/businesses", own, page_size=50, review_open="false")
    assert biz["id"] not in not_listed

    page = (await vetting.get(f"/v1/businesses/{biz['id']}/findings", headers=auditor)).json()
    match = [f for f in page["items"] if f["kind"] == "screening_match"]
    assert [
        (f["principle"], f["severity"], f["source"], f["source_ref"], f["status"], f["evidence"]["entity_id"])
        for f in match
    ] == [("B", "high", "vetting", hit["id"], "open", f"d-{a}")]
    assert match[0]["created_at"] and match[0]["evidence"]["watchlist_kind"] == "debarment"
    # The business sees why it is reviewed, not which listed entity it matched.
    own_view = (await vetting.get(f"/v1/businesses/{biz['id']}/findings", headers=own)).json()
    assert [f["evidence"] for f in own_view["items"] if f["kind"] == "screening_match"] == [
        {"watchlist_kind": "debarment"}
    ]

    # Deciding the reopened case closes the review.
    decided = await vetting.post(
        f"/v1/vetting-cases/{case_id}/decision",
        json={"decision": "approved", "reason": "the debarment ended; evidence reviewed"},
        headers=minter.headers(make_principal(Role.compliance_officer)),
    )
    assert decided.status_code == 200, decided.text
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == ("approved", False, None)


async def test_a_confirmed_sanctions_hit_from_a_scheduled_rescreen_suspends_and_opens_review_in_one_version(
    vetting, vetting_app, minter
):
    a, b = word(), word()
    await watchlist_with(vetting, minter, ftm(f"s-{a}", f"{a} {b} Manpower Services"), kind="sanctions")
    own = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, own, kind="recruitment_agency", country="NP", legal_name=f"{a} {b} Manpower")
    async with vetting_app.state.database.session() as s:  # approved earlier, before the entry was listed
        await s.execute(
            update(Business)
            .where(Business.id == uuid.UUID(biz["id"]))
            .values(status="approved", approval_expires_at=utcnow() + timedelta(days=300))
        )
    async with vetting_app.state.database.session() as s:  # what the scheduled re-screening does for it
        business = await s.get(Business, uuid.UUID(biz["id"]))
        [raised] = await screen_business(
            s, vetting_app.state.ledger, business=business, actor=SYSTEM_ACTOR, trigger=ScreeningTrigger.scheduled
        )
    approved = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert (approved["status"], approved["review_open"]) == ("approved", False)  # a potential hit only
    hit = await confirm_only_hit(vetting, minter, biz["id"])
    assert hit["id"] == str(raised.id)

    [case_id] = await open_cases(vetting_app, biz["id"])
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == ("suspended", True, case_id)
    assert got["version"] == approved["version"] + 1  # suspended and reopened in one change
    findings = (await vetting.get(f"/v1/businesses/{biz['id']}/findings", headers=own)).json()["items"]
    assert [(f["kind"], f["severity"], f["source_ref"]) for f in findings] == [
        ("screening_match", "critical", hit["id"])
    ]


@pytest.mark.parametrize("kind,status", [("sanctions", "suspended"), ("blocklist", "approved")])
async def test_a_confirmed_hit_from_a_case_screening_of_an_approved_business_shows_its_case(
    vetting, vetting_app, minter, kind, status
):
    a, b = word(), word()
    biz, own = await approved_agency(vetting, minter, f"{a} {b} Recruiters")
    await watchlist_with(vetting, minter, ftm(f"c-{a}", f"{a} {b} Recruiters Ltd"), kind=kind)
    async with vetting_app.state.database.session(read_only=True) as s:
        assert (await s.get(Business, uuid.UUID(biz["id"]))).open_case_id is None
    # Re-vetting: an officer opens a case on the approved business, which screens it at once.
    case, _ = await open_case(vetting, minter, biz["id"])
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == ("approved", True, case["id"])
    await confirm_only_hit(vetting, minter, biz["id"])
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=own)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == (status, True, case["id"])
    assert await open_cases(vetting_app, biz["id"]) == [case["id"]]


async def test_findings_are_a_cursor_page_for_whoever_may_read_the_business_and_404_beyond_reach(vetting, minter):
    agency = make_principal(Role.agency)
    biz = await register(vetting, minter.headers(agency), kind="recruitment_agency", country="NP")
    questions = (await vetting.get("/v1/assessment-questions", headers=minter.headers(agency))).json()["questions"]
    answers = [{"question_id": q["id"], "answer": "non_compliant"} for q in questions[:5]]
    answers += [{"question_id": q["id"], "answer": "compliant"} for q in questions[5:]]
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/assessments", json={"answers": answers}, headers=minter.headers(agency)
    )
    assert r.status_code == 201 and r.json()["findings"] == 5
    path = f"/v1/businesses/{biz['id']}/findings"
    employer_of_it = make_principal(Role.employer, business_id=uuid.UUID(biz["id"]))
    for reader in (agency, AUDITOR, OFFICER, make_principal(Role.admin), employer_of_it):
        ids = await ids_on_every_page(vetting, path, minter.headers(reader), page_size=2)
        assert len(ids) == 5 and ids == sorted(ids)
    first = (await vetting.get(path, headers=minter.headers(agency))).json()["items"][0]
    assert set(first) >= {
        "kind",
        "principle",
        "severity",
        "source",
        "source_ref",
        "evidence",
        "status",
        "created_at",
    }
    assert (first["kind"], first["source"], first["status"]) == ("self_assessment_non_compliant", "vetting", "open")
    stranger = await vetting.get(path, headers=minter.headers(make_principal(Role.agency)))
    unknown = await vetting.get(f"/v1/businesses/{uuid.uuid4()}/findings", headers=minter.headers(agency))
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json()["type"] == unknown.json()["type"] == "urn:fairpath:problem:not_found"
    assert (await vetting.get(path, headers=minter.headers(make_principal(Role.worker)))).status_code == 403


async def test_a_business_under_initial_review_names_its_case(vetting, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency)
    case, _ = await open_case(vetting, minter, biz["id"])
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=agency)).json()
    assert (got["status"], got["review_open"], got["open_case_id"]) == ("under_review", True, case["id"])
