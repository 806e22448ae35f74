"""The portal's pages as the gateway serves them: their headers, the forms' CSRF refusals, a service that cannot
answer, and the forwarding leaving /portal to the portal. (Each role's pages with real services: the browser
tests in tests/test_portal_browser.py.)"""

import httpx
import pytest

from fairpath.common.services import owner_of
from fairpath.gateway.portal.routes import _minor_units, _money

from .test_portal_sessions import form_token, portal_sign_in


@pytest.fixture
async def browser(gateway_app):
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def test_no_service_owns_a_portal_path_so_the_forwarding_leaves_it_to_the_portal():
    assert owner_of("/portal/verify/AAAA-BBBB") is None
    assert owner_of("/portal/") is None


async def test_pages_are_never_cached_framed_or_scripted(browser):
    page = await browser.get("/portal/sign-in")
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'none'" in policy and "form-action 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="en" dir="ltr">' in page.text
    assert (
        'href="#main"' in page.text and '<label for="username">' in page.text and '<label for="password">' in page.text
    )


async def test_the_public_check_says_so_plainly_when_the_contracts_service_cannot_answer(browser):
    # The test gateway's contracts service is a closed port: a page saying so, never a 500.
    page = await browser.get("/portal/verify/AAAA-BBBB-CCCC-D")
    assert page.status_code == 503 and "Please try again" in page.text


async def test_the_verify_form_leads_to_the_code_s_own_page(browser):
    form = await browser.get("/portal/verify")
    assert form.status_code == 200 and '<label for="code">' in form.text
    typed = await browser.get("/portal/verify", params={"code": " 7KQ2-M9XD-4RTH-W "})
    assert typed.status_code == 303 and typed.headers["location"] == "/portal/verify/7KQ2-M9XD-4RTH-W"


async def test_the_licence_form_without_its_csrf_token_is_refused(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "employer", credentials["users"]["employer"]["password"])
    refused = await browser.post("/portal/business/licences", data={"number": "X-1"})
    assert refused.status_code == 403 and "Request refused" in refused.text


async def test_the_grievance_form_without_its_csrf_token_is_refused(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "worker", credentials["users"]["worker"]["password"])
    refused = await browser.post("/portal/grievances", data={"description": "wages unpaid"})
    assert refused.status_code == 403
    # With its token, a worker login linked to no worker record has nowhere to file it.
    home = await browser.get("/portal/")
    unlinked = await browser.post("/portal/grievances", data={"csrf_token": form_token(home), "description": "x"})
    assert unlinked.status_code == 404


async def test_a_worker_s_pages_are_not_found_for_an_employer(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "employer", credentials["users"]["employer"]["password"])
    assert (await browser.get("/portal/grievances/new")).status_code == 404
    assert (await browser.get("/portal/contracts/not-a-uuid")).status_code == 404


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("1500", "NPR", 150000), ("1,500.50", "NPR", 150050), ("1500", "JPY", 1500), ("1.5", "JPY", None),
     ("fifteen", "NPR", None), ("1.005", "NPR", None), ("Infinity", "NPR", None)],
)  # fmt: skip
def test_a_typed_amount_becomes_minor_units_of_its_currency_or_is_refused(typed, currency, minor):
    assert _minor_units(typed, currency) == minor


def test_an_amount_is_shown_as_the_reader_s_language_writes_it():
    assert _money(150050, "NPR", "en") == "NPR1,500.50"
    assert "1,500.50" in _money(150050, "NPR", "ar")
