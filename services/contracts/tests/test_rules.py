"""The contract rules, at drafting, on every change and at /check: each a named violation, all listed at once."""

import uuid
from datetime import timedelta

import pytest

from fairpath.common.auth import Role
from fairpath.common.events.catalogue import BusinessExpired, WorkerErased
from fairpath.common.testing import make_principal
from fairpath.common.timeutil import utcnow
from fairpath.contracts.businesses.consumers import on_business_state
from fairpath.contracts.workers.consumers import on_worker_erased


def rules_of(response) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:fairpath:problem:validation"
    return {(v["field"], v["rule"]) for v in response.json()["violations"]}


async def check(p, terms: dict):
    return await p.world.client.post("/v1/contracts/check", json=p.draft(terms), headers=p.world.headers(p.agency_user))


async def test_check_of_a_valid_contract_passes_stores_nothing_and_warns_of_missing_tables(world):
    p = await world.parties()
    r = await check(p, p.terms())
    assert r.status_code == 200, r.text
    warnings = {w["rule"] for w in r.json()["warnings"]}
    assert {"minimum_wage_unknown", "working_time_baseline"} <= warnings
    listed = await world.client.get(
        "/v1/contracts", params={"job_order_id": p.order["id"]}, headers=world.headers(world.admin)
    )
    assert listed.json()["items"] == []


async def test_a_contract_breaking_many_rules_lists_every_violation_at_once(world):
    p = await world.parties()
    terms = p.terms(departure_in_days=3)
    terms["pay"]["amount"] = 100000
    terms["hours"] = {"normal_hours_per_day": 10, "normal_hours_per_week": 60}
    terms["rest"]["weekly_rest_days"] = 0
    terms["leave"]["paid_annual_leave_days"] = 10
    terms["fee_statement"][0]["paid_by"] = "worker"
    terms["document_custody"]["passport_kept_by"] = "employer"
    terms["termination"]["worker_may_leave_without_penalty"] = False
    terms["languages"]["worker_language"] = "bn"
    terms["languages"]["prevailing"] = "bn"
    found = rules_of(await check(p, terms))
    assert found >= {
        ("terms.pay.amount", "below_job_order"),
        ("terms.hours.normal_hours_per_week", "working_hours"),
        ("terms.rest.weekly_rest_days", "weekly_rest"),
        ("terms.leave.paid_annual_leave_days", "annual_leave"),
        ("terms.fee_statement.0.paid_by", "worker_paid_cost"),
        ("terms.document_custody.passport_kept_by", "document_custody"),
        ("terms.termination.worker_may_leave_without_penalty", "freedom_to_leave"),
        ("terms.languages.worker_language", "language_not_read"),
        ("terms.period.departure_date", "issue_notice"),
    }
    # the same terms are refused at drafting, with the same list
    assert rules_of(await p.create(terms)) == found


async def test_pay_below_the_minimum_wage_is_a_violation_naming_its_source(world):
    p = await world.parties()
    await world.client.put(
        "/v1/reference/minimum-wages",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "country": "QA",
                    "sector": "F",
                    "amount": 200000,
                    "currency": "QAR",
                    "period": "month",
                    "source": "Test wage order 1",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    )
    try:
        r = await check(p, p.terms())
        violation = next(v for v in r.json()["violations"] if v["rule"] == "minimum_wage")
        assert violation["field"] == "terms.pay.amount" and "Test wage order 1" in violation["message"]
        assert "2,000.00 QAR" in violation["message"]
    finally:
        await world.client.put("/v1/reference/minimum-wages", headers=world.headers(world.admin), json={"items": []})


async def test_pay_at_the_minimum_wage_passes_when_stated_per_hour(world):
    p = await world.parties(pay_amount=1000, pay_period="hour")
    await world.client.put(
        "/v1/reference/minimum-wages",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "country": "QA",
                    "amount": 100000,
                    "currency": "QAR",
                    "period": "month",
                    "source": "Test wage order 2",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    )
    try:
        terms = p.terms()
        terms["pay"] |= {"amount": 1000, "period": "hour"}  # 10 QAR × 208 h = 2,080 QAR a month
        r = await check(p, terms)
        assert r.status_code == 200, r.text
        assert "minimum_wage_unknown" not in {w["rule"] for w in r.json()["warnings"]}
    finally:
        await world.client.put("/v1/reference/minimum-wages", headers=world.headers(world.admin), json={"items": []})


async def test_pay_in_another_currency_than_the_minimum_wage_without_a_rate_is_a_violation(world):
    p = await world.parties()
    await world.client.put(
        "/v1/reference/minimum-wages",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "country": "QA",
                    "amount": 100000,
                    "currency": "QAR",
                    "period": "month",
                    "source": "Test wage order 3",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    )
    try:
        terms = p.terms()
        terms["pay"] |= {"amount": 60000, "currency": "USD"}
        assert ("terms.pay.currency", "minimum_wage_unverifiable") in rules_of(await check(p, terms))
    finally:
        await world.client.put("/v1/reference/minimum-wages", headers=world.headers(world.admin), json={"items": []})


async def test_operator_working_time_limits_replace_the_ilo_baselines(world):
    p = await world.parties(normal_hours_per_day=9, normal_hours_per_week=45)
    await world.client.put(
        "/v1/reference/working-time-limits",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "country": "QA",
                    "max_hours_per_week": 44,
                    "max_hours_per_day": 8,
                    "min_weekly_rest_days": 1,
                    "min_annual_leave_days": 21,
                    "source": "Test labour law",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    )
    try:
        terms = p.terms()
        terms["hours"] = {"normal_hours_per_day": 9, "normal_hours_per_week": 45}
        found = rules_of(await check(p, terms))
        assert ("terms.hours.normal_hours_per_week", "working_hours") in found
        assert ("terms.hours.normal_hours_per_day", "working_hours") in found
    finally:
        await world.client.put(
            "/v1/reference/working-time-limits", headers=world.headers(world.admin), json={"items": []}
        )


async def test_ilo_leave_baseline_is_three_working_weeks(world):
    p = await world.parties(paid_annual_leave_days=0)
    terms = p.terms()
    terms["leave"]["paid_annual_leave_days"] = 17  # six working days a week: three weeks are 18 days
    assert ("terms.leave.paid_annual_leave_days", "annual_leave") in rules_of(await check(p, terms))
    terms["leave"]["paid_annual_leave_days"] = 18
    assert (await check(p, terms)).status_code == 200


@pytest.mark.parametrize(
    "status, rule",
    [
        ("registered", "employer_not_approved"),
        ("suspended", "employer_suspended"),
        ("rejected", "employer_not_approved"),
    ],
)
async def test_an_employer_not_approved_by_vetting_cannot_be_party(world, status, rule):
    p = await world.parties()
    await world.business("employer", status, version=9, business_id=p.employer)
    assert ("terms.parties.employer.business_id", rule) in rules_of(await check(p, p.terms()))


async def test_an_unknown_employer_is_not_vetted(world):
    p = await world.parties()
    terms = p.terms()
    terms["parties"]["employer"]["business_id"] = str(uuid.uuid4())
    found = rules_of(
        await world.client.post("/v1/contracts/check", json=p.draft(terms), headers=world.headers(world.admin))
    )
    assert ("terms.parties.employer.business_id", "employer_not_vetted") in found
    assert ("terms.parties.employer.business_id", "not_the_job_order_employer") in found


async def test_a_conditional_approval_counts_until_its_deadline(world):
    p = await world.parties()
    await world.business(
        "recruitment_agency",
        "conditionally_approved",
        version=3,
        business_id=p.agency,
        condition_deadline=utcnow() + timedelta(days=10),
    )
    assert (await check(p, p.terms())).status_code == 200
    await world.business(
        "recruitment_agency",
        "conditionally_approved",
        version=4,
        business_id=p.agency,
        condition_deadline=utcnow() - timedelta(seconds=1),
    )
    assert ("terms.parties.recruiters.0.business_id", "recruiter_condition_deadline_passed") in rules_of(
        await check(p, p.terms())
    )


async def test_every_recruiter_in_the_chain_must_be_vetted_and_under_agreement(world):
    p = await world.parties()
    sub_agent = await world.business("recruitment_agency", "registered")
    await world.linked(p.employer, p.agency, sub_agent, version=3)  # vetting names it in the employer's chain
    terms = p.terms()
    terms["parties"]["recruiters"].append(
        {"business_id": str(sub_agent), "legal_name": "Village Sub-agent", "role": "sub_agent", "country": "NP"}
    )
    found = rules_of(await check(p, terms))
    assert ("terms.parties.recruiters.1.business_id", "recruiter_not_approved") in found
    assert ("terms.parties.recruiters.1.business_id", "no_service_agreement") in found


async def test_the_worker_must_be_registered_and_consent_to_employment_contracts(world):
    p = await world.parties()
    await world.worker(worker_id=p.worker, version=2, consents=["registration"])
    assert ("terms.parties.worker.worker_id", "consent_missing") in rules_of(await check(p, p.terms()))
    terms = p.terms()
    terms["parties"]["worker"]["worker_id"] = str(uuid.uuid4())
    assert ("terms.parties.worker.worker_id", "worker_not_registered") in rules_of(await check(p, terms))


async def test_a_language_without_a_template_is_a_violation(world):
    p = await world.parties()
    await world.worker(worker_id=p.worker, version=2, languages=["ne", "hi"])
    terms = p.terms()
    terms["languages"] |= {"worker_language": "hi", "prevailing": "hi"}
    assert ("terms.languages.worker_language", "language_not_available") in rules_of(await check(p, terms))


@pytest.mark.parametrize(
    "path, value, field, rule",
    [
        (
            ("transport", "to_and_from_point_of_hire_paid_by"),
            "worker",
            "terms.transport.to_and_from_point_of_hire_paid_by",
            "worker_paid_cost",
        ),
        (("medical", "insurance_paid_by"), "worker", "terms.medical.insurance_paid_by", "worker_paid_cost"),
        (("repatriation", "paid_by"), "worker", "terms.repatriation.paid_by", "repatriation_at_employer_cost"),
        (
            ("repatriation", "includes_repatriation_of_remains"),
            False,
            "terms.repatriation.includes_repatriation_of_remains",
            "repatriation_at_employer_cost",
        ),
        (
            ("document_custody", "identity_documents_kept_by"),
            "agency",
            "terms.document_custody.identity_documents_kept_by",
            "document_custody",
        ),
    ],
)
async def test_costs_and_documents_stay_off_the_worker(world, path, value, field, rule):
    p = await world.parties()
    terms = p.terms()
    terms[path[0]][path[1]] = value
    assert (field, rule) in rules_of(await check(p, terms))


async def test_a_fee_line_naming_the_worker_as_payer_is_refused_even_at_zero(world):
    p = await world.parties()
    terms = p.terms()
    terms["fee_statement"][0] |= {"paid_by": "worker", "amount": 0}
    assert ("terms.fee_statement.0.paid_by", "worker_paid_cost") in rules_of(await check(p, terms))


async def test_a_wage_deduction_recovering_a_recruitment_cost_is_worker_paid(world):
    p = await world.parties()
    terms = p.terms()
    terms["pay"]["deductions"].append(
        {"reason": "other", "description": "visa cost recovery", "amount": 10000, "fee_category": "administrative"}
    )
    assert ("terms.pay.deductions.1.fee_category", "worker_paid_cost") in rules_of(await check(p, terms))


async def test_an_illegitimate_cost_is_never_allowed_even_employer_paid(world):
    p = await world.parties()
    terms = p.terms()
    terms["fee_statement"].append(
        {"category": "illegitimate", "description": "deposit", "amount": 1000, "currency": "QAR", "paid_by": "employer"}
    )
    assert ("terms.fee_statement.2.category", "illegitimate_cost") in rules_of(await check(p, terms))


async def test_a_contract_offering_less_than_its_job_order_is_refused(world):
    p = await world.parties()
    terms = p.terms()
    terms["pay"]["amount"] = 179999
    terms["period"]["duration_months"] = 12
    terms["food_and_housing"]["housing"] = {"provision": "cash_allowance", "cash_value": 20000}
    terms["job"]["occupation"] = "9313"
    found = rules_of(await check(p, terms))
    assert found >= {
        ("terms.pay.amount", "below_job_order"),
        ("terms.period.duration_months", "below_job_order"),
        ("terms.food_and_housing.housing.provision", "below_job_order"),
        ("terms.job.occupation", "occupation_differs"),
    }


async def test_pay_offered_per_month_is_matched_by_the_same_hourly_rate_per_week(world):
    p = await world.parties()
    terms = p.terms()
    # 1,800 QAR a month at 48 h a week is 8.654 QAR an hour; 416 QAR a week is 8.667 QAR an hour
    terms["pay"] |= {"amount": 41600, "period": "week"}
    assert (await check(p, terms)).status_code == 200
    terms["pay"]["amount"] = 41500
    assert ("terms.pay.amount", "below_job_order") in rules_of(await check(p, terms))


async def test_an_unknown_occupation_code_is_rejected_by_shape(world):
    p = await world.parties()
    terms = p.terms()
    terms["job"]["occupation"] = "711"  # a minor group, not a unit group
    r = await check(p, terms)
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "terms.job.occupation"


async def test_an_agency_drafts_only_contracts_naming_it(world):
    p = await world.parties()
    outsider = make_principal(Role.agency, business_id=uuid.uuid4())
    r = await p.create(as_=outsider)
    assert r.status_code == 403


@pytest.mark.parametrize("role", [Role.worker, Role.auditor, Role.compliance_officer])
async def test_roles_that_never_draft_get_403(world, role):
    p = await world.parties()
    r = await p.create(as_=make_principal(role, worker_id=p.worker))
    assert r.status_code == 403


async def test_a_request_without_principal_is_401(world):
    assert (await world.client.post("/v1/contracts/check", json={})).status_code == 401


async def test_an_erased_worker_cannot_be_contracted_and_a_late_registration_does_not_revive_them(world):
    p = await world.parties()
    await world.apply(on_worker_erased, WorkerErased(version=5, worker_id=p.worker, erased_at=utcnow()))
    await world.worker(worker_id=p.worker, version=4)  # an older registration event, delivered late
    assert ("terms.parties.worker.worker_id", "worker_not_registered") in rules_of(await check(p, p.terms()))


async def test_an_approval_that_expired_by_event_blocks_the_employer(world):
    p = await world.parties()
    await world.apply(
        on_business_state,
        BusinessExpired(
            version=7,
            business_id=p.employer,
            kind="employer",
            legal_name="Gulf Horizon Construction LLC",
            country="QA",
            status="expired",
            expired_at=utcnow(),
        ),
    )
    assert ("terms.parties.employer.business_id", "employer_approval_expired") in rules_of(await check(p, p.terms()))


def charged_housing(terms: dict, charge: int, agreed: bool | None = True) -> dict:
    housing = {"provision": "charged_to_worker", "monthly_charge": charge, "description": "shared room"}
    if agreed is not None:
        housing["worker_agrees_to_deduction"] = agreed
    terms["food_and_housing"]["housing"] = housing
    return terms


@pytest.mark.parametrize("agreed", [None, False])
async def test_housing_charged_to_the_worker_needs_their_agreement_to_the_deduction(world, agreed):
    p = await world.parties(housing="charged_to_worker")
    terms = charged_housing(p.terms(), 20000, agreed)
    assert ("terms.food_and_housing.housing.worker_agrees_to_deduction", "deduction_not_agreed") in rules_of(
        await check(p, terms)
    )
    assert (await check(p, charged_housing(p.terms(), 20000, True))).status_code == 200


async def test_a_housing_charge_states_its_amount(world):
    p = await world.parties(housing="charged_to_worker")
    terms = p.terms()
    terms["food_and_housing"]["housing"] = {"provision": "charged_to_worker", "worker_agrees_to_deduction": True}
    assert ("terms.food_and_housing.housing", "value_error") in rules_of(await check(p, terms))


async def test_housing_charged_where_the_job_order_offers_it_free_is_below_the_job_order(world):
    p = await world.parties()  # the job order offers housing provided free
    found = rules_of(await check(p, charged_housing(p.terms(), 20000)))
    assert ("terms.food_and_housing.housing.provision", "below_job_order") in found


async def test_pay_after_the_housing_charge_and_deductions_must_reach_the_minimum_wage(world):
    p = await world.parties(housing="charged_to_worker")
    await world.client.put(
        "/v1/reference/minimum-wages",
        headers=world.headers(world.admin),
        json={
            "items": [
                {
                    "country": "QA",
                    "amount": 150000,
                    "currency": "QAR",
                    "period": "month",
                    "source": "Test wage order 4",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    )
    try:
        # 1,800.00 QAR a month less 300.00 for housing keeps 1,500.00: the minimum.
        assert (await check(p, charged_housing(p.terms(), 30000))).status_code == 200
        r = await check(p, charged_housing(p.terms(), 40000))
        assert ("terms.food_and_housing.housing.monthly_charge", "minimum_wage_after_deductions") in rules_of(r)
        message = next(v["message"] for v in r.json()["violations"] if v["rule"] == "minimum_wage_after_deductions")
        assert "1,400.00 QAR" in message and "Test wage order 4" in message
        # Deductions the employer takes count too; tax and social security (the law's) do not.
        terms = p.terms()
        terms["pay"]["deductions"] = [{"reason": "tax", "description": "income tax", "amount": 50000}]
        assert (await check(p, terms)).status_code == 200
        terms["pay"]["deductions"].append({"reason": "transport", "description": "bus to site", "amount": 40000})
        assert ("terms.pay.deductions", "minimum_wage_after_deductions") in rules_of(await check(p, terms))
    finally:
        await world.client.put("/v1/reference/minimum-wages", headers=world.headers(world.admin), json={"items": []})
