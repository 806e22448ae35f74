"""The employer's and the agency's pages say things in people's words: a rule a form broke in plain words next to
its field, named by the field's label; dates readable; no "None" and no identifier where a name is known; the
licence vetting does not ask of an employer not shown as missing; the contract form with the food and housing
allowances and the terms the API accepts as choices; the decisions table stacked on a narrow screen. (The pages
with real services: tests/portal/.)"""

import re
from datetime import date, timedelta

from fairpath.gateway.portal.agency import (
    CONTRACT_FIELD_OF,
    CONTRACT_LABELS,
    _prefilled,
    amounts_asked,
    by_input,
    contract_draft,
    contract_form_context,
)
from fairpath.gateway.portal.i18n import CATALOGUES, DEFAULT_LANGUAGE, LANGUAGES
from fairpath.gateway.portal.pages import ANSWERS, BusinessPage
from fairpath.gateway.portal.plain import country_name, readable_day, readable_moment, said
from fairpath.gateway.portal.web import TEMPLATES

ENGLISH = CATALOGUES[DEFAULT_LANGUAGE]
EMPLOYER_ID = "01a230c9-a958-72e6-8a93-85d118c82106"
ORDER = {
    "id": "01a230ca-48fb-73bd-9507-ed38d51225bf",
    "employer_id": EMPLOYER_ID,
    "destination_country": "AE",
    "sector": "F",
    "reference": None,
    "positions": [
        {
            "id": "01a230ca-48fd-7383-832c-0a61d4b319ed",
            "occupation": "7112",
            "occupation_title": "Bricklayers and related workers",
            "title": "Mason",
            "number_of_workers": 50,
            "offered": {
                "pay_amount": 200000,
                "currency": "AED",
                "pay_period": "month",
                "normal_hours_per_day": 8.0,
                "normal_hours_per_week": 48.0,
                "weekly_rest_days": 1,
                "paid_annual_leave_days": 21,
                "duration_months": 24,
                "housing": "provided_free",
                "food": "cash_allowance",
            },
        }
    ],
    "created_at": "2026-11-30T08:15:00Z",
}
CHOICE = f"{ORDER['id']}:{ORDER['positions'][0]['id']}"


def html(template: str, **context) -> str:
    """A page's template as the portal renders it for an employer or an agency (English), without services."""
    base = {
        "_": ENGLISH.gettext,
        "lang": ENGLISH,
        "languages": LANGUAGES,
        "static": "/portal/static",
        "prefix": "/portal",
        "visit": None,
        "me": None,
        "csrf_field": "csrf_token",
        "csrf_token": "t",
        "navigation": [],
        "path": "/portal/",
        "money": lambda minor, currency: f"{currency} {minor}",
    }
    return TEMPLATES.get_template(template).render(**(base | context))


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags and attributes."""
    return re.sub(r"<[^>]+>", " ", page)


def business_html(page: BusinessPage, **form) -> str:
    defaults = {"licence": {}, "errors": {}, "added": None, "assessment": {}, "assessment_errors": {}}
    return html("business.html", page=page, answers=ANSWERS, licence_needed=page.licence_needed, **(defaults | form))


APPROVED_EMPLOYER = {
    "kind": "employer",
    "licence_required": False,  # as vetting answers for an employer
    "legal_name": "Demo Employer Construction LLC",
    "country": "AE",
    "registration_number": "DEMO-EMPLOYER-0001",
    "status": "approved",
    "approval_expires_at": "2027-12-01T00:00:00Z",
    "condition_deadline": None,
}
APPROVED = {
    "decision": "approved",
    "reason": "demo: licence and self-assessment in order",
    "conditions": [],
    "condition_deadline": None,
    "decided_at": "2026-12-01T08:40:00Z",
}


# --- rules in plain words ------------------------------------------------------------------------------------------


def test_an_input_shape_rule_is_said_as_what_to_do_naming_the_field_by_its_label():
    amount = {"field": "terms.pay.amount", "rule": "greater_than", "message": "Input should be greater than 0"}
    assert (
        said(amount, "Gross pay per period", ENGLISH.gettext) == "Gross pay per period: enter a number greater than 0."
    )
    hours = {"field": "x", "rule": "less_than_equal", "message": "Input should be less than or equal to 24"}
    assert said(hours, None, ENGLISH.gettext) == "Enter 24 or less."
    missing = {"field": "terms.parties.worker.address", "rule": "string_too_short", "message": "String should have"}
    assert said(missing, "Worker's home address", ENGLISH.gettext) == "Worker's home address: fill this in."


def test_a_rule_of_the_api_s_own_keeps_its_words_with_codes_as_words():
    below = {"field": "terms.pay.amount", "rule": "below_job_order", "message": "the job order offers 2000.00 AED"}
    assert said(below, None, ENGLISH.gettext) == "The job order offers 2000.00 AED."
    allowance = {"field": "f", "rule": "value_error", "message": "Value error, a cash allowance states its cash_value"}
    assert said(allowance, None, ENGLISH.gettext) == "A cash allowance states its cash value."


def test_each_violation_of_a_contract_is_shown_next_to_its_input_in_plain_words_naming_its_label():
    problem = {
        "violations": [
            {"field": "terms.pay.amount", "rule": "greater_than", "message": "Input should be greater than 0"},
            {"field": "terms.food_and_housing.food.cash_value", "rule": "int_parsing", "message": "Input should be"},
            {"field": "terms.hours.normal_hours_per_day", "rule": "less_than_equal", "message": "or equal to 24"},
        ]
    }
    shown = by_input(problem, CONTRACT_FIELD_OF, CONTRACT_LABELS, ENGLISH.gettext)
    assert shown == {
        "pay_amount": ["Gross pay per period: enter a number greater than 0."],
        "food_allowance": ["Food allowance per month, in the pay currency: enter a whole number."],
        "hours_per_day": ["Normal hours per day: enter 24 or less."],
    }
    assert not any("Input should" in m or "terms." in m for messages in shown.values() for m in messages)


def test_a_licence_refused_is_named_by_its_label_in_the_summary_and_said_plainly_next_to_its_input():
    page = BusinessPage(business=APPROVED_EMPLOYER)
    errors = {"number": "Fill this in.", "country": "Enter a country as its two letters, e.g. AE or NP."}
    shown = business_html(page, errors=errors, licence={"number": "", "country": "XX"})
    summary = shown.split('<div class="error" role="alert">', 1)[1].split("</div>", 1)[0]
    assert '<a href="#number">Licence number: fill this in.</a>' in summary
    assert "Country: enter a country as its two letters" in summary
    assert '<p class="field-error" id="error-number">Fill this in.</p>' in shown
    assert 'aria-describedby="error-country"' in shown


# --- dates, absent values and names --------------------------------------------------------------------------------


def test_dates_and_moments_read_as_the_language_writes_them():
    assert readable_day("2026-03-01T00:00:00Z") == "March 1, 2026"
    assert readable_day("2026-03-01") == "March 1, 2026"
    assert readable_moment("2025-12-01T09:05:00Z") == "December 1, 2025, 9:05\u202fAM UTC"  # CLDR's narrow space
    assert readable_day(None) == "—"
    assert readable_day("2026-03-01", "ar") != "March 1, 2026"


def test_countries_read_as_the_language_names_them_not_as_codes():
    assert country_name("AE") == "United Arab Emirates" and country_name("np") == "Nepal"
    assert country_name("AE", "ar") == "الإمارات العربية المتحدة"
    assert country_name("NP", "ne") == "नेपाल"
    assert country_name(None) == "—"
    shown = text_of(html("job_orders.html", job_orders=[ORDER]))
    assert "United Arab Emirates" in shown and "AE" not in shown.split()
    assert "United Arab Emirates" in text_of(business_html(BusinessPage(business=APPROVED_EMPLOYER)))


def test_the_decisions_table_shows_readable_dates_a_dash_for_no_conditions_and_stacks_on_a_narrow_screen():
    shown = business_html(BusinessPage(business=APPROVED_EMPLOYER, decisions=[APPROVED]))
    table = shown.split('aria-labelledby="decisions"', 1)[1].split("</table>", 1)[0]
    assert '<table class="stacked">' in table
    for column in ("Decided", "Decision", "Reasons", "Conditions", "To be met by"):
        assert f'data-label="{column}"' in table
    seen = text_of(table)
    assert "December 1, 2026" in seen and "2026-12-01" not in seen
    assert "None" not in seen and "—" in seen
    assert '<time datetime="2026-12-01T08:40:00Z">' in table
    assert "December 1, 2027" in text_of(shown)  # the approval's expiry, not 2027-12-01
    assert "2027-12-01" not in text_of(shown)


def test_an_employer_s_missing_licence_is_not_asked_for_as_vetting_asks_none_of_an_employer():
    shown = business_html(BusinessPage(business=APPROVED_EMPLOYER, missing=[]))
    assert "Not needed: vetting asks an operating licence of recruitment agencies" in shown
    assert "Nothing is missing." in shown
    as_agency = APPROVED_EMPLOYER | {"kind": "recruitment_agency", "licence_required": True}
    assert not BusinessPage(business=APPROVED_EMPLOYER).licence_needed
    assert BusinessPage(business=as_agency).licence_needed
    agency = business_html(BusinessPage(business=as_agency, missing=["licence"]))
    assert "Missing: record a valid licence below." in agency and "Not needed" not in agency


def test_the_job_orders_page_names_positions_and_counts_and_shows_no_identifier_for_a_missing_reference():
    shown = text_of(html("job_orders.html", job_orders=[ORDER]))
    assert "Mason × 50" in shown and "November 30, 2026" in shown
    assert ORDER["id"][:8] not in shown and "None" not in shown


def test_an_agency_s_worker_page_names_the_placement_s_employer_and_contract_not_their_identifiers():
    worker = {"id": "01a2", "status": "registered", "full_name": "Sita Gurung", "nationality": None, "languages": []}
    placement = {
        "contract_id": "01a230cb-0000-7000-8000-000000000001",
        "employer_id": EMPLOYER_ID,
        "occupation": "7112",
        "destination_country": "AE",
        "status": "issued",
        "start_date": "2027-01-03",
    }
    shown = html(
        "agency_worker.html",
        worker=worker,
        placements=[placement],
        consent_history=[],
        fees=[{"category": "medical", "amount_minor": 150000, "currency": "NPR", "channel": None}],
        grievances=[],
        categories={"medical": "Medical examination"},
        methods={"cash": "Cash"},
        employers={EMPLOYER_ID: "Demo Employer Construction LLC"},
        codes={placement["contract_id"]: "7KQ2-M9XD-4RTH-W"},
        labels={},
        fee={},
        grievance={},
        fee_errors={},
        grievance_errors={},
        notice="",
    )
    seen = text_of(shown)
    assert "Contract 7KQ2-M9XD-4RTH-W" in seen and "January 3, 2027" in seen
    assert seen.count("Demo Employer Construction LLC") == 2  # the placement's row, and the grievance's choice
    assert EMPLOYER_ID[:8] not in seen and placement["contract_id"][:8] not in seen
    assert "None" not in seen


# --- the contract form ---------------------------------------------------------------------------------------------


def contract_form_html(typed: dict[str, str], **shown) -> str:
    employers = {EMPLOYER_ID: "Demo Employer Construction LLC"}
    workers = [{"id": "01a230c9-aa7d-714d-875c-c68b8d8a52cc", "full_name": "Sita Gurung", "nationality": "NP"}]
    context = contract_form_context(
        typed, [(CHOICE, ORDER, ORDER["positions"][0])], employers, workers, ENGLISH.gettext
    )
    return html("agency_contract_new.html", **(context | {"errors": {}, "warnings": {}, "passes": False} | shown))


def test_the_contract_form_asks_food_and_housing_like_each_other_and_the_terms_the_api_takes_as_choices():
    shown = contract_form_html(_prefilled(ORDER, ORDER["positions"][0], CHOICE))
    for name in ("food", "housing"):
        assert f'<label for="{name}_provision">' in shown and f'<label for="{name}_allowance">' in shown
        assert f'<label for="{name}_charge">' in shown and f'<label for="{name}_agreed">' in shown
    assert '<option value="cash_allowance" selected>a cash allowance</option>' in shown.split('id="food_provision"')[1]
    assert '<option value="provided_free" selected>' in shown.split('id="housing_provision"')[1]
    for name in (
        "pay_period",
        "payment_method",
        "transport_to_from_paid_by",
        "transport_at_site_paid_by",
        "medical_care_paid_by",
        "insurance_paid_by",
        "repatriation_paid_by",
        "identity_documents_kept_by",
        "prevailing_language",
    ):
        assert f'<select id="{name}" name="{name}"' in shown, name
    # The job order is named by its employer and its position, not by an identifier.
    assert "Demo Employer Construction LLC · Mason · United Arab Emirates" in shown
    assert f">{ORDER['id'][:8]}" not in shown


def test_an_error_next_to_the_food_allowance_is_its_own():
    typed = _prefilled(ORDER, ORDER["positions"][0], CHOICE)
    errors = {"food_allowance": ["Food allowance per month, in the pay currency: enter a whole number."]}
    shown = contract_form_html(typed, errors=errors)
    assert 'id="food_allowance" name="food_allowance" type="text" value="" aria-describedby="food_allowance-error"' in (
        shown
    )
    assert '<a href="#food_allowance">Food allowance per month, in the pay currency: enter a whole number.</a>' in shown


async def test_the_draft_states_food_and_housing_the_pay_and_who_pays_what_as_the_form_says():
    typed = _prefilled(ORDER, ORDER["positions"][0], CHOICE) | {
        "worker_id": "",
        "worker_address": "Ward 4, Pokhara",
        "employer_address": "Plot 7, Abu Dhabi",
        "workplace_address": "Site 4",
        "workplace_city": "Abu Dhabi",
        "job_description": "Block laying",
        "worker_language": "ne",
        "food_allowance": "300",
        "food_charge": "",
        "food_agreed": "",
        "housing_provision": "charged_to_worker",
        "housing_allowance": "",
        "housing_charge": "150.50",
        "housing_agreed": "yes",
        "pay_period": "fortnight",
        "payment_method": "mobile_money",
        "transport_at_site_paid_by": "agency",
        "identity_documents_kept_by": "agency",
        "prevailing_language": "destination",
    }
    # No record is read: the worker is not chosen, and the businesses' ids are not the caller's to read.
    draft = await contract_draft(None, {}, typed, [(CHOICE, ORDER | {"employer_id": ""}, ORDER["positions"][0])])
    terms = draft["terms"]
    assert terms["food_and_housing"] == {
        "food": {"provision": "cash_allowance", "cash_value": 30000},
        "housing": {"provision": "charged_to_worker", "monthly_charge": 15050, "worker_agrees_to_deduction": True},
    }
    assert terms["pay"]["period"] == "fortnight" and terms["pay"]["payment_method"] == "mobile_money"
    assert terms["transport"]["at_job_site_paid_by"] == "agency"
    assert terms["document_custody"]["identity_documents_kept_by"] == "agency"
    assert terms["languages"]["prevailing"] == "ar"
    assert date.fromisoformat(terms["period"]["start_date"]) > date.today() + timedelta(days=1)


def test_the_form_asks_the_allowance_or_the_charge_that_food_or_housing_comes_with():
    typed = _prefilled(ORDER, ORDER["positions"][0], CHOICE)  # food: a cash allowance; housing: provided free
    assert amounts_asked(typed) == ["pay_amount", "food_allowance"]
    typed |= {"food_provision": "not_provided", "housing_provision": "charged_to_worker"}
    assert amounts_asked(typed) == ["pay_amount", "housing_charge"]
