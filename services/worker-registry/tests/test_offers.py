"""Offers (real NATS for the job orders contracts posts and the events the registry publishes): a recruiter picks a
candidate of its own shortlist, the worker accepts or declines from their own login, the recruiter withdraws; a
worker off the caller's shortlist is an unknown id; a withdrawn consent withdraws the offers it allowed; the
worker's journey shows the offers, the return home and the next season's invitation."""

import uuid
from datetime import timedelta

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import ContractReturned, WorkerInvitedToNextSeason
from fairpath.common.events.envelope import new_event
from fairpath.common.testing import make_principal
from fairpath.common.testing.nats import wait_until
from fairpath.common.timeutil import utcnow

from .conftest import audit_entries, new_agency, publish_contract_event, register, worker_principal
from .test_matching import considered_by, position, post_job_order, skill
from .test_reach import REGISTRATION

PERSONAL = ("Sita Gurung", "1996-04-12", "+9779812345678")


async def offer(registry, minter, recruiter, order, worker_id, position_id=None):
    body = {
        "job_order_id": str(order.job_order_id),
        "worker_id": str(worker_id),
        "position_id": str(position_id or order.positions[0].position_id),
    }
    return await registry.post("/v1/offers", json=body, headers=minter.headers(recruiter))


async def answer(registry, minter, worker_id, offer_id, verb: str):
    return await registry.post(f"/v1/offers/{offer_id}/{verb}", headers=minter.headers(worker_principal(worker_id)))


async def test_an_agency_picks_its_own_candidate_and_the_worker_accepts_it(
    registry, registry_app, broker, minter, published
):
    agency = new_agency()
    worker = await register(registry, minter, agency, skills=skill("7112"))
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))

    made = await offer(registry, minter, agency, order, worker["id"])
    assert made.status_code == 201, made.text
    picked = made.json()
    assert (picked["status"], picked["own_worker"], picked["recruiter_id"]) == (
        "pending",
        True,
        str(agency.business_id),
    )
    assert (picked["position_title"], picked["occupation"], picked["destination_country"]) == (
        "Bricklayer",
        "7112",
        "AE",
    )
    assert picked["worker"]["view"] == "full" and picked["worker"]["full_name"] == "Sita Gurung"
    [entry] = await audit_entries(registry_app, picked["id"], "offer.made")
    assert entry["actor"] == agency.actor
    [event] = await published.wait_for("registry.offer.made", picked["id"])
    assert event.data["worker_id"] == worker["id"] and event.data["recruiter_id"] == str(agency.business_id)
    assert not any(value in event.to_json().decode() for value in PERSONAL)

    again = await offer(registry, minter, agency, order, worker["id"])
    assert again.status_code == 409 and again.json()["type"] == "urn:fairpath:problem:offer_pending"

    mine = await registry.get("/v1/offers", headers=minter.headers(worker_principal(worker["id"])))
    assert [o["id"] for o in mine.json()["items"]] == [picked["id"]]
    assert mine.json()["items"][0]["worker"] is None  # the worker knows their own record
    accepted = await answer(registry, minter, worker["id"], picked["id"], "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["closed_at"] is not None
    [event] = await published.wait_for("registry.offer.accepted", picked["id"])
    assert {k: event.data[k] for k in ("offer_id", "worker_id", "recruiter_id", "job_order_id")} == {
        "offer_id": picked["id"],
        "worker_id": worker["id"],
        "recruiter_id": str(agency.business_id),
        "job_order_id": str(order.job_order_id),
    }
    assert await audit_entries(registry_app, picked["id"], "offer.accepted")

    twice = await answer(registry, minter, worker["id"], picked["id"], "decline")
    assert twice.status_code == 409 and twice.json()["type"] == "urn:fairpath:problem:offer_not_pending"
    withdrawn = await registry.post(f"/v1/offers/{picked['id']}/withdraw", headers=minter.headers(agency))
    assert withdrawn.status_code == 409


async def test_a_worker_off_the_caller_s_shortlist_is_answered_as_an_unknown_worker(
    registry, registry_app, broker, minter, businesses
):
    agency, other_agency = new_agency(), new_agency()
    employer = await businesses.employer(recruiting=other_agency)
    order = await post_job_order(broker, registry_app, employer.business_id, [agency.business_id], position("7112"))
    not_consenting = await register(registry, minter, other_agency, skills=skill("7112"))
    other_trade = await register(registry, minter, agency, skills=skill("9313"))
    consenting = await register(
        registry,
        minter,
        other_agency,
        skills=skill("7112"),
        consents=[REGISTRATION, considered_by(employer.business_id)],
    )
    unknown = uuid.uuid4()

    def comparable(response, worker_id):
        return response.status_code, response.json()["type"], response.json()["detail"].replace(str(worker_id), "ID")

    expected = comparable(await offer(registry, minter, agency, order, unknown), unknown)
    assert expected[0] == 404
    for worker in (not_consenting, other_trade, consenting):  # the last consents to the employer, not the agency
        assert comparable(await offer(registry, minter, agency, order, worker["id"]), worker["id"]) == expected

    # A job order the caller does not recruit for, and a position of another job order, are unknown ids too.
    stranger = new_agency()
    assert (await offer(registry, minter, stranger, order, unknown)).status_code == 404
    elsewhere = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    wrong_position = await offer(registry, minter, agency, order, unknown, elsewhere.positions[0].position_id)
    assert wrong_position.status_code == 404
    assert (await offer(registry, minter, worker_principal(consenting["id"]), order, unknown)).status_code == 403


async def test_the_employer_picks_a_consenting_worker_and_sees_their_profile_only_while_the_offer_stands(
    registry, registry_app, broker, minter, businesses
):
    other_agency = new_agency()
    employer = await businesses.employer(recruiting=other_agency)
    worker = await register(
        registry,
        minter,
        other_agency,
        skills=skill("7112"),
        consents=[REGISTRATION, considered_by(employer.business_id)],
    )
    order = await post_job_order(broker, registry_app, employer.business_id, [], position("7112"))
    made = await offer(registry, minter, employer, order, worker["id"])
    assert made.status_code == 201, made.text
    shown = made.json()["worker"]
    assert shown["view"] == "profile" and "full_name" not in shown and shown["birth_year"] == 1996
    assert await audit_entries(registry_app, worker["id"], "worker.read")

    # Another recruiter, and another worker, do not reach it; only the worker answers it.
    assert (
        await registry.get(f"/v1/offers/{made.json()['id']}", headers=minter.headers(new_agency()))
    ).status_code == 404
    stranger = worker_principal(uuid.uuid4())
    assert (await registry.get(f"/v1/offers/{made.json()['id']}", headers=minter.headers(stranger))).status_code == 404
    by_employer = await registry.post(f"/v1/offers/{made.json()['id']}/accept", headers=minter.headers(employer))
    assert by_employer.status_code == 403

    declined = await answer(registry, minter, worker["id"], made.json()["id"], "decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    seen = await registry.get(f"/v1/offers/{made.json()['id']}", headers=minter.headers(employer))
    assert seen.json()["status"] == "declined" and seen.json()["worker"] is None
    listed = await registry.get("/v1/offers", params={"status": "declined"}, headers=minter.headers(employer))
    assert [o["id"] for o in listed.json()["items"]] == [made.json()["id"]]


async def test_the_worker_s_acceptance_brings_them_within_the_recruiter_s_reach_in_full(
    registry, registry_app, broker, minter, businesses
):
    other_agency = new_agency()
    employer = await businesses.employer(recruiting=other_agency)
    worker = await register(
        registry,
        minter,
        other_agency,
        skills=skill("7112"),
        consents=[REGISTRATION, considered_by(employer.business_id)],
    )
    order = await post_job_order(broker, registry_app, employer.business_id, [], position("7112"))
    made = (await offer(registry, minter, employer, order, worker["id"])).json()
    assert made["worker"]["view"] == "profile" and "full_name" not in made["worker"]

    accepted = await answer(registry, minter, worker["id"], made["id"], "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    seen = (await registry.get(f"/v1/offers/{made['id']}", headers=minter.headers(employer))).json()
    # What a contract and a visa need: the worker's identity, shown to the recruiter they accepted, and audited.
    assert seen["worker"]["view"] == "full" and seen["worker"]["full_name"] == "Sita Gurung"
    reads = await audit_entries(registry_app, worker["id"], "worker.read")
    assert len(reads) >= 2  # the profile read at the pick, the full read after the acceptance


async def test_withdrawing_the_consent_to_be_considered_withdraws_the_pending_offer(
    registry, registry_app, broker, minter, businesses
):
    other_agency = new_agency()
    employer = await businesses.employer(recruiting=other_agency)
    worker = await register(
        registry,
        minter,
        other_agency,
        skills=skill("7112"),
        consents=[REGISTRATION, considered_by(employer.business_id)],
    )
    order = await post_job_order(broker, registry_app, employer.business_id, [], position("7112"))
    made = (await offer(registry, minter, employer, order, worker["id"])).json()
    withdrawn = await registry.post(
        f"/v1/workers/{worker['id']}/consents",
        json=considered_by(employer.business_id, False) | {"method": "self_service"},
        headers=minter.headers(worker_principal(worker["id"])),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    # At once, the offer can no longer be accepted; the withdrawal follows from the worker's own event.
    refused = await answer(registry, minter, worker["id"], made["id"], "accept")
    assert refused.status_code == 409

    async def closed():
        r = await registry.get(f"/v1/offers/{made['id']}", headers=minter.headers(employer))
        return r.json() if r.json()["status"] == "withdrawn" else None

    found = await wait_until(closed, message="the pending offer to be withdrawn with the consent")
    assert found["withdrawal_reason"] == "consent_withdrawn" and found["worker"] is None
    [entry] = await audit_entries(registry_app, made["id"], "offer.withdrawn")
    assert entry["actor"] == "system:registry.offers"


async def test_the_recruiter_withdraws_a_pending_offer(registry, registry_app, broker, minter):
    agency = new_agency()
    worker = await register(registry, minter, agency, skills=skill("7112"))
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    made = (await offer(registry, minter, agency, order, worker["id"])).json()
    by_worker = await registry.post(
        f"/v1/offers/{made['id']}/withdraw", headers=minter.headers(worker_principal(worker["id"]))
    )
    assert by_worker.status_code == 403
    withdrawn = await registry.post(f"/v1/offers/{made['id']}/withdraw", headers=minter.headers(agency))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawal_reason"] == "by_recruiter"
    late = await answer(registry, minter, worker["id"], made["id"], "accept")
    assert late.status_code == 409
    # A new offer of the same job order may follow.
    assert (await offer(registry, minter, agency, order, worker["id"])).status_code == 201


async def test_the_worker_s_journey_shows_offers_check_ins_the_return_home_and_the_next_season(
    registry, registry_app, broker, minter
):
    agency = new_agency()
    worker = await register(registry, minter, agency, skills=skill("7112"))
    order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    made = (await offer(registry, minter, agency, order, worker["id"])).json()
    employer_id, contract_id = uuid.uuid4(), uuid.uuid4()
    today = utcnow().date()
    returned = ContractReturned(
        version=7,
        contract_id=contract_id,
        worker_id=uuid.UUID(worker["id"]),
        employer_id=employer_id,
        status="completed",
        term="seasonal",
        start_date=today - timedelta(days=130),
        end_date=today - timedelta(days=10),
        destination_country="AE",
        occupation="7112",
        travel_date=today - timedelta(days=9),
        paid_by="employer",
        confirmed_home_at=utcnow(),
        rehire_eligible=True,
    )
    await publish_contract_event(broker, returned.model_copy(update={"version": 6, "confirmed_home_at": None}))
    await publish_contract_event(broker, returned)
    invitation = WorkerInvitedToNextSeason(
        version=1,
        invitation_id=uuid.uuid4(),
        worker_id=uuid.UUID(worker["id"]),
        employer_id=employer_id,
        job_order_id=uuid.uuid4(),
        previous_contract_id=contract_id,
        invited_at=utcnow(),
    )
    event = new_event(invitation, invitation.invitation_id)
    await broker.js.publish(event.nats_subject, event.to_json(), headers={"Nats-Msg-Id": event.id})

    async def journey():
        r = await registry.get(
            f"/v1/workers/{worker['id']}/journey", headers=minter.headers(worker_principal(worker["id"]))
        )
        assert r.status_code == 200, r.text
        found = r.json()
        return found if found["invitations"] and found["returns"] and found["returns"][0]["confirmed_home_at"] else None

    found = await wait_until(journey, message="the registry to learn of the return and the invitation")
    assert [o["id"] for o in found["offers"]] == [made["id"]] and found["check_ins"] == []
    [home] = found["returns"]
    assert (home["contract_id"], home["paid_by"], home["rehire_eligible"]) == (str(contract_id), "employer", True)
    [invited] = found["invitations"]
    assert invited["invitation_id"] == str(invitation.invitation_id)
    assert invited["job_order_id"] == str(invitation.job_order_id)

    assert (
        await registry.get(f"/v1/workers/{worker['id']}/journey", headers=minter.headers(agency))
    ).status_code == 200
    other = await registry.get(
        f"/v1/workers/{worker['id']}/journey", headers=minter.headers(worker_principal(uuid.uuid4()))
    )
    assert other.status_code == 404
    employer = make_principal(Role.employer, business_id=employer_id)
    assert (
        await registry.get(f"/v1/workers/{worker['id']}/journey", headers=minter.headers(employer))
    ).status_code == 403


async def test_the_worker_s_agency_sees_only_its_own_offers_in_the_journey_and_the_worker_sees_all(
    registry, registry_app, broker, minter, businesses
):
    agency = new_agency()
    # Another agency recruiting for an employer the worker's agency recruits for too (a co-recruiter).
    rival = make_principal(
        Role.agency, business_id=await businesses.known(kind="recruitment_agency", recruiting=agency)
    )
    worker = await register(
        registry, minter, agency, skills=skill("7112"), consents=[REGISTRATION, considered_by(rival.business_id)]
    )
    own_order = await post_job_order(broker, registry_app, uuid.uuid4(), [agency.business_id], position("7112"))
    rival_order = await post_job_order(broker, registry_app, uuid.uuid4(), [rival.business_id], position("7112"))
    own = (await offer(registry, minter, agency, own_order, worker["id"])).json()
    theirs = await offer(registry, minter, rival, rival_order, worker["id"])
    assert theirs.status_code == 201, theirs.text

    def offers_seen_by(principal):
        return registry.get(f"/v1/workers/{worker['id']}/journey", headers=minter.headers(principal))

    by_worker = (await offers_seen_by(worker_principal(worker["id"]))).json()
    assert {o["id"] for o in by_worker["offers"]} == {own["id"], theirs.json()["id"]}
    # Another recruiter's job order is not the registering agency's business.
    by_agency = (await offers_seen_by(agency)).json()
    assert [o["id"] for o in by_agency["offers"]] == [own["id"]]
