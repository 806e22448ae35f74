"""Candidates for a job order (real NATS for the job orders contracts posts): a ranked shortlist for the job
order's employer and agencies, every point explained; the agency's own workers and those who consented to be
considered by the recruiter, not placed ones; nothing protected weighs in a score; reach and roles."""

import dataclasses
import random
import uuid

import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import (
    ContractActivated,
    ContractIssued,
    JobOrderPosition,
    JobOrderPosted,
)
from fairpath.common.events.envelope import new_event
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow
from fairpath.registry.matching.service import MatchProfile, best_score, profiles, ranked
from fairpath.registry.matching.tables import JobOrderPositionProjection, JobOrderProjection
from fairpath.registry.workers.tables import Worker

from .conftest import audit_entries, new_agency, publish_contract_event, register, worker_principal
from .test_grievances import grievance
from .test_placements import contract, placement_at
from .test_reach import REGISTRATION, comparable

LANGUAGES = [{"language": "ne", "proficiency": "native"}, {"language": "en", "proficiency": "fluent"}]


def considered_by(recruiter_id, granted: bool | None = None) -> dict:
    consent = {
        "purpose": "considered_by_recruiter",
        "business_id": str(recruiter_id),
        "method": "written_signature",
        "language": "ne",
    }
    return consent if granted is None else consent | {"granted": granted}


def skill(occupation: str, level: str = "skilled", years: int | None = 4) -> list[dict]:
    return [{"occupation": occupation, "level": level, "years_experience": years}]


async def post_job_order(broker, app, employer_id, agency_ids, *positions: JobOrderPosition, version: int = 1):
    """A job order as contracts posts it, over the broker; returns once the registry holds it."""
    payload = JobOrderPosted(
        version=version,
        job_order_id=uuid.uuid4(),
        employer_id=employer_id,
        agency_ids=list(agency_ids),
        destination_country="AE",
        positions=list(positions),
        posted_at=utcnow(),
    )
    await publish_job_order(broker, payload)
    await job_order_at(app, payload.job_order_id, version)
    return payload


async def publish_job_order(broker, payload: JobOrderPosted) -> None:
    event = new_event(payload, payload.job_order_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})


async def job_order_at(app, job_order_id, version):
    async def held():
        async with app.state.database.session(read_only=True) as s:
            found = await s.get(JobOrderProjection, job_order_id)
            return found if found is not None and found.version >= version else None

    return await wait_until(held, message=f"job order {job_order_id} at version {version}")


def position(occupation: str = "7112", languages=("en",), minimum_years: int | None = 3) -> JobOrderPosition:
    return JobOrderPosition(
        position_id=uuid.uuid4(),
        occupation=occupation,
        title="Bricklayer",
        number_of_workers=10,
        languages=list(languages),
        minimum_years=minimum_years,
    )


async def candidates(registry, minter, principal, job_order_id, **params):
    return await registry.get(
        "/v1/candidates", params={"job_order_id": str(job_order_id), **params}, headers=minter.headers(principal)
    )


async def test_a_posted_job_order_is_kept_with_its_positions_and_a_late_older_one_changes_nothing(registry_app, broker):
    employer, agency = uuid.uuid4(), uuid.uuid4()
    first = position("7112")
    posted = await post_job_order(broker, registry_app, employer, [agency], first, version=2)
    await publish_job_order(
        broker, posted.model_copy(update={"version": 1, "positions": [position("9313")], "agency_ids": []})
    )
    newer = posted.model_copy(update={"version": 3, "positions": [first, position("7111")]})
    await publish_job_order(broker, newer)
    held = await job_order_at(registry_app, posted.job_order_id, 3)
    assert held.employer_id == employer and held.agency_ids == [str(agency)] and held.destination_country == "AE"
    async with registry_app.state.database.session(read_only=True) as s:
        rows = (await s.execute(JobOrderPositionProjection.__table__.select())).mappings().all()
    kept = {r["occupation"]: r for r in rows if r["job_order_id"] == posted.job_order_id}
    assert set(kept) == {"7112", "7111"}
    assert kept["7112"]["languages"] == ["en"] and kept["7112"]["minimum_years"] == 3


async def test_the_agency_s_workers_are_ranked_by_occupation_group_and_every_point_is_explained(
    registry, registry_app, broker, minter
):
    agency = new_agency()
    same_unit = await register(registry, minter, agency, skills=skill("7112"), languages=LANGUAGES)
    same_minor = await register(registry, minter, agency, skills=skill("7113"), languages=LANGUAGES)
    same_sub_major = await register(registry, minter, agency, skills=skill("7123"), languages=LANGUAGES)
    same_major = await register(registry, minter, agency, skills=skill("7212"), languages=LANGUAGES)
    other_major = await register(registry, minter, agency, skills=skill("9313"), languages=LANGUAGES)
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))

    r = await candidates(registry, minter, agency, order.job_order_id)
    assert r.status_code == 200, r.text
    shortlist = r.json()
    ids = [c["worker"]["id"] for c in shortlist["candidates"]]
    assert ids == [same_unit["id"], same_minor["id"], same_sub_major["id"], same_major["id"]]
    assert other_major["id"] not in ids
    occupation_points = [
        next(p["points"] for p in c["explanation"] if p["factor"] == "occupation") for c in shortlist["candidates"]
    ]
    assert occupation_points == [40.0, 24.0, 12.0, 4.0]  # 1.0, 0.6, 0.3 and 0.1 of the occupation's 40
    for c in shortlist["candidates"]:
        assert [p["factor"] for p in c["explanation"]] == [
            "occupation",
            "skill_level",
            "languages",
            "experience",
            "availability",
        ]
        assert c["score"] == pytest.approx(sum(p["points"] for p in c["explanation"]))
        assert all(p["why"] for p in c["explanation"])
        assert c["own_worker"] is True and c["worker"]["view"] == "full" and c["worker"]["full_name"]
        assert c["position_id"] == str(order.positions[0].position_id)
    assert [c["rank"] for c in shortlist["candidates"]] == [1, 2, 3, 4]
    assert shortlist["candidates"][0]["score"] == 100.0

    limited = (await candidates(registry, minter, agency, order.job_order_id, limit=2)).json()
    assert [c["worker"]["id"] for c in limited["candidates"]] == ids[:2]
    refused = await candidates(registry, minter, agency, order.job_order_id, limit=0)
    assert refused.status_code == 422 and refused.json()["violations"][0]["field"] == "limit"


async def test_languages_years_and_skill_level_the_position_asks_weigh_in_the_score(
    registry, registry_app, broker, minter
):
    agency = new_agency()
    fits = await register(registry, minter, agency, skills=skill("7112", "skilled", 5), languages=LANGUAGES)
    short = await register(
        registry,
        minter,
        agency,
        skills=skill("7112", "trainee", 1),
        languages=[{"language": "ne", "proficiency": "native"}, {"language": "en", "proficiency": "basic"}],
    )
    order = await post_job_order(
        broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112", ("en", "ar"), 4)
    )
    listed = (await candidates(registry, minter, agency, order.job_order_id)).json()["candidates"]
    points = {c["worker"]["id"]: {p["factor"]: p["points"] for p in c["explanation"]} for c in listed}
    assert points[fits["id"]] == {
        "occupation": 40.0,
        "skill_level": 15.0,
        "languages": 10.0,  # English, not Arabic
        "experience": 15.0,
        "availability": 10.0,
    }
    assert points[short["id"]] == {
        "occupation": 40.0,
        "skill_level": 7.5,  # a trainee (ISCO-08 level 1) for level 2: one below counts half
        "languages": 5.0,  # basic English counts half, of one of two languages
        "experience": 3.75,  # one year of the four asked
        "availability": 10.0,
    }


async def test_a_worker_of_another_agency_is_a_candidate_only_while_consenting_and_shown_as_a_profile(
    registry, registry_app, broker, minter, businesses
):
    own_agency, other_agency = new_agency(), new_agency()
    employer = await businesses.employer(recruiting=other_agency)
    mine = await register(registry, minter, own_agency, skills=skill("7112"))
    theirs = await register(
        registry,
        minter,
        other_agency,
        skills=skill("7112"),
        consents=[REGISTRATION, considered_by(employer.business_id)],
    )
    assert theirs["consents"] == ["registration", "considered_by_recruiter"]
    not_consenting = await register(registry, minter, other_agency, skills=skill("7112"))
    order = await post_job_order(broker, registry_app, employer.business_id, [own_agency.business_id], position("7112"))

    listed = (await candidates(registry, minter, employer, order.job_order_id)).json()["candidates"]
    assert [c["worker"]["id"] for c in listed] == [theirs["id"]]
    [shown] = listed
    assert shown["own_worker"] is False and shown["worker"]["view"] == "profile"
    assert set(shown["worker"]) == {
        "id",
        "status",
        "view",
        "birth_year",
        "nationality",
        "languages",
        "skills",
        "consents",
    }
    assert await audit_entries(registry_app, theirs["id"], "worker.considered")

    # The job order's agency sees its own workers, and not the ones who consented to the employer only.
    listed = (await candidates(registry, minter, own_agency, order.job_order_id)).json()["candidates"]
    assert [c["worker"]["id"] for c in listed] == [mine["id"]]
    assert not_consenting["id"] not in [c["worker"]["id"] for c in listed]

    withdrawn = await registry.post(
        f"/v1/workers/{theirs['id']}/consents",
        json=considered_by(employer.business_id, False) | {"method": "self_service"},
        headers=minter.headers(worker_principal(theirs["id"])),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["consents"] == ["registration"]
    assert (await candidates(registry, minter, employer, order.job_order_id)).json()["candidates"] == []


async def test_consent_to_be_considered_names_a_recruiter_within_the_worker_s_reach(registry, minter, businesses):
    agency = new_agency()
    created = await register(registry, minter, agency)
    url, headers = f"/v1/workers/{created['id']}/consents", minter.headers(agency)
    missing = await registry.post(url, json=considered_by(None, True) | {"business_id": None}, headers=headers)
    assert [(v["field"], v["rule"]) for v in missing.json()["violations"]] == [("business_id", "required")]
    stranger = await businesses.employer()
    refused = await registry.post(url, json=considered_by(stranger.business_id, True), headers=headers)
    random_id = uuid.uuid4()
    random = await registry.post(url, json=considered_by(random_id, True), headers=headers)
    assert comparable(refused, stranger.business_id) == comparable(random, random_id)
    assert refused.status_code == 422
    co_recruiter = await businesses.known(kind="recruitment_agency", recruiting=agency)
    given = await registry.post(url, json=considered_by(co_recruiter, True), headers=headers)
    assert given.status_code == 201, given.text
    assert given.json()["consents"] == ["registration", "considered_by_recruiter"]
    assert given.json()["considered_by_recruiters"] == [str(co_recruiter)]

    # Withdrawing registration withdraws it too.
    withdrawn = await registry.post(
        url,
        json=REGISTRATION | {"granted": False, "method": "written_request", "request_reference": "REQ-7"},
        headers=headers,
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["consents"] == [] and withdrawn.json()["considered_by_recruiters"] == []


async def test_placed_workers_are_no_candidates_and_a_pending_contract_costs_the_availability_points(
    registry, registry_app, broker, minter
):
    agency = new_agency()
    created = await register(registry, minter, agency, skills=skill("7112"))
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    contract_id, employer = uuid.uuid4(), uuid.uuid4()
    await publish_contract_event(broker, contract(created["id"], employer, 1, ContractIssued, contract_id=contract_id))
    await placement_at(registry_app, contract_id, 1)
    [listed] = (await candidates(registry, minter, agency, order.job_order_id)).json()["candidates"]
    availability = next(p for p in listed["explanation"] if p["factor"] == "availability")
    assert availability["points"] == 0 and "pending" in availability["why"]

    await publish_contract_event(
        broker, contract(created["id"], employer, 2, ContractActivated, contract_id=contract_id)
    )
    await placement_at(registry_app, contract_id, 2)
    assert (await candidates(registry, minter, agency, order.job_order_id)).json()["candidates"] == []


def test_the_scorer_reads_only_the_allow_listed_facts_of_a_worker():
    assert {f.name for f in dataclasses.fields(MatchProfile)} == {
        "worker_id",
        "skills",
        "languages",
        "committed_elsewhere",
    }


async def test_sex_birth_nationality_name_and_grievances_change_no_score(
    registry, registry_app, broker, minter, businesses
):
    agency = new_agency()
    employer = await businesses.employer(recruiting=agency)
    created = await register(registry, minter, agency, skills=skill("7112", "skilled", 2), languages=LANGUAGES)
    order = await post_job_order(
        broker, registry_app, employer.business_id, [agency.business_id], position("7112", ("en", "ar"), 3)
    )

    async def explained():
        [listed] = (await candidates(registry, minter, agency, order.job_order_id)).json()["candidates"]
        return listed["score"], listed["explanation"]

    before = await explained()
    changed = await registry.patch(
        f"/v1/workers/{created['id']}",
        json={"sex": "male", "date_of_birth": "1980-01-30", "nationality": "BD", "full_name": "Karim Uddin"},
        headers=minter.headers(agency),
    )
    assert changed.status_code == 200, changed.text
    filed = await registry.post(
        f"/v1/workers/{created['id']}/grievances",
        headers=minter.headers(worker_principal(created["id"])),
        json=grievance(employer.business_id),
    )
    assert filed.status_code == 201, filed.text
    assert await explained() == before


async def test_a_foreign_job_order_or_position_is_answered_as_a_random_one(registry, registry_app, broker, minter):
    agency = new_agency()
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    for outsider in (new_agency(), make_principal(Role.employer, business_id=uuid.uuid4())):
        foreign = await candidates(registry, minter, outsider, order.job_order_id)
        random_id = uuid.uuid4()
        random = await candidates(registry, minter, outsider, random_id)
        assert foreign.status_code == 404
        assert comparable(foreign, order.job_order_id) == comparable(random, random_id)
    other = await post_job_order(broker, registry_app, uuid.uuid4(), [uuid.uuid4()], position("7112"))
    foreign_position = other.positions[0].position_id
    r = await candidates(registry, minter, agency, order.job_order_id, position_id=str(foreign_position))
    random_position = uuid.uuid4()
    random = await candidates(registry, minter, agency, order.job_order_id, position_id=str(random_position))
    assert r.status_code == 404
    assert comparable(r, foreign_position) == comparable(random, random_position)
    asked = order.positions[0].position_id
    one = await candidates(registry, minter, agency, order.job_order_id, position_id=str(asked))
    assert one.status_code == 200 and one.json()["position_id"] == str(asked)


@pytest.mark.parametrize("role", [Role.worker, Role.compliance_officer, Role.admin, Role.auditor])
async def test_roles_that_never_choose_candidates_are_forbidden(registry, minter, role):
    principal = worker_principal(uuid.uuid4()) if role == Role.worker else make_principal(role)
    r = await candidates(registry, minter, principal, uuid.uuid4())
    assert r.status_code == 403


async def test_the_languages_and_years_a_position_asks_are_explained_in_its_points(
    registry, registry_app, broker, minter
):
    agency = new_agency()
    created = await register(
        registry,
        minter,
        agency,
        skills=skill("7112", "skilled", 2),
        languages=[{"language": "ne", "proficiency": "native"}, {"language": "ar", "proficiency": "basic"}],
    )
    order = await post_job_order(
        broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112", ("ar", "en"), 4)
    )
    [listed] = (await candidates(registry, minter, agency, order.job_order_id)).json()["candidates"]
    assert listed["worker"]["id"] == created["id"]
    explained = {p["factor"]: p for p in listed["explanation"]}
    assert explained["languages"] == {
        "factor": "languages",
        "points": 5.0,  # basic Arabic counts half, of one of two languages
        "why": "speaks ar of ar, en (basic counts half)",
    }
    assert explained["experience"] == {
        "factor": "experience",
        "points": 7.5,  # two years of the four asked
        "why": "2 years in 7112; the position asks 4",
    }

    # A position asking neither: every language point, and five years earn the experience in full.
    open_order = await post_job_order(
        broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112", (), None)
    )
    [listed] = (await candidates(registry, minter, agency, open_order.job_order_id)).json()["candidates"]
    explained = {p["factor"]: p for p in listed["explanation"]}
    assert explained["languages"]["points"] == 20.0 and explained["languages"]["why"] == "the position asks no language"
    assert (
        explained["experience"]["points"] == 6.0 and explained["experience"]["why"] == "2 years in 7112; 5 earn it all"
    )


async def test_the_shortlist_ranked_in_the_database_is_the_scorer_s_own_ranking(registry, registry_app, broker, minter):
    """Every considered worker's score as the database computes it is the scorer's, to the hundredth, and the
    shortlist is the scorer's best, ties by id: varied occupations, levels, years, languages, several positions."""
    rng = random.Random(11)
    agency = new_agency()
    occupations = ["7112", "7113", "7115", "7121", "7212", "9313", "9312", "5120"]
    levels = ["trainee", "semi_skilled", "skilled", "highly_skilled"]
    proficiencies = ["basic", "conversational", "fluent", "native"]
    for _ in range(36):
        skills = [
            {
                "occupation": occupation,
                "level": rng.choice(levels),
                "years_experience": rng.choice([None, 0, 1, 2, 3, 7]),
            }
            for occupation in rng.sample(occupations, rng.randint(1, 2))
        ]
        spoken = [
            {"language": language, "proficiency": rng.choice(proficiencies)}
            for language in rng.sample(["ne", "en", "ar", "hi", "fil"], rng.randint(1, 3))
        ]
        await register(registry, minter, agency, skills=skills, languages=spoken)
    positions = (position("7112", ("en", "ar", "hi"), 3), position("9313", (), None), position("71", ("ne",), 7))
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], *positions)

    async with registry_app.state.database.session(read_only=True) as s:
        held = list(
            (
                await s.execute(
                    select(JobOrderPositionProjection)
                    .where(JobOrderPositionProjection.job_order_id == order.job_order_id)
                    .order_by(JobOrderPositionProjection.position_id)
                )
            ).scalars()
        )
        considered = [
            w.id
            for w in (
                await s.execute(select(Worker).where(Worker.agency_organization_id == agency.organization_id))
            ).scalars()
        ]
        majors = {p.occupation[:1] for p in held}
        expected = sorted(
            (
                best_score(profile, held)
                for profile in await profiles(s, considered)
                if any(f.occupation[:1] in majors for f in profile.skills)  # a skill in a group asked
            ),
            key=lambda found: (-found.total, found.worker_id),
        )
        # Every limit: a short one is found among the workers of a position's unit or minor group alone.
        in_database = {limit: await ranked(s, agency, held, limit=limit) for limit in (1, 2, 4, 7, 12, 100)}
    for limit, found in in_database.items():
        assert [(w, cents / 100) for w, cents in found] == [(e.worker_id, e.total) for e in expected[:limit]]

    listed = (await candidates(registry, minter, agency, order.job_order_id, limit=7)).json()["candidates"]
    assert [(c["worker"]["id"], c["score"], c["position_id"]) for c in listed] == [
        (str(e.worker_id), e.total, str(e.position_id)) for e in expected[:7]
    ]
