"""Substitution detection: each difference between signed and presented terms classified for the worker."""

import copy
import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from fairpath.common.domain_codes import ChangeDirection
from fairpath.common.events.catalogue import ContractSubstitutionDetected
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.reference.service import ExchangeRates
from fairpath.contracts.substitution.service import compare_terms

from .conftest import contract_terms

LESS, NEUTRAL, MORE = (ChangeDirection.less_favourable, ChangeDirection.neutral, ChangeDirection.more_favourable)
SIGNED = contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
NO_RATES = ExchangeRates({})
RATES = ExchangeRates({("USD", "QAR"): Decimal("3.64")})


def classify(change, rates: ExchangeRates = NO_RATES) -> dict[str, ChangeDirection]:
    presented = copy.deepcopy(SIGNED)
    change(presented)
    diffs = compare_terms(ContractTerms.model_validate(SIGNED), ContractTerms.model_validate(presented), rates)
    return {d.field: d.change for d in diffs}


def test_identical_terms_have_no_difference():
    assert classify(lambda t: None) == {}


def test_lower_pay_is_less_favourable():
    found = classify(lambda t: t["pay"].update(amount=150000))
    assert found == {"terms.pay.amount": LESS, "terms.pay.effective_hourly_rate": LESS}


def test_higher_pay_is_more_favourable():
    assert classify(lambda t: t["pay"].update(amount=200000))["terms.pay.amount"] == MORE


def test_the_same_pay_stated_per_week_instead_of_per_month_is_judged_by_the_hourly_rate():
    # 1,800 QAR a month at 48 h a week = 8.654 QAR/h; 400 QAR a week = 8.333 QAR/h: less, although "more often"
    found = classify(lambda t: t["pay"].update(amount=40000, period="week"))
    assert found["terms.pay.period"] == LESS and found["terms.pay.effective_hourly_rate"] == LESS
    found = classify(lambda t: t["pay"].update(amount=41600, period="week"))  # 8.667 QAR/h
    assert found["terms.pay.period"] == MORE


def test_the_same_monthly_pay_for_longer_hours_is_a_lower_hourly_rate():
    found = classify(lambda t: t["hours"].update(normal_hours_per_week=54))
    assert found["terms.hours.normal_hours_per_week"] == LESS
    assert found["terms.pay.effective_hourly_rate"] == LESS


def test_a_currency_change_without_an_exchange_rate_is_less_favourable():
    found = classify(lambda t: t["pay"].update(currency="USD", amount=60000))
    assert found["terms.pay.currency"] == LESS and found["terms.pay.amount"] == LESS


def test_a_currency_change_is_converted_with_the_operators_rate():
    # 500 USD × 3.64 = 1,820 QAR > 1,800 QAR signed
    assert classify(lambda t: t["pay"].update(currency="USD", amount=50000), RATES)["terms.pay.currency"] == MORE
    # 480 USD × 3.64 = 1,747.20 QAR < 1,800 QAR signed
    assert classify(lambda t: t["pay"].update(currency="USD", amount=48000), RATES)["terms.pay.currency"] == LESS


def test_the_inverse_rate_is_used_when_only_the_other_direction_is_on_file():
    signed_in_usd = ExchangeRates({("QAR", "USD"): Decimal("0.25")})
    # 1,800 QAR at 0.25 = 450 USD; presented 460 USD is more
    presented_usd = classify(lambda t: t["pay"].update(currency="USD", amount=46000), signed_in_usd)
    assert presented_usd["terms.pay.currency"] == MORE


def test_a_new_deduction_is_less_favourable():
    found = classify(
        lambda t: t["pay"]["deductions"].append({"reason": "housing", "description": "bed space", "amount": 20000})
    )
    assert found == {"terms.pay.deductions.housing": LESS}


def test_a_larger_deduction_is_less_favourable_and_a_smaller_one_more():
    base = [{"reason": "food", "description": "canteen", "amount": 10000}]
    SIGNED["pay"]["deductions"].extend(base)
    try:
        assert classify(lambda t: t["pay"]["deductions"][1].update(amount=15000)) == {"terms.pay.deductions.food": LESS}
        assert classify(lambda t: t["pay"]["deductions"][1].update(amount=5000)) == {"terms.pay.deductions.food": MORE}
        assert classify(lambda t: t["pay"]["deductions"].pop(1)) == {"terms.pay.deductions.food": MORE}
    finally:
        SIGNED["pay"]["deductions"].pop(1)


def test_a_deduction_that_recovers_a_recruitment_cost_is_less_favourable():
    found = classify(
        lambda t: t["pay"]["deductions"].append(
            {"reason": "other", "description": "visa", "amount": 5000, "fee_category": "administrative"}
        )
    )
    assert found == {"terms.pay.deductions.recruitment_cost_administrative": LESS}


@pytest.mark.parametrize(
    "section, field, value, direction",
    [
        ("hours", "normal_hours_per_day", 10, LESS),
        ("hours", "normal_hours_per_day", 7, MORE),
        ("rest", "weekly_rest_days", 0, LESS),
        ("rest", "weekly_rest_days", 2, MORE),
        ("leave", "paid_annual_leave_days", 14, LESS),
        ("leave", "paid_annual_leave_days", 30, MORE),
        ("leave", "sick_leave_days", 7, LESS),
        ("pay", "overtime_rate_percent", 100, LESS),
        ("period", "probation_days", 180, LESS),
        ("termination", "employer_notice_days", 7, LESS),
        ("termination", "worker_notice_days", 90, LESS),
        ("termination", "worker_may_leave_without_penalty", False, LESS),
    ],
)
def test_working_time_rest_leave_and_termination_changes(section, field, value, direction):
    assert classify(lambda t: t[section].update({field: value}))[f"terms.{section}.{field}"] == direction


def test_a_different_job_is_less_favourable():
    found = classify(lambda t: t["job"].update(occupation="9313", title="Building labourer"))
    assert found == {"terms.job.occupation": LESS, "terms.job.title": LESS}


def test_a_different_workplace_is_less_favourable():
    assert classify(lambda t: t["workplace"].update(city="Mesaieed")) == {"terms.workplace.city": LESS}


def test_a_different_duration_is_less_favourable_either_way():
    assert classify(lambda t: t["period"].update(duration_months=36)) == {"terms.period.duration_months": LESS}
    assert classify(lambda t: t["period"].update(duration_months=12)) == {"terms.period.duration_months": LESS}


def test_a_different_employer_is_less_favourable():
    found = classify(lambda t: t["parties"]["employer"].update(business_id=str(uuid.uuid4())))
    assert found == {"terms.parties.employer.business_id": LESS}


def test_costs_moved_to_the_worker_are_less_favourable():
    found = classify(lambda t: t["fee_statement"][1].update(paid_by="worker"))
    assert found == {"terms.fee_statement.travel_lodging": LESS}
    found = classify(lambda t: t["transport"].update(to_and_from_point_of_hire_paid_by="worker"))
    assert found == {"terms.transport.to_and_from_point_of_hire_paid_by": LESS}
    assert (
        classify(lambda t: t["medical"].update(insurance_paid_by="worker"))["terms.medical.insurance_paid_by"] == LESS
    )
    assert classify(lambda t: t["repatriation"].update(paid_by="worker"))["terms.repatriation.paid_by"] == LESS


def test_a_cost_the_employer_restates_is_neutral():
    assert classify(lambda t: t["fee_statement"][1].update(amount=130000)) == {
        "terms.fee_statement.travel_lodging": NEUTRAL
    }


def test_passport_custody_moved_to_the_employer_is_less_favourable():
    found = classify(lambda t: t["document_custody"].update(passport_kept_by="employer"))
    assert found == {"terms.document_custody.passport_kept_by": LESS}


def test_poorer_housing_or_food_is_less_favourable():
    found = classify(lambda t: t["food_and_housing"]["housing"].update(provision="not_provided"))
    assert found == {"terms.food_and_housing.housing.provision": LESS}
    found = classify(lambda t: t["food_and_housing"]["food"].update(cash_value=20000))
    assert found == {"terms.food_and_housing.food.cash_value": LESS}
    found = classify(lambda t: t["food_and_housing"].update(food={"provision": "provided_free"}))
    assert found == {"terms.food_and_housing.food.provision": MORE}


def test_new_grounds_for_dismissal_are_less_favourable():
    found = classify(lambda t: t["termination"]["grounds"].append("absence from accommodation"))
    assert found == {"terms.termination.grounds": LESS}


def test_wording_and_contacts_are_neutral_and_personal_values_are_not_kept():
    found = classify(
        lambda t: (
            t["dispute_settlement"]["grievance_contact"].update(phone="+974 4000 1111"),
            t["parties"]["worker"].update(full_name="Sita K. Tamang"),
        )
    )
    assert found == {
        "terms.dispute_settlement.grievance_contact.phone": NEUTRAL,
        "terms.parties.worker.full_name": NEUTRAL,
    }
    presented = copy.deepcopy(SIGNED)
    presented["parties"]["worker"]["full_name"] = "Sita K. Tamang"
    diff = compare_terms(ContractTerms.model_validate(SIGNED), ContractTerms.model_validate(presented), NO_RATES)
    assert "Sita" not in json.dumps([d.as_dict() for d in diff])


async def test_a_substitution_on_arrival_is_stored_returned_and_emitted_and_the_contract_disputed(world, contracts_app):
    p = await world.parties()
    signed = await p.signed()
    presented = copy.deepcopy(signed["terms"])
    presented["pay"]["amount"] = 150000
    presented["document_custody"]["passport_kept_by"] = "employer"
    presented["dispute_settlement"]["grievance_contact"]["phone"] = "+974 4000 2222"
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": presented}, as_=world.officer)
    assert r.status_code == 200, r.text
    finding = r.json()
    assert finding["substitution_found"] is True and finding["contract_status"] == "disputed"
    changes = {c["field"]: c["change"] for c in finding["changes"]}
    assert changes["terms.pay.amount"] == "less_favourable"
    assert changes["terms.document_custody.passport_kept_by"] == "less_favourable"
    assert changes["terms.dispute_settlement.grievance_contact.phone"] == "neutral"
    async with contracts_app.state.database.session(read_only=True) as s:
        bodies = (await s.execute(select(contracts_app.state.ledger.outbox.c.body))).scalars().all()
    events = [json.loads(b) for b in bodies if signed["id"] in b.decode() if b"substitution_detected" in b]
    assert len(events) == 1
    payload = ContractSubstitutionDetected.model_validate(events[0]["data"])
    assert payload.signed_version == 1 and set(payload.less_favourable) == {
        "terms.pay.amount",
        "terms.pay.effective_hourly_rate",
        "terms.document_custody.passport_kept_by",
    }
    got = await world.client.get(f"/v1/contracts/{signed['id']}", headers=world.headers(world.auditor))
    assert got.json()["status"] == "disputed" and got.json()["disputed_at"]
    stored = await world.client.get(
        f"/v1/contracts/{signed['id']}/arrival-verification", headers=world.headers(world.auditor)
    )
    assert stored.status_code == 200 and stored.json()["items"][0]["changes"] == finding["changes"]


async def test_a_disputed_contract_becomes_active_once_the_signed_terms_are_presented(world):
    p = await world.parties()
    signed = await p.signed()
    worse = copy.deepcopy(signed["terms"])
    worse["rest"]["weekly_rest_days"] = 0
    assert (await p.post(signed["id"], "arrival-verification", {"presented_terms": worse}, as_=world.officer)).json()[
        "contract_status"
    ] == "disputed"
    r = await p.post(signed["id"], "arrival-verification", {"presented_terms": signed["terms"]}, as_=world.officer)
    assert r.json()["substitution_found"] is False and r.json()["contract_status"] == "active"


async def test_a_currency_change_at_arrival_uses_the_recorded_rate(world):
    p = await world.parties()
    signed = await p.signed()
    await world.client.put(
        "/v1/reference/exchange-rates",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "base_currency": "USD",
                    "quote_currency": "QAR",
                    "rate": "3.64",
                    "source": "Test central bank",
                    "as_of": "2026-11-01",
                }
            ]
        },
    )
    try:
        presented = copy.deepcopy(signed["terms"])
        presented["pay"] |= {"currency": "USD", "amount": 50000}
        r = await p.post(signed["id"], "arrival-verification", {"presented_terms": presented}, as_=world.officer)
        assert r.json()["substitution_found"] is False
        assert {c["field"]: c["change"] for c in r.json()["changes"]}["terms.pay.currency"] == "more_favourable"
    finally:
        await world.client.put("/v1/reference/exchange-rates", headers=world.headers(world.admin), json={"items": []})


def test_housing_moved_from_free_to_charged_is_less_favourable_and_so_is_a_higher_charge():
    charged = SIGNED["food_and_housing"]["housing"] | {
        "provision": "charged_to_worker",
        "monthly_charge": 20000,
        "worker_agrees_to_deduction": True,
    }
    found = classify(lambda t: t["food_and_housing"].update(housing=charged))
    assert found == {
        "terms.food_and_housing.housing.provision": LESS,
        "terms.food_and_housing.housing.worker_agrees_to_deduction": NEUTRAL,
    }
    signed = copy.deepcopy(SIGNED)
    signed["food_and_housing"]["housing"] = charged

    def compare(charge: int) -> dict[str, ChangeDirection]:
        presented = copy.deepcopy(signed)
        presented["food_and_housing"]["housing"]["monthly_charge"] = charge
        diffs = compare_terms(ContractTerms.model_validate(signed), ContractTerms.model_validate(presented), NO_RATES)
        return {d.field: d.change for d in diffs}

    assert compare(25000) == {"terms.food_and_housing.housing.monthly_charge": LESS}
    assert compare(15000) == {"terms.food_and_housing.housing.monthly_charge": MORE}
    assert compare(20000) == {}
    # A charge where the worker was to find their own housing is a new deduction too.
    presented = copy.deepcopy(signed)
    signed["food_and_housing"]["housing"] = charged | {
        "provision": "not_provided",
        "monthly_charge": None,
        "worker_agrees_to_deduction": None,
    }
    diffs = compare_terms(ContractTerms.model_validate(signed), ContractTerms.model_validate(presented), NO_RATES)
    assert {d.field: d.change for d in diffs if d.change != NEUTRAL} == {
        "terms.food_and_housing.housing.provision": LESS
    }


def test_terms_without_a_charge_hash_as_before_charges_existed():
    dumped = ContractTerms.model_validate(SIGNED).model_dump(mode="json")["food_and_housing"]["housing"]
    assert "monthly_charge" not in dumped and "worker_agrees_to_deduction" not in dumped
