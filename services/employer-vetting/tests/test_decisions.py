"""The decisions on a business as its own users read them (`GET /v1/businesses/{id}/decisions`): what was decided,
why, on which conditions and by when; never who decided, the case's notes or its screening."""

import uuid
from datetime import UTC, datetime, timedelta

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .helpers import register
from .test_cases import approve, officer

DEADLINE = (datetime.now(UTC) + timedelta(days=60)).replace(microsecond=0).isoformat()


async def _conditionally_approved(vetting, minter) -> dict:
    biz = await register(vetting, minter.headers(make_principal(Role.agency)))
    await approve(
        vetting,
        minter,
        biz["id"],
        decision="conditionally_approved",
        conditions=["submit the renewed licence"],
        condition_deadline=DEADLINE,
    )
    return biz


def _own_user(biz: dict, role: Role = Role.employer):
    return make_principal(role, business_id=uuid.UUID(biz["id"]))


async def test_the_business_own_user_reads_the_decision_its_reason_conditions_and_deadline(vetting, minter):
    biz = await _conditionally_approved(vetting, minter)
    r = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(_own_user(biz)))
    assert r.status_code == 200, r.text
    [decision] = r.json()
    assert decision["decision"] == "conditionally_approved"
    assert decision["reason"] == "evidence reviewed"
    assert decision["conditions"] == ["submit the renewed licence"]
    assert datetime.fromisoformat(decision["condition_deadline"]) == datetime.fromisoformat(DEADLINE)
    assert datetime.now(UTC) - datetime.fromisoformat(decision["decided_at"]) < timedelta(minutes=5)


async def test_a_decision_never_shows_who_decided_the_case_notes_or_its_screening(vetting, minter):
    biz = await _conditionally_approved(vetting, minter)
    r = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(_own_user(biz)))
    assert r.status_code == 200, r.text
    assert set(r.json()[0]) == {"decision", "reason", "conditions", "condition_deadline", "decided_at"}


async def test_an_agency_user_reads_the_decisions_on_its_own_agency(vetting, minter):
    agency = await register(vetting, minter.headers(make_principal(Role.agency)), kind="recruitment_agency")
    await approve(vetting, minter, agency["id"], decision="rejected", reason="licence revoked")
    r = await vetting.get(
        f"/v1/businesses/{agency['id']}/decisions", headers=minter.headers(_own_user(agency, Role.agency))
    )
    assert r.status_code == 200, r.text
    assert [(d["decision"], d["reason"], d["conditions"]) for d in r.json()] == [("rejected", "licence revoked", [])]


async def test_decisions_are_listed_newest_first_and_an_open_case_is_not_one(vetting, minter):
    biz = await _conditionally_approved(vetting, minter)
    await approve(vetting, minter, biz["id"], decision="approved", reason="renewed licence seen")
    opened = await vetting.post(
        f"/v1/businesses/{biz['id']}/vetting-cases", json={"reason": "annual review"}, headers=minter.headers(officer())
    )
    assert opened.status_code == 201, opened.text
    r = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(_own_user(biz)))
    assert [d["decision"] for d in r.json()] == ["approved", "conditionally_approved"]


async def test_another_business_user_or_a_counterpart_gets_404_as_for_no_business(vetting, minter):
    biz = await _conditionally_approved(vetting, minter)
    other = make_principal(Role.employer, business_id=uuid.uuid4())
    foreign = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(other))
    missing = await vetting.get(f"/v1/businesses/{uuid.uuid4()}/decisions", headers=minter.headers(_own_user(biz)))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["type"] == missing.json()["type"]

    # An agency recruiting for the employer reads the employer's record, never its decisions.
    agency_user = make_principal(Role.agency)
    agency = await register(vetting, minter.headers(agency_user), kind="recruitment_agency")
    agency_user = make_principal(
        Role.agency, organization_id=agency_user.organization_id, business_id=uuid.UUID(agency["id"])
    )
    linked = await vetting.post(
        f"/v1/businesses/{biz['id']}/recruiters", json={"agency_id": agency["id"]}, headers=minter.headers(officer())
    )
    assert linked.status_code == 201, linked.text
    assert (await vetting.get(f"/v1/businesses/{biz['id']}", headers=minter.headers(agency_user))).status_code == 200
    counterpart = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(agency_user))
    assert counterpart.status_code == 404


async def test_operators_and_auditors_read_decisions_and_a_worker_may_not(vetting, minter):
    biz = await _conditionally_approved(vetting, minter)
    for reader in (officer(), make_principal(Role.auditor), make_principal(Role.admin)):
        r = await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(reader))
        assert r.status_code == 200 and len(r.json()) == 1, r.text
    worker = make_principal(Role.worker, worker_id=uuid.uuid4())
    assert (
        await vetting.get(f"/v1/businesses/{biz['id']}/decisions", headers=minter.headers(worker))
    ).status_code == 403
