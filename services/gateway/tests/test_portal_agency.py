"""The agency's portal pages against the gateway app alone (its services are closed ports): who may open them, the
CSRF refusal, a service that cannot answer, and where each of the API's violations is shown on the forms. (The
pages with real services: tests/portal/test_agency.py.)"""

import httpx
import pytest

from fairpath.gateway.portal.agency import CONTRACT_FIELD_OF, WORKER_FIELD_OF, by_input, place

from .helpers import active_user
from .test_portal_sessions import form_token, portal_sign_in


@pytest.fixture
async def browser(gateway_app):
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def signed_in_as(browser, gateway, demo_credentials, kind: str) -> None:
    _, credentials = demo_credentials
    user = await active_user(gateway, credentials, kind=kind)
    assert (await portal_sign_in(browser, user["username"])).status_code == 303


async def test_an_agency_user_s_home_links_its_pages(browser, gateway, demo_credentials):
    await signed_in_as(browser, gateway, demo_credentials, "recruitment_agency")
    home = await browser.get("/portal/")
    assert home.status_code == 200
    for href in ("/portal/agency/business", "/portal/agency/workers", "/portal/agency/workers/new"):
        assert f'href="{href}"' in home.text
    assert 'href="/portal/agency/contracts/new"' in home.text


async def test_an_employer_finds_no_agency_page(browser, gateway, demo_credentials):
    await signed_in_as(browser, gateway, demo_credentials, "employer")
    for path in ("/portal/agency/workers", "/portal/agency/workers/new", "/portal/agency/contracts/new"):
        page = await browser.get(path)
        assert page.status_code == 404, path
    assert 'href="/portal/agency/' not in (await browser.get("/portal/")).text


async def test_a_registration_posted_without_the_csrf_token_is_refused(browser, gateway, demo_credentials):
    await signed_in_as(browser, gateway, demo_credentials, "recruitment_agency")
    refused = await browser.post("/portal/agency/workers", data={"csrf_token": "forged", "full_name": "X"})
    assert refused.status_code == 403


async def test_a_registration_without_the_registration_consent_is_shown_next_to_the_consents(
    browser, gateway, demo_credentials
):
    await signed_in_as(browser, gateway, demo_credentials, "recruitment_agency")
    form = await browser.get("/portal/agency/workers/new")
    assert form.status_code == 200 and '<label for="full_name">' in form.text
    page = await browser.post(
        "/portal/agency/workers",
        data={"csrf_token": form_token(form), "full_name": "Sita Gurung", "consents": "employment_contract"},
    )
    assert page.status_code == 422
    assert 'id="consents-error"' in page.text and 'value="Sita Gurung"' in page.text


async def test_the_contracts_page_says_so_plainly_when_the_contracts_service_cannot_answer(
    browser, gateway, demo_credentials
):
    await signed_in_as(browser, gateway, demo_credentials, "recruitment_agency")
    # The test gateway's contracts service is a closed port: a page saying so, never a 500.
    page = await browser.get("/portal/agency/contracts")
    assert page.status_code == 503 and "Please try again" in page.text


def test_each_rule_of_a_contract_is_shown_next_to_the_input_it_concerns():
    assert place("terms.pay.amount", CONTRACT_FIELD_OF) == "pay_amount"
    assert place("terms.pay.deductions.0.fee_category", CONTRACT_FIELD_OF) == "pay_amount"
    assert place("terms.parties.worker.address", CONTRACT_FIELD_OF) == "worker_address"
    assert place("terms.parties.worker.worker_id", CONTRACT_FIELD_OF) == "worker_id"
    assert place("terms.document_custody.passport_kept_by", CONTRACT_FIELD_OF) == "passport_kept_by"
    assert place("terms.fee_statement.0.paid_by", CONTRACT_FIELD_OF) == "fee_paid_by"
    assert place("terms.food_and_housing.food.cash_value", CONTRACT_FIELD_OF) == "food_allowance"
    # What the form does not ask (the job order fills it in) is shown beside the job order.
    assert place("terms.termination.grounds", CONTRACT_FIELD_OF) == "position"
    assert place("something.else", CONTRACT_FIELD_OF) == "form"


def test_each_violation_of_a_registration_is_shown_next_to_the_input_it_concerns():
    problem = {
        "violations": [
            {"field": "identity_document.number", "rule": "string_pattern_mismatch", "message": "bad number"},
            {"field": "languages.1.language", "rule": "unknown_language", "message": "unknown"},
            {"field": "date_of_birth", "rule": "date_in_future", "message": "in the future"},
        ]
    }
    assert by_input(problem, WORKER_FIELD_OF) == {
        "document_number": ["bad number"],
        "language_2": ["unknown"],
        "date_of_birth": ["in the future"],
    }
    assert by_input({"detail": "already registered"}, WORKER_FIELD_OF) == {"form": ["already registered"]}
