"""Job orders under service agreements: the employer pays every cost, contracts stay within the places offered."""

import asyncio
import json
import uuid

import pytest
from sqlalchemy import select

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal

from .conftest import Parties


async def test_a_job_order_records_its_agreements_and_positions(world):
    p = await world.parties()
    order = p.order
    assert order["service_agreements"][0]["employer_pays_all_costs"] is True
    position = order["positions"][0]
    assert position["occupation_title"] == "Bricklayers and related workers"
    assert position["number_of_workers"] == 5 and position["contracts_drafted"] == 0
    await p.contract()
    r = await world.client.get(f"/v1/job-orders/{order['id']}", headers=world.headers(p.employer_user))
    assert r.status_code == 200 and r.json()["positions"][0]["contracts_drafted"] == 1


async def test_a_service_agreement_where_the_worker_may_pay_is_refused(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["service_agreements"][0]["employer_pays_all_costs"] = False
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 422
    assert r.json()["violations"] == [
        {
            "field": "service_agreements.0.employer_pays_all_costs",
            "rule": "employer_pays",
            "message": r.json()["violations"][0]["message"],
        }
    ]


async def test_a_job_order_for_businesses_vetting_holds_something_against_lists_each(world):
    employer = await world.business("employer", "rejected")
    agency = await world.business("recruitment_agency", "suspended")
    r = await world.client.post(
        "/v1/job-orders", json=world.job_order_body(employer, agency), headers=world.headers(world.admin)
    )
    assert r.status_code == 422
    assert {(v["field"], v["rule"]) for v in r.json()["violations"]} == {
        ("employer_id", "employer_not_approved"),
        ("service_agreements.0.agency_id", "recruiter_suspended"),
    }


async def test_a_job_order_may_wait_for_vetting_but_its_contracts_may_not(world):
    employer = await world.business("employer", "registered")
    agency = await world.business("recruitment_agency", "registered", version=1)  # vetting is still deciding
    order = await world.job_order(employer, agency)
    await world.business("recruitment_agency", "approved", business_id=agency)
    p_worker = await world.worker()
    p = Parties(world, employer, agency, p_worker, order)
    r = await p.create()
    assert r.status_code == 422
    assert ("terms.parties.employer.business_id", "employer_not_approved") in {
        (v["field"], v["rule"]) for v in r.json()["violations"]
    }


async def test_contracts_stay_within_the_number_of_workers(world):
    p = await world.parties(workers=2)
    await p.contract()
    await p.contract()
    r = await p.create()
    assert r.status_code == 422
    assert ("position_id", "positions_filled") in {(v["field"], v["rule"]) for v in r.json()["violations"]}


async def test_an_employer_records_job_orders_only_for_itself(world):
    agency = await world.business("recruitment_agency")
    employer = await world.business("employer", recruiter_ids=[agency])
    other = make_principal(Role.employer, business_id=uuid.uuid4())
    r = await world.client.post(
        "/v1/job-orders", json=world.job_order_body(employer, agency), headers=world.headers(other)
    )
    assert r.status_code == 403
    own = make_principal(Role.employer, business_id=employer)
    r = await world.client.post(
        "/v1/job-orders", json=world.job_order_body(employer, agency), headers=world.headers(own)
    )
    assert r.status_code == 201


async def test_job_orders_are_out_of_reach_of_other_businesses(world):
    p = await world.parties()
    stranger = make_principal(Role.agency, business_id=uuid.uuid4())
    assert (
        await world.client.get(f"/v1/job-orders/{p.order['id']}", headers=world.headers(stranger))
    ).status_code == 404
    mine = await world.client.get("/v1/job-orders", headers=world.headers(p.agency_user))
    assert [o["id"] for o in mine.json()["items"]] == [p.order["id"]]
    assert (await world.client.get("/v1/job-orders", headers=world.headers(stranger))).json()["items"] == []


@pytest.mark.parametrize("role", [Role.worker, Role.auditor, Role.compliance_officer])
async def test_only_employers_agencies_and_admins_record_job_orders(world, role):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    r = await world.client.post(
        "/v1/job-orders", json=world.job_order_body(employer, agency), headers=world.headers(make_principal(role))
    )
    assert r.status_code == 403


async def test_a_job_order_names_a_unit_group_of_isco08(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["positions"][0]["occupation"] = "9999"
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "positions.0.occupation"


async def test_contracts_drafted_at_once_never_exceed_the_places(world):
    p = await world.parties(workers=2)
    results = await asyncio.gather(*(p.create() for _ in range(5)))
    assert sorted(r.status_code for r in results) == [201, 201, 422, 422, 422]


async def test_a_wage_in_rupiah_fits_in_minor_units(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency, pay_amount=2_500_000_000, currency="IDR")  # 25,000,000.00 IDR
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 201 and r.json()["positions"][0]["offered"]["pay_amount"] == 2_500_000_000


async def test_a_job_order_naming_an_unknown_business_is_422_naming_each_field(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    for body, field, rule in (
        (world.job_order_body(uuid.uuid4(), agency), "employer_id", "employer_not_vetted"),
        (world.job_order_body(employer, uuid.uuid4()), "service_agreements.0.agency_id", "recruiter_not_vetted"),
    ):
        r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
        assert r.status_code == 422, r.text
        assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [(field, rule)]
    # The wording names no business and no id: the same for any id contracts cannot point to.
    messages = set()
    for _ in range(2):
        r = await world.client.post(
            "/v1/job-orders", json=world.job_order_body(uuid.uuid4(), agency), headers=world.headers(world.admin)
        )
        messages.add(r.json()["violations"][0]["message"])
    (message,) = messages
    assert str(employer) not in message and "Gulf" not in message


async def test_a_second_agreement_with_an_unknown_agency_is_named_by_its_index(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["service_agreements"].append(
        {"agency_id": str(uuid.uuid4()), "signed_on": "2026-10-02", "employer_pays_all_costs": True}
    )
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 422
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [
        ("service_agreements.1.agency_id", "recruiter_not_vetted")
    ]


@pytest.mark.parametrize(
    "change, field, rule",
    [
        (lambda b: b["positions"][0].update(title="Ma\x00son"), "positions.0.title", "control_character"),
        (lambda b: b["positions"][0].update(title="Mason\nforeman"), "positions.0.title", "control_character"),
        (lambda b: b.update(reference="DL\t117"), "reference", "control_character"),
        (
            lambda b: b["service_agreements"][0].update(reference="SA-\x07"),
            "service_agreements.0.reference",
            "control_character",
        ),
        (
            lambda b: b["service_agreements"][0].update(signed_on="1999-12-31"),
            "service_agreements.0.signed_on",
            "date_too_early",
        ),
        (
            lambda b: b["service_agreements"][0].update(signed_on="2099-01-01"),
            "service_agreements.0.signed_on",
            "date_in_future",
        ),
    ],
)
async def test_a_job_order_refuses_control_characters_and_implausible_dates(world, change, field, rule):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    change(body)
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 422, r.text
    assert (field, rule) in {(v["field"], v["rule"]) for v in r.json()["violations"]}


async def test_a_job_title_is_stored_in_nfc(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["positions"][0]["title"] = "Mac\u0327on"  # c + combining cedilla
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 201 and r.json()["positions"][0]["title"] == "Ma\u00e7on"


async def test_a_position_s_languages_and_years_of_experience_are_kept_shown_and_posted_for_matching(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["positions"][0] |= {"languages": ["en", "ar", "pt-BR"], "min_years_experience": 3}
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 201, r.text
    [position] = r.json()["positions"]
    assert position["languages"] == ["en", "ar", "pt-BR"] and position["min_years_experience"] == 3
    read = await world.client.get(f"/v1/job-orders/{r.json()['id']}", headers=world.headers(world.admin))
    assert read.json()["positions"][0]["languages"] == ["en", "ar", "pt-BR"]
    assert read.json()["positions"][0]["min_years_experience"] == 3

    outbox = world.app.state.ledger.outbox
    async with world.app.state.database.session(read_only=True) as s:
        bodies = (await s.execute(select(outbox.c.body))).scalars().all()
    [posted] = [e for e in map(json.loads, bodies) if e["subject"] == r.json()["id"]]
    assert posted["type"] == "org.fairpath.contracts.job_order.posted.v1"
    [carried] = posted["data"]["positions"]
    assert carried["languages"] == ["en", "ar", "pt-BR"] and carried["minimum_years"] == 3


async def test_a_position_asks_no_language_or_experience_unless_it_says_so(world):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    order = await world.job_order(employer, agency)
    assert order["positions"][0]["languages"] == [] and order["positions"][0]["min_years_experience"] is None


@pytest.mark.parametrize(
    "asked, field, rule",
    [
        ({"languages": ["english"]}, "positions.0.languages.0", "language_tag"),
        ({"languages": ["en", "xx"]}, "positions.0.languages.1", "language_tag"),
        ({"languages": ["en", "en"]}, "positions.0.languages", "duplicate"),
        ({"min_years_experience": -1}, "positions.0.min_years_experience", "greater_than_equal"),
        ({"min_years_experience": 61}, "positions.0.min_years_experience", "less_than_equal"),
    ],
)
async def test_a_position_s_languages_are_bcp47_tags_each_once_and_its_years_a_plausible_count(
    world, asked, field, rule
):
    employer, agency = await world.business("employer"), await world.business("recruitment_agency")
    body = world.job_order_body(employer, agency)
    body["positions"][0] |= asked
    r = await world.client.post("/v1/job-orders", json=body, headers=world.headers(world.admin))
    assert r.status_code == 422, r.text
    assert [(v["field"], v["rule"]) for v in r.json()["violations"]] == [(field, rule)]
