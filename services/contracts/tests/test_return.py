"""Return and re-hire: the return journey at a contract's end (at the employer's cost; one the worker paid is kept
and sent on as a finding), the worker's own confirmation that they got home, and the employer's invitation of an
eligible seasonal worker to the next season; each step audited, and an event through the outbox."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.contracts.contracts.tables import Contract

from .test_lifecycle import outbox_events

RETURNED = "org.fairpath.contracts.contract.returned.v1"
INVITED = "org.fairpath.contracts.worker.invited_to_next_season.v1"


def seasonal(p, term: str = "seasonal") -> dict:
    terms = p.terms()
    terms["period"] |= {"term": term, "duration_months": 6}
    return terms


async def active(world, p, terms: dict | None = None) -> dict:
    """Signed, arrived and verified; started long enough ago to have run its course."""
    signed = await p.signed(terms or seasonal(p))
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": signed["terms"]}, as_=world.officer)
    assert r.status_code == 200 and r.json()["contract_status"] == "active", r.text
    async with world.app.state.database.session() as s:
        await s.execute(
            update(Contract)
            .where(Contract.id == uuid.UUID(signed["id"]))
            .values(start_date=utcnow().date() - timedelta(days=200))
        )
    return signed


async def completed(world, p, terms: dict | None = None, *, good_standing: bool = True) -> dict:
    contract = await active(world, p, terms)
    r = await p.post(
        contract["id"],
        "complete",
        {"completed_on": utcnow().date().isoformat(), "good_standing": good_standing},
        as_=p.employer_user,
    )
    assert r.status_code == 200, r.text
    return r.json()


def journey(**extra) -> dict:
    return {"travel_date": utcnow().date().isoformat(), "paid_by": "employer"} | extra


HOME = {"confirmed_home": True}


async def audit_actions(app, record_id: str) -> list[str]:
    entry = app.state.ledger.tables.audit_entry
    async with app.state.database.session(read_only=True) as s:
        rows = await s.execute(select(entry.c.action).where(entry.c.record_id == record_id).order_by(entry.c.seq))
    return list(rows.scalars())


@pytest.fixture
async def p(world):
    return await world.parties(duration_months=6)


async def test_the_employer_records_the_return_the_worker_confirms_it_and_a_seasonal_worker_becomes_eligible(
    world, contracts_app, p
):
    contract = await completed(world, p)
    r = await p.post(contract["id"], "return", journey(), as_=p.employer_user)
    assert r.status_code == 200, r.text
    recorded = r.json()
    assert recorded["paid_by"] == "employer" and recorded["recorded_at"] and recorded["confirmed_home_at"] is None
    assert recorded["fee_finding"] is False and recorded["rehire_eligible"] is False
    assert recorded["version"] > contract["version"]

    r = await p.post(contract["id"], "return", HOME, as_=p.worker_user)
    assert r.status_code == 200, r.text
    confirmed = r.json()
    assert confirmed["confirmed_home_at"] and confirmed["paid_by"] == "employer"
    assert confirmed["rehire_eligible"] is True and confirmed["version"] > recorded["version"]
    again = await p.post(contract["id"], "return", HOME, as_=p.worker_user)
    assert again.status_code == 200 and again.json() == confirmed  # confirmed once: nothing changes

    events = [e for e in await outbox_events(contracts_app, contract["id"]) if e["type"] == RETURNED]
    assert [e["data"]["version"] for e in events] == [recorded["version"], confirmed["version"]]
    assert events[0]["data"]["paid_by"] == "employer" and events[0]["data"]["confirmed_home_at"] is None
    assert events[1]["data"]["rehire_eligible"] is True and events[1]["data"]["status"] == "completed"
    actions = await audit_actions(contracts_app, contract["id"])
    assert actions[-2:] == ["contract.return_recorded", "contract.return_confirmed"]


async def test_the_worker_may_confirm_their_return_before_the_employer_records_it(world, p):
    contract = await completed(world, p)
    r = await p.post(contract["id"], "return", HOME, as_=p.worker_user)
    assert r.status_code == 200, r.text
    assert r.json()["rehire_eligible"] is True and r.json()["recorded_at"] is None
    r = await p.post(contract["id"], "return", journey(paid_by="agency"), as_=p.agency_user)
    assert r.status_code == 200, r.text
    assert r.json()["paid_by"] == "agency" and r.json()["confirmed_home_at"]


async def test_a_return_paid_by_the_worker_is_kept_and_sent_on_as_a_fee_finding(world, contracts_app, p):
    contract = await completed(world, p)
    r = await p.post(contract["id"], "return", journey(paid_by="worker"), as_=p.employer_user)
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("worker_paid", "required")]
    paid = {"amount": 95000, "currency": "QAR"}
    r = await p.post(contract["id"], "return", journey(paid_by="worker", worker_paid=paid), as_=p.employer_user)
    assert r.status_code == 200, r.text
    assert r.json()["fee_finding"] is True and r.json()["worker_paid"] == paid
    (event,) = [e for e in await outbox_events(contracts_app, contract["id"]) if e["type"] == RETURNED]
    assert event["data"]["paid_by"] == "worker"
    assert event["data"]["worker_paid_amount_minor"] == 95000 and event["data"]["currency"] == "QAR"


async def test_what_the_worker_paid_is_given_only_when_the_worker_paid(world, p):
    contract = await completed(world, p)
    body = journey(worker_paid={"amount": 95000, "currency": "QAR"})
    r = await p.post(contract["id"], "return", body, as_=p.employer_user)
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("worker_paid", "not_paid_by_worker")]


async def test_a_return_before_the_contract_ended_is_a_conflict(world, p):
    contract = await active(world, p)
    for body, who in ((journey(), p.employer_user), (HOME, p.worker_user)):
        r = await p.post(contract["id"], "return", body, as_=who)
        assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:contract_not_ended", r.text


async def test_a_terminated_contract_has_its_return_too(world, p):
    contract = await active(world, p)
    today = utcnow().date().isoformat()
    r = await p.post(
        contract["id"],
        "terminate",
        {"terminated_on": today, "reason": "resignation", "ended_by": "worker"},
        as_=p.worker_user,
    )
    assert r.status_code == 200, r.text
    r = await p.post(contract["id"], "return", journey(), as_=p.agency_user)
    assert r.status_code == 200, r.text
    r = await p.post(contract["id"], "return", HOME, as_=p.worker_user)
    assert r.status_code == 200 and r.json()["rehire_eligible"] is False, r.text


async def test_only_the_worker_confirms_they_got_home_and_only_the_employer_or_agency_records_the_journey(world, p):
    contract = await completed(world, p)
    r = await p.post(contract["id"], "return", journey(confirmed_home=True), as_=p.employer_user)
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [("confirmed_home", "confirmed_by_the_worker")]
    r = await p.post(contract["id"], "return", journey() | HOME, as_=p.worker_user)
    assert r.status_code == 422
    assert {(v["field"], v["rule"]) for v in r.json()["violations"]} == {
        ("travel_date", "recorded_by_the_employer_or_agency"),
        ("paid_by", "recorded_by_the_employer_or_agency"),
    }
    r = await p.post(contract["id"], "return", {"confirmed_home": False}, as_=p.worker_user)
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "confirmed_home"
    r = await p.post(contract["id"], "return", {}, as_=p.employer_user)
    assert r.status_code == 422
    assert {v["field"] for v in r.json()["violations"]} == {"travel_date", "paid_by"}


async def test_a_return_is_recorded_once_and_not_before_the_contract_ended(world, p):
    contract = await completed(world, p)
    before = (utcnow().date() - timedelta(days=1)).isoformat()
    r = await p.post(contract["id"], "return", journey(travel_date=before), as_=p.employer_user)
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "before_contract_end"
    assert (await p.post(contract["id"], "return", journey(), as_=p.employer_user)).status_code == 200
    r = await p.post(contract["id"], "return", journey(paid_by="agency"), as_=p.agency_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:return_already_recorded"


async def test_another_tenants_contract_is_answered_as_a_random_one_and_readers_may_not_record(world, p):
    contract = await completed(world, p)
    other = await world.parties()
    random_id = str(uuid.uuid4())
    for who, body in ((other.employer_user, journey()), (other.agency_user, journey()), (other.worker_user, HOME)):
        theirs = await p.post(contract["id"], "return", body, as_=who)
        unknown = await p.post(random_id, "return", body, as_=who)
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["type"] == unknown.json()["type"]
        assert theirs.json()["detail"].replace(contract["id"], random_id) == unknown.json()["detail"]
    for role in (Role.compliance_officer, Role.auditor):
        r = await p.post(contract["id"], "return", journey(), as_=make_principal(role))
        assert r.status_code == 403
    r = await p.post(contract["id"], "return", journey(), as_=world.admin)
    assert r.status_code == 200, r.text


# --- the next season -----------------------------------------------------------------------------


async def returned_home(world, p, terms: dict | None = None, **completion) -> dict:
    contract = await completed(world, p, terms, **completion)
    assert (await p.post(contract["id"], "return", journey(), as_=p.employer_user)).status_code == 200
    assert (await p.post(contract["id"], "return", HOME, as_=p.worker_user)).status_code == 200
    return contract


async def invite(world, order_id: str, contract_id: str, who):
    return await world.client.post(
        f"/v1/job-orders/{order_id}/invitations", json={"contract_id": contract_id}, headers=world.headers(who)
    )


async def test_the_employer_invites_a_returned_seasonal_worker_to_the_next_season_once(world, contracts_app, p):
    contract = await returned_home(world, p)
    next_season = await world.job_order(p.employer, p.agency, duration_months=6)
    r = await invite(world, next_season["id"], contract["id"], p.employer_user)
    assert r.status_code == 201, r.text
    invitation = r.json()
    assert invitation["worker_id"] == str(p.worker) and invitation["previous_contract_id"] == contract["id"]
    assert invitation["job_order_id"] == next_season["id"] and invitation["employer_id"] == str(p.employer)
    (event,) = await outbox_events(contracts_app, invitation["id"])
    assert event["type"] == INVITED and event["data"]["previous_contract_id"] == contract["id"]
    assert await audit_actions(contracts_app, invitation["id"]) == ["season_invitation.made"]
    r = await invite(world, next_season["id"], contract["id"], p.employer_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:already_invited"


@pytest.mark.parametrize(
    ("term", "good_standing", "confirmed", "reason"),
    [
        ("fixed_period", True, True, "not_seasonal"),
        ("seasonal", False, True, "not_in_good_standing"),
        ("seasonal", True, False, "return_not_confirmed"),
    ],
)
async def test_only_an_eligible_worker_is_invited(world, p, term, good_standing, confirmed, reason):
    contract = await completed(world, p, seasonal(p, term), good_standing=good_standing)
    assert (await p.post(contract["id"], "return", journey(), as_=p.employer_user)).status_code == 200
    if confirmed:
        assert (await p.post(contract["id"], "return", HOME, as_=p.worker_user)).status_code == 200
    r = await invite(world, p.order["id"], contract["id"], p.employer_user)
    assert r.status_code == 409 and r.json()["type"] == "urn:fairpath:problem:not_eligible_for_rehire"
    assert r.json()["reasons"] == [reason]


async def test_a_worker_still_at_work_is_not_invited(world, p):
    contract = await active(world, p)
    r = await invite(world, p.order["id"], contract["id"], p.employer_user)
    assert r.status_code == 409
    assert r.json()["reasons"] == ["not_completed", "return_not_confirmed"]


async def test_invitations_are_the_employers_within_its_reach(world, p):
    contract = await returned_home(world, p)
    other = await world.parties(duration_months=6)
    for who in (p.agency_user, p.worker_user, world.officer, world.auditor):
        assert (await invite(world, p.order["id"], contract["id"], who)).status_code == 403
    random_id = str(uuid.uuid4())
    theirs = await invite(world, other.order["id"], contract["id"], p.employer_user)
    unknown = await invite(world, random_id, contract["id"], p.employer_user)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["detail"].replace(other.order["id"], random_id) == unknown.json()["detail"]
    their_worker = await returned_home(world, other)
    theirs = await invite(world, p.order["id"], their_worker["id"], p.employer_user)
    unknown = await invite(world, p.order["id"], random_id, p.employer_user)
    assert theirs.status_code == unknown.status_code == 422
    assert (
        theirs.json()["violations"]
        == unknown.json()["violations"]
        == [{"field": "contract_id", "rule": "unknown_contract", "message": "no contract with this id"}]
    )
    r = await invite(world, p.order["id"], their_worker["id"], world.admin)
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "not_the_job_order_employer"
    r = await invite(world, p.order["id"], contract["id"], world.admin)
    assert r.status_code == 201, r.text
