"""What callers type: text without control characters (prose keeps tab and line breaks), normalised to NFC, and
dates in a plausible range; each refusal a 422 naming the field and the rule, on drafting, checking and changing."""

import pytest

from .test_rules import check, rules_of


@pytest.mark.parametrize(
    "section, name, value, field",
    [
        ("job", "title", "Ma\x00son", "terms.job.title"),
        ("job", "description", "Brick\x00laying", "terms.job.description"),
        ("parties.worker", "full_name", "Sita\x00Tamang", "terms.parties.worker.full_name"),
        ("parties.employer", "legal_name", "Gulf\x1bHorizon", "terms.parties.employer.legal_name"),
        ("parties.employer", "address", "Street 12\x00", "terms.parties.employer.address"),
        ("workplace", "address", "Lusail\nMarina", "terms.workplace.address"),
        ("pay", "calculation", "monthly\tbasic wage", "terms.pay.calculation"),
        (
            "dispute_settlement.grievance_contact",
            "phone",
            "+974\x004000",
            "terms.dispute_settlement.grievance_contact.phone",
        ),
    ],
)
async def test_control_characters_in_text_are_refused_naming_the_field(world, section, name, value, field):
    p = await world.parties()
    terms = p.terms()
    target = terms
    for key in section.split("."):
        target = target[key]
    target[name] = value
    assert (field, "control_character") in rules_of(await p.create(terms))


async def test_a_nul_in_the_job_title_is_refused_on_a_change_too(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"job": {"title": "Ma\x00son"}}},
        headers=world.headers(p.agency_user),
    )
    assert ("terms.job.title", "control_character") in rules_of(r)


async def test_prose_keeps_tabs_and_line_breaks_and_text_is_stored_in_nfc(world):
    p = await world.parties()
    terms = p.terms()
    terms["job"]["description"] = "Brick laying:\n\t- towers\r\n\t- villas"
    terms["dispute_settlement"]["procedure"] = "1. Talk to the supervisor.\n2. Call the helpline."
    terms["parties"]["worker"]["full_name"] = "Jose\u0301 Dela Cruz"  # e + combining acute
    created = await p.contract(terms)
    assert created["terms"]["job"]["description"] == "Brick laying:\n\t- towers\r\n\t- villas"
    assert created["terms"]["parties"]["worker"]["full_name"] == "Jos\u00e9 Dela Cruz"


@pytest.mark.parametrize(
    "period, field, rule",
    [
        ({"departure_date": "1999-12-20", "start_date": "1999-12-28"}, "terms.period.start_date", "date_too_early"),
        ({"departure_date": "1999-12-20", "start_date": "1999-12-28"}, "terms.period.departure_date", "date_too_early"),
        ({"departure_date": "9999-12-01", "start_date": "9999-12-02"}, "terms.period.start_date", "date_too_late"),
    ],
)
async def test_contract_dates_outside_a_plausible_range_are_refused(world, period, field, rule):
    p = await world.parties()
    terms = p.terms()
    terms["period"] |= period
    assert (field, rule) in rules_of(await p.create(terms))
    assert (field, rule) in rules_of(await check(p, terms))


async def test_a_contract_starting_in_1999_is_refused_on_a_change(world):
    p = await world.parties()
    created = await p.contract()
    r = await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"period": {"departure_date": "1999-03-01", "start_date": "1999-03-02"}}},
        headers=world.headers(p.agency_user),
    )
    assert ("terms.period.start_date", "date_too_early") in rules_of(r)


async def test_a_signature_dated_before_the_contract_was_issued_is_refused(world):
    p = await world.parties()
    issued = await p.issued()
    r = await p.post(
        issued["id"],
        "sign",
        {"version": 1, "method": "electronic", "signed_at": "2001-01-01T00:00:00Z"},
        as_=p.worker_user,
    )
    assert ("signed_at", "date_too_early") in rules_of(r)


@pytest.mark.parametrize(
    "row, field, rule",
    [
        ({"source": "Wage order\x00 1"}, "items.0.source", "control_character"),
        ({"effective_from": "1850-01-01"}, "items.0.effective_from", "date_too_early"),
    ],
)
async def test_reference_rows_refuse_control_characters_and_implausible_dates(world, row, field, rule):
    base = {
        "country": "QA",
        "amount": 100000,
        "currency": "QAR",
        "period": "month",
        "source": "Test wage order",
        "effective_from": "2026-01-01",
    }
    r = await world.client.put(
        "/v1/reference/minimum-wages", json={"items": [base | row]}, headers=world.headers(world.admin)
    )
    assert (field, rule) in rules_of(r)


async def test_an_exchange_rate_observed_in_the_future_is_refused(world):
    r = await world.client.put(
        "/v1/reference/exchange-rates",
        json={
            "items": [
                {
                    "base_currency": "USD",
                    "quote_currency": "QAR",
                    "rate": "3.64",
                    "source": "Test",
                    "as_of": "2090-01-01",
                }
            ]
        },
        headers=world.headers(world.admin),
    )
    assert ("items.0.as_of", "date_in_future") in rules_of(r)


async def test_an_end_dated_before_2000_is_refused(world):
    p = await world.parties()
    created = await p.contract()
    r = await p.post(
        created["id"],
        "terminate",
        {"terminated_on": "1999-06-30", "reason": "resignation", "ended_by": "worker"},
        as_=p.worker_user,
    )
    assert ("terminated_on", "date_too_early") in rules_of(r)
