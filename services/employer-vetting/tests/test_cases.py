"""Vetting cases: four eyes, decisions, risk factors, expiry and missed deadlines as scheduled jobs."""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import Role
from fairpath.common.clock import CLOCK
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.vetting.businesses.tables import Business
from fairpath.vetting.cases.tables import VettingCase
from fairpath.vetting.findings.service import findings_of
from fairpath.vetting.review import jobs
from fairpath.vetting.screening.tables import Screening

from .helpers import ids_on_every_page, register, rescreened

OPERATOR_ORG = uuid.uuid4()


def officer():
    return make_principal(Role.compliance_officer, organization_id=OPERATOR_ORG)


async def open_case(client, minter, business_id, opener=None):
    opener = opener or officer()
    r = await client.post(
        f"/v1/businesses/{business_id}/vetting-cases",
        json={"reason": "initial vetting"},
        headers=minter.headers(opener),
    )
    assert r.status_code == 201, r.text
    return r.json(), opener


async def approve(client, minter, business_id, decision="approved", **extra):
    case, _ = await open_case(client, minter, business_id)
    body = {"decision": decision, "reason": "evidence reviewed"} | extra
    r = await client.post(f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer()))
    assert r.status_code == 200, r.text
    return r.json()


async def outbox_subjects(app, business_id):
    outbox = app.state.ledger.outbox
    async with app.state.database.session(read_only=True) as s:
        rows = (await s.execute(select(outbox.c.subject, outbox.c.body).order_by(outbox.c.id))).all()
    return [r.subject for r in rows if str(business_id).encode() in r.body]


async def test_the_opener_may_not_decide_and_another_officer_approves(vetting, vetting_app, minter):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    case, opener = await open_case(vetting, minter, biz["id"])
    assert (await vetting.get(f"/v1/businesses/{biz['id']}", headers=minter.headers(opener))).json()[
        "status"
    ] == "under_review"

    body = {"decision": "approved", "reason": "all evidence in order"}
    mine = await vetting.post(f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(opener))
    assert mine.status_code == 403 and mine.json()["type"] == "urn:fairpath:problem:four_eyes"
    assert "opened" in mine.json()["detail"]

    decided = await vetting.post(
        f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer())
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    assert decided.json()["risk_at_decision"]["band"] in ("low", "medium", "high", "critical")
    business = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=minter.headers(opener))).json()
    assert business["status"] == "approved"
    expires = datetime.fromisoformat(business["approval_expires_at"])
    assert timedelta(days=360) < expires - datetime.now(UTC) < timedelta(days=370)
    assert await outbox_subjects(vetting_app, biz["id"]) == [
        "vetting.business.registered",
        "vetting.business.updated",
        "vetting.business.approved",
    ]

    again = await vetting.post(f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer()))
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body,rule",
    [
        ({"decision": "conditionally_approved", "reason": "r"}, "conditions_required"),
        ({"decision": "conditionally_approved", "reason": "r", "conditions": ["x"]}, "deadline_required"),
        ({"decision": "rejected", "reason": "r", "conditions": ["x"]}, "conditions_not_allowed"),
        ({"decision": "maybe", "reason": "r"}, "enum"),
    ],
)
async def test_decision_input_is_validated(vetting, minter, body, rule):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    case, _ = await open_case(vetting, minter, biz["id"])
    r = await vetting.post(f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer()))
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == rule


async def test_only_compliance_officers_open_and_decide_and_one_case_at_a_time(vetting, minter):
    agency = make_principal(Role.agency)
    biz = await register(vetting, minter.headers(agency))
    for role in (Role.agency, Role.admin, Role.auditor):
        r = await vetting.post(
            f"/v1/businesses/{biz['id']}/vetting-cases", headers=minter.headers(make_principal(role))
        )
        assert r.status_code == 403
    case, _ = await open_case(vetting, minter, biz["id"])
    second = await vetting.post(f"/v1/businesses/{biz['id']}/vetting-cases", headers=minter.headers(officer()))
    assert second.status_code == 409 and second.json()["existing_id"] == case["id"]
    missing = await vetting.post(f"/v1/businesses/{uuid.uuid4()}/vetting-cases", headers=minter.headers(officer()))
    assert missing.status_code == 404


async def test_case_shows_every_risk_factor_with_points_and_evidence(vetting, minter):
    admin = minter.headers(make_principal(Role.admin))
    country = "KW"
    await vetting.put(
        "/v1/reference/country-risk",
        json={
            "rows": [
                {"country": country, "points": 20, "source": "operator review", "as_of": "2026-06-01"},
                {
                    "country": country,
                    "sector": "T",
                    "points": 30,
                    "source": "domestic work review",
                    "as_of": "2026-06-01",
                },
            ]
        },
        headers=admin,
    )
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country=country, sector="T")
    answers = [
        {"question_id": q["id"], "answer": "non_compliant" if q["id"] == "D1" else "compliant"}
        for q in (await vetting.get("/v1/assessment-questions", headers=agency)).json()["questions"]
    ]
    await vetting.post(f"/v1/businesses/{biz['id']}/assessments", json={"answers": answers}, headers=agency)
    case, _ = await open_case(vetting, minter, biz["id"])
    view = (
        await vetting.get(f"/v1/vetting-cases/{case['id']}", headers=minter.headers(make_principal(Role.auditor)))
    ).json()
    factors = {f["factor"]: f for f in view["risk"]["factors"]}
    assert factors["country_sector_risk"]["points"] == 30 and "KW/T" in factors["country_sector_risk"]["evidence"]
    assert factors["licence"]["points"] == 25 and "no operating licence" in factors["licence"]["evidence"]
    assert "licence_missing" not in factors  # the finding is scored once, by the licence factor
    assert factors["self_assessment_non_compliant"]["points"] > 0
    assert view["risk"]["score"] == sum(f["points"] for f in view["risk"]["factors"])
    assert view["risk"]["band"] == "high"
    assert (await vetting.get(f"/v1/vetting-cases/{case['id']}", headers=agency)).status_code == 403
    history = (await vetting.get(f"/v1/businesses/{biz['id']}/history", headers=agency)).json()["items"]
    assert [e["action"] for e in history].count("finding.recorded") == 2  # D1, and no valid licence at opening


async def set_deadlines(app, business_id, **values):
    async with app.state.database.session() as s:
        await s.execute(update(Business).where(Business.id == uuid.UUID(business_id)).values(**values))


async def status_of(app, business_id):
    async with app.state.database.session(read_only=True) as s:
        return (await s.get(Business, uuid.UUID(business_id))).status


async def test_an_approval_expires_once_even_with_two_schedulers_racing(vetting, vetting_app, minter):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    await approve(vetting, minter, biz["id"])
    await set_deadlines(vetting_app, biz["id"], approval_expires_at=datetime.now(UTC) - timedelta(minutes=1))
    database, ledger = vetting_app.state.database, vetting_app.state.ledger
    await asyncio.gather(jobs.expire_approvals(database, ledger), jobs.expire_approvals(database, ledger))
    assert await status_of(vetting_app, biz["id"]) == "expired"
    assert (await outbox_subjects(vetting_app, biz["id"])).count("vetting.business.expired") == 1


async def test_a_missed_condition_deadline_suspends(vetting, vetting_app, minter):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    await approve(
        vetting,
        minter,
        biz["id"],
        decision="conditionally_approved",
        conditions=["submit the renewed licence"],
        condition_deadline=deadline,
    )
    assert await status_of(vetting_app, biz["id"]) == "conditionally_approved"
    # Before the deadline: nothing happens.
    await jobs.suspend_missed_deadlines(vetting_app.state.database, vetting_app.state.ledger)
    assert await status_of(vetting_app, biz["id"]) == "conditionally_approved"
    await set_deadlines(vetting_app, biz["id"], condition_deadline=datetime.now(UTC) - timedelta(seconds=1))
    await jobs.suspend_missed_deadlines(vetting_app.state.database, vetting_app.state.ledger)
    assert await status_of(vetting_app, biz["id"]) == "suspended"
    assert (await outbox_subjects(vetting_app, biz["id"]))[-1] == "vetting.business.suspended"


async def test_a_past_condition_deadline_is_refused(vetting, minter):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    case, _ = await open_case(vetting, minter, biz["id"])
    r = await vetting.post(
        f"/v1/vetting-cases/{case['id']}/decision",
        json={
            "decision": "conditionally_approved",
            "reason": "r",
            "conditions": ["x"],
            "condition_deadline": "2020-01-01T00:00:00Z",
        },
        headers=minter.headers(officer()),
    )
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "condition_deadline"


async def test_a_decision_waits_until_every_potential_hit_is_resolved(vetting, minter):
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
    biz = await register(
        vetting, minter.headers(make_principal(Role.agency)), kind="recruitment_agency", country="NP", legal_name=name
    )
    case, _ = await open_case(vetting, minter, biz["id"])
    view = (await vetting.get(f"/v1/vetting-cases/{case['id']}", headers=minter.headers(officer()))).json()
    assert view["unresolved_hits"] == 1

    body = {"decision": "approved", "reason": "reviewed"}
    blocked = await vetting.post(
        f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer())
    )
    assert blocked.status_code == 409 and blocked.json()["type"] == "urn:fairpath:problem:unresolved_hits"

    hits = (await vetting.get(f"/v1/businesses/{biz['id']}/screening-hits", headers=minter.headers(officer()))).json()
    hit_id = hits["items"][0]["id"]
    dismissed = await vetting.post(
        f"/v1/screening-hits/{hit_id}/resolution",
        json={"decision": "dismissed", "reason": "a namesake: different registration"},
        headers=minter.headers(officer()),
    )
    assert dismissed.status_code == 200, dismissed.text
    decided = await vetting.post(
        f"/v1/vetting-cases/{case['id']}/decision", json=body, headers=minter.headers(officer())
    )
    assert decided.status_code == 200


@contextlib.contextmanager
def days_later(days: int):
    """The one clock moved `days` ahead (time passes for every rule), then back."""
    offset = CLOCK.offset
    CLOCK.set_offset(offset + timedelta(days=days))
    try:
        yield
    finally:
        CLOCK.set_offset(offset)


async def findings_and_cases(app, business_id):
    async with app.state.database.session(read_only=True) as s:
        kinds = [f.kind for f in await findings_of(s, uuid.UUID(business_id))]
        opened = (
            (await s.execute(select(VettingCase.status).where(VettingCase.business_id == uuid.UUID(business_id))))
            .scalars()
            .all()
        )
    return kinds, sorted(opened)


async def test_a_licence_lapsing_during_an_approval_is_a_licence_expired_finding_once(vetting, vetting_app, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    until = (utcnow() + timedelta(days=10)).date()
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/licences",
        headers=agency,
        json={
            "number": f"L-{uuid.uuid4().hex[:6]}",
            "authority": "DoFE",
            "country": "NP",
            "valid_from": "2025-01-01",
            "valid_until": until.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    await approve(vetting, minter, biz["id"])
    database, ledger = vetting_app.state.database, vetting_app.state.ledger
    await jobs.find_lapsed_licences(database, ledger)
    assert await findings_and_cases(vetting_app, biz["id"]) == ([], ["decided"])

    with days_later(30):  # the licence runs out during the approval
        await jobs.find_lapsed_licences(database, ledger)
        await jobs.find_lapsed_licences(database, ledger)
    kinds, cases = await findings_and_cases(vetting_app, biz["id"])
    assert kinds == ["licence_expired"] and cases == ["decided", "open"]
    async with vetting_app.state.database.session(read_only=True) as s:
        [finding] = await findings_of(s, uuid.UUID(biz["id"]))
    assert finding.evidence["valid_until"] == until.isoformat() and "valid until" in finding.evidence["detail"]


async def test_an_agency_approved_without_a_licence_is_not_reported_as_expired_by_the_scheduled_check(
    vetting, vetting_app, minter
):
    """What the trial saw: an agency approved with no licence recorded; 20 s later the scheduler opened a
    case for `licence_expired`. Its licence is missing, not expired, and the decision already weighed that
    (a `licence_missing` finding at opening, the licence factor in the risk): nothing new to report."""
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    await approve(vetting, minter, biz["id"])
    assert (await findings_and_cases(vetting_app, biz["id"]))[0] == ["licence_missing"]  # at opening: true
    database, ledger = vetting_app.state.database, vetting_app.state.ledger
    await jobs.find_lapsed_licences(database, ledger)
    with days_later(60):
        await jobs.find_lapsed_licences(database, ledger)
    assert await findings_and_cases(vetting_app, biz["id"]) == (["licence_missing"], ["decided"])
    got = (await vetting.get(f"/v1/businesses/{biz['id']}", headers=agency)).json()
    assert got["status"] == "approved" and got["review_open"] is False


async def test_a_licence_already_expired_when_approved_is_no_new_finding(vetting, vetting_app, minter):
    agency = minter.headers(make_principal(Role.agency))
    biz = await register(vetting, agency, kind="recruitment_agency", country="NP")
    r = await vetting.post(
        f"/v1/businesses/{biz['id']}/licences",
        headers=agency,
        json={
            "number": f"L-{uuid.uuid4().hex[:6]}",
            "authority": "DoFE",
            "country": "NP",
            "valid_from": "2020-01-01",
            "valid_until": "2024-12-31",
        },
    )
    assert r.status_code == 201, r.text
    await approve(vetting, minter, biz["id"])  # the officer approved it knowing (licence_expired at opening)
    await jobs.find_lapsed_licences(vetting_app.state.database, vetting_app.state.ledger)
    assert await findings_and_cases(vetting_app, biz["id"]) == (["licence_expired"], ["decided"])


async def test_an_employer_needs_no_licence_and_is_never_flagged_for_one(vetting, vetting_app, minter):
    employer = minter.headers(make_principal(Role.employer))
    without = await register(vetting, employer)
    lapsed = await register(vetting, employer)
    r = await vetting.post(
        f"/v1/businesses/{lapsed['id']}/licences",
        headers=employer,
        json={
            "number": f"T-{uuid.uuid4().hex[:6]}",
            "authority": "Department of Economic Development",
            "country": "AE",
            "valid_from": "2025-01-01",
            "valid_until": (utcnow() + timedelta(days=5)).date().isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    for biz in (without, lapsed):
        await approve(vetting, minter, biz["id"])
    with days_later(30):
        await jobs.find_lapsed_licences(vetting_app.state.database, vetting_app.state.ledger)
        for biz in (without, lapsed):
            assert await findings_and_cases(vetting_app, biz["id"]) == ([], ["decided"])
            case, _ = await open_case(vetting, minter, biz["id"])
            view = (await vetting.get(f"/v1/vetting-cases/{case['id']}", headers=minter.headers(officer()))).json()
            assert [f["points"] for f in view["risk"]["factors"] if f["factor"] == "licence"] in ([], [0])
            assert (await findings_and_cases(vetting_app, biz["id"]))[0] == []


async def test_opening_a_case_screens_the_business_at_the_configured_threshold(vetting, vetting_app, minter):
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    await open_case(vetting, minter, biz["id"])
    async with vetting_app.state.database.session(read_only=True) as s:
        screening = (
            await s.execute(select(Screening).where(Screening.business_id == uuid.UUID(biz["id"])))
        ).scalar_one()
    assert screening.trigger == "case"
    assert screening.threshold == vetting_app.state.settings.screening_threshold


async def test_open_cases_are_listed_in_the_order_they_were_opened_and_leave_the_list_when_decided(vetting, minter):
    first = await register(vetting, minter.headers(make_principal(Role.agency)))
    second = await register(vetting, minter.headers(make_principal(Role.agency)))
    case_1, _ = await open_case(vetting, minter, first["id"])
    case_2, _ = await open_case(vetting, minter, second["id"])
    auditor = minter.headers(make_principal(Role.auditor))

    async def listed(**params) -> list[str]:
        return await ids_on_every_page(vetting, "/v1/vetting-cases", auditor, page_size=3, **params)

    open_ids = await listed(status="open")
    assert open_ids.index(case_1["id"]) < open_ids.index(case_2["id"])
    assert await listed(business_id=second["id"]) == [case_2["id"]]
    body = {"decision": "rejected", "reason": "evidence reviewed"}
    decided = await vetting.post(
        f"/v1/vetting-cases/{case_1['id']}/decision", json=body, headers=minter.headers(officer())
    )
    assert decided.status_code == 200, decided.text
    assert case_1["id"] not in await listed(status="open") and case_1["id"] in await listed(status="decided")
    as_employer = await vetting.get("/v1/vetting-cases", headers=minter.headers(make_principal(Role.employer)))
    assert as_employer.status_code == 403
