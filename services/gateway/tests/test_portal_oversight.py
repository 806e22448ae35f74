"""The compliance officer's and the auditor's portal pages as the gateway serves them: who may open them, the
auditor's pages writing nothing, the forms' CSRF refusals, what a malformed id or an unknown service gets, and the
risk chart's geometry. (The pages with real services: tests/portal/test_officer.py and test_auditor.py.)"""

import re

import httpx
import pytest

from fairpath.gateway.portal import auditor, officer
from fairpath.gateway.portal.auditor import CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, risk_chart

from .helpers import next_totp
from .test_portal_sessions import form_token, portal_sign_in

CASE = "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e"


@pytest.fixture
async def browser(gateway_app):
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def officer_sign_in(browser, credentials: dict) -> httpx.Response:
    user = credentials["users"]["compliance_officer"]
    first = await portal_sign_in(browser, "compliance_officer", user["password"])
    sealed = re.search(r'name="sealed" value="([^"]+)"', first.text).group(1)
    return await browser.post(
        "/portal/sign-in",
        data={
            "csrf_token": form_token(first),
            "username": "compliance_officer",
            "sealed": sealed,
            "totp": next_totp(user["totp_secret"]),
        },
    )


async def test_the_officer_s_and_the_auditor_s_pages_are_not_found_for_an_employer(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "employer", credentials["users"]["employer"]["password"])
    for path in (
        "/portal/vetting-cases",
        f"/portal/vetting-cases/{CASE}",
        "/portal/screening-hits",
        "/portal/investigations",
        "/portal/businesses",
        f"/portal/businesses/{CASE}/dossier",
        f"/portal/businesses/{CASE}/dossier.csv",
        "/portal/audit",
    ):
        assert (await browser.get(path)).status_code == 404, path


def test_the_auditor_s_pages_only_read():
    methods = {method for route in auditor.router.routes for method in route.methods}
    assert methods <= {"GET", "HEAD"}


async def test_the_officer_s_forms_are_not_found_for_an_auditor(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "auditor", credentials["users"]["auditor"]["password"])
    home = await browser.get("/portal/")
    assert 'href="/portal/audit"' in home.text and 'href="/portal/vetting-cases"' not in home.text
    token = form_token(home)
    decided = await browser.post(f"/portal/vetting-cases/{CASE}/decision", data={"csrf_token": token})
    assert decided.status_code == 404
    assert (await browser.get("/portal/screening-hits")).status_code == 404


async def test_the_audit_page_offers_one_button_per_chain_and_refuses_an_unknown_service(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "auditor", credentials["users"]["auditor"]["password"])
    page = await browser.get("/portal/audit")
    assert page.status_code == 200
    for service in auditor.AUDITED_SERVICES:
        assert f'name="service" value="{service}"' in page.text
    assert (await browser.get("/portal/audit", params={"service": "payroll"})).status_code == 404


async def test_the_audit_page_verifies_the_gateway_s_own_chain(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "auditor", credentials["users"]["auditor"]["password"])
    page = await browser.get("/portal/audit", params={"service": "gateway"})
    assert page.status_code == 200
    assert "Audit chain of gateway: intact" in page.text
    assert "No checkpoint has been signed for this chain yet." in page.text


async def test_a_dossier_of_a_malformed_id_is_not_found(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "auditor", credentials["users"]["auditor"]["password"])
    assert (await browser.get("/portal/businesses/not-a-uuid/dossier")).status_code == 404
    assert (await browser.get("/portal/businesses/not-a-uuid/dossier.csv")).status_code == 404


async def test_the_officer_s_forms_without_their_csrf_token_are_refused(browser, demo_credentials):
    _, credentials = demo_credentials
    signed_in = await officer_sign_in(browser, credentials)
    assert signed_in.status_code == 303, signed_in.text
    home = await browser.get("/portal/")
    assert 'href="/portal/vetting-cases"' in home.text and 'href="/portal/investigations"' in home.text
    for path in (
        f"/portal/vetting-cases/{CASE}/decision",
        f"/portal/screening-hits/{CASE}/resolution",
        f"/portal/investigations/{CASE}",
    ):
        refused = await browser.post(path, data={"decision": "approved", "reason": "x"})
        assert refused.status_code == 403 and "Request refused" in refused.text, path
    # With its token, a malformed id is not found (no call reaches the API).
    token = form_token(home)
    assert (await browser.post("/portal/vetting-cases/x/decision", data={"csrf_token": token})).status_code == 404


def test_the_risk_chart_draws_a_bar_per_factor_scaled_to_the_largest():
    chart = risk_chart(
        [
            {"factor": "country_risk", "points": 20, "evidence": "AE: 20"},
            {"factor": "no_licence", "points": 10, "evidence": "none on record"},
            {"factor": "sector", "points": 0, "evidence": "F"},
        ]
    )
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert [b.label for b in chart["bars"]] == ["country risk", "no licence", "sector"]
    assert [b.width for b in chart["bars"]] == [room, room // 2, 2]  # a factor of no points still shows a sliver
    assert [b.y for b in chart["bars"]] == sorted({b.y for b in chart["bars"]})  # one row each, in order
    assert chart["height"] >= chart["bars"][-1].y + chart["bar_height"]
    assert risk_chart([])["bars"] == []


def test_the_officer_s_lists_of_choices_are_the_api_s():
    assert officer.NEXT_STATUSES["received"] == ("under_investigation",)
    assert set(officer.NEXT_STATUSES) == set(officer.GRIEVANCE_STATUSES)
