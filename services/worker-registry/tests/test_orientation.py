"""Pre-departure orientation: an agency holds sessions in a language on the shipped topics, records its own
workers' attendance, and each worker confirms their own; another agency's session or worker is answered as one
that does not exist."""

import uuid
from datetime import timedelta

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow

from .conftest import audit_entries, new_agency, register, worker_principal


def session_body(**overrides) -> dict:
    return {
        "held_on": utcnow().date().isoformat(),
        "place": "Kathmandu, training hall",
        "language": "ne",
        "topics": ["contract_terms", "fees_never_paid_by_worker", "how_to_file_a_grievance"],
    } | overrides


async def hold_session(registry, minter, agency, **overrides) -> dict:
    r = await registry.post("/v1/orientation-sessions", json=session_body(**overrides), headers=minter.headers(agency))
    assert r.status_code == 201, r.text
    return r.json()


async def attend(registry, minter, caller, session_id, worker_id=None):
    body = {} if worker_id is None else {"worker_id": str(worker_id)}
    return await registry.post(
        f"/v1/orientation-sessions/{session_id}/attendance", json=body, headers=minter.headers(caller)
    )


async def test_agency_records_attendance_and_the_worker_confirms_it_from_their_own_login(
    registry, registry_app, minter
):
    agency = new_agency()
    worker = await register(registry, minter, agency)
    held = await hold_session(registry, minter, agency)
    assert held["language"] == "ne" and held["attendance"] == [] and held["online"] is False

    recorded = await attend(registry, minter, agency, held["id"], worker["id"])
    assert recorded.status_code == 200, recorded.text
    [row] = recorded.json()["attendance"]
    assert row["worker_id"] == worker["id"] and row["confirmed_at"] is None

    confirmed = await attend(registry, minter, worker_principal(worker["id"]), held["id"])
    assert confirmed.status_code == 200, confirmed.text
    [row] = confirmed.json()["attendance"]
    assert row["confirmed_at"] is not None
    assert [e["action"] for e in await audit_entries(registry_app, held["id"])] == ["orientation.session_created"]

    # The worker lists the sessions they attended; the agency its own, with everyone's attendance.
    mine = await registry.get("/v1/orientation-sessions", headers=minter.headers(worker_principal(worker["id"])))
    assert [s["id"] for s in mine.json()["items"]] == [held["id"]]
    listed = await registry.get("/v1/orientation-sessions", headers=minter.headers(agency))
    [own] = listed.json()["items"]
    assert own["attendance"][0]["confirmed_at"] is not None


async def test_another_agencys_worker_or_session_is_answered_as_a_random_id(registry, minter):
    agency, other = new_agency(), new_agency()
    worker = await register(registry, minter, agency)
    foreign_worker = await register(registry, minter, other)
    held = await hold_session(registry, minter, agency)
    foreign_session = await hold_session(registry, minter, other)

    foreign = await attend(registry, minter, agency, held["id"], foreign_worker["id"])
    unknown = await attend(registry, minter, agency, held["id"], uuid.uuid4())
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["type"] == unknown.json()["type"]

    theirs = await attend(registry, minter, agency, foreign_session["id"], worker["id"])
    random_session = await attend(registry, minter, agency, uuid.uuid4(), worker["id"])
    assert theirs.status_code == random_session.status_code == 404
    assert theirs.json()["type"] == random_session.json()["type"]

    listed = await registry.get("/v1/orientation-sessions", headers=minter.headers(agency))
    assert [s["id"] for s in listed.json()["items"]] == [held["id"]]


async def test_a_worker_confirms_only_a_session_their_agency_recorded_them_at(registry, minter):
    agency = new_agency()
    worker = await register(registry, minter, agency)
    other_worker = await register(registry, minter, agency)
    held = await hold_session(registry, minter, agency)
    not_recorded = await attend(registry, minter, worker_principal(worker["id"]), held["id"])
    assert not_recorded.status_code == 404
    assert (await attend(registry, minter, agency, held["id"], other_worker["id"])).status_code == 200
    for_someone_else = await attend(registry, minter, worker_principal(worker["id"]), held["id"], other_worker["id"])
    assert for_someone_else.status_code == 404
    confirmed_by_other = await attend(registry, minter, worker_principal(other_worker["id"]), held["id"])
    assert [a["worker_id"] for a in confirmed_by_other.json()["attendance"]] == [other_worker["id"]]


async def test_a_session_names_place_or_online_and_topics_from_the_list(registry, minter):
    agency = new_agency()
    both = await registry.post(
        "/v1/orientation-sessions", json=session_body(online=True), headers=minter.headers(agency)
    )
    unknown_topic = await registry.post(
        "/v1/orientation-sessions", json=session_body(topics=["karaoke"]), headers=minter.headers(agency)
    )
    no_agency_for_it = await registry.post(
        "/v1/orientation-sessions",
        json=session_body(),
        headers=minter.headers(make_principal(Role.employer, business_id=uuid.uuid4())),
    )
    assert both.status_code == unknown_topic.status_code == 422
    assert unknown_topic.json()["violations"][0]["field"] == "topics.0"
    assert no_agency_for_it.status_code == 403
    online = await hold_session(registry, minter, agency, place=None, online=True)
    assert online["online"] is True and online["place"] is None


async def test_attendance_is_recorded_once_the_session_is_held(registry, minter):
    agency = new_agency()
    worker = await register(registry, minter, agency)
    later = await hold_session(registry, minter, agency, held_on=(utcnow().date() + timedelta(days=10)).isoformat())
    early = await attend(registry, minter, agency, later["id"], worker["id"])
    assert early.status_code == 409 and early.json()["type"].endswith("session_not_held")
