"""A worker signs their contract in the portal, and anyone checks a document's code in their language: who may post
a signature, its CSRF refusal and a contracts service that cannot take it, against the gateway app alone (its
services are closed ports); the contract page's signing form and refusals, and the public check's dates, words
and isolated codes, as the portal renders them. (With real services: tests/portal/test_worker.py.)"""

import re
import uuid

import httpx
import pytest
from starlette.requests import Request

from fairpath.gateway.portal import pages
from fairpath.gateway.portal.i18n import CATALOGUES, DEFAULT_LANGUAGE, LANGUAGES
from fairpath.gateway.portal.plain import readable_day
from fairpath.gateway.portal.sessions import LiveSession
from fairpath.gateway.portal.web import LANGUAGE_COOKIE, Visit, render

from .helpers import active_user
from .test_portal_sessions import form_token, portal_sign_in

HASH = "0849e1396ba245d0980f98f8c0ff576f569a173a856198ba110fa8194e2f1871"
CONTRACT = {
    "id": "0190f5c2-7a1e-7c3b-9d2e-4f5a6b7c8d9e",
    "verification_code": "7KQ2-M9XD-4RTH-W",
    "status": "issued",
    "occupation": "7112",
    "destination_country": "AE",
    "start_date": "2026-12-20",
    "current_version": 2,
    "content_hash": HASH,
    "signed_version": None,
    "signed_at": None,
}
VERSIONS = [
    {
        "number": 1,
        "created_at": "2026-11-01T08:00:00Z",
        "issued_at": None,
        "signed_at": None,
        "content_hash": "ab" * 32,
    },
    {
        "number": 2,
        "created_at": "2026-11-02T08:00:00Z",
        "issued_at": "2026-11-02T09:14:00Z",
        "signed_at": None,
        "content_hash": HASH,
    },
]
VERDICT = {
    "code": "7KQ2-M9XD-4RTH-W",
    "verdict": "superseded",
    "explanation": "This version was replaced by a later one: it is not the contract.",
    "status": "signed",
    "version": 1,
    "current": False,
    "signed": False,
    "content_hash": HASH,
    "issued_at": "2026-11-02T09:14:00Z",
    "signed_at": None,
    "superseded_at": "2026-11-03T08:00:00Z",
}


@pytest.fixture
async def browser(gateway_app):
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""})


def _contract_page(role: str, code: str = DEFAULT_LANGUAGE, contract: dict | None = None, **context) -> str:
    """The contract page as the portal renders it for a signed-in user of the role, in the language."""
    session = LiveSession("digest", uuid.uuid4(), uuid.uuid4(), "the-csrf-token")
    visit = Visit(session, None, {"role": role}, CATALOGUES[code])  # the template reads no API
    context = {"signed": False, "refusal": ""} | context
    response = render(
        _request("/portal/contracts/x"),
        "contract.html",
        visit=visit,
        contract=contract or CONTRACT,
        versions=VERSIONS,
        **context,
    )
    return response.body.decode()


def form_text(html: str) -> str:
    """What a reader sees of the HTML: its text, without the tags (and their attributes)."""
    return re.sub(r"<[^>]+>", "", html)


def _verify_page(code: str, verdict: dict) -> str:
    response = render(
        _request("/portal/verify/x"),
        "verify.html",
        lang=CATALOGUES[code],
        choose_language=True,
        verdicts=pages.VERDICTS,
        code=verdict["code"],
        verdict=verdict,
        searched=True,
    )
    return response.body.decode()


# --- the signing form ------------------------------------------------------------------------------------------


def test_an_issued_contract_shows_its_worker_a_form_to_sign_naming_the_version_and_its_fingerprint():
    html = _contract_page("worker")
    form = html.split('<section class="sign"', 1)[1].split("</section>", 1)[0]
    assert "Sign this contract" in form and "By signing, you agree to its terms" in form
    assert '<form method="post" action="/portal/contracts/0190f5c2-7a1e-7c3b-9d2e-4f5a6b7c8d9e/sign"' in form
    assert '<input type="hidden" name="csrf_token" value="the-csrf-token">' in form
    assert '<input type="hidden" name="version" value="2">' in form
    assert f'<bdi dir="ltr">{HASH}</bdi>' in form and '<bdi dir="ltr">(SHA-256)</bdi>' in form


@pytest.mark.parametrize(
    ("role", "contract"),
    [
        ("employer", CONTRACT),
        ("worker", CONTRACT | {"status": "signed", "signed_version": 2, "signed_at": "2026-11-05T16:40:00Z"}),
        ("worker", CONTRACT | {"status": "draft"}),
    ],
)
def test_no_signing_form_for_an_employer_or_a_contract_not_waiting_for_the_signature(role, contract):
    html = _contract_page(role, contract=contract)
    assert '/sign"' not in html and 'name="version"' not in html and "Sign this contract" not in html


def test_a_signed_contract_says_so_with_the_day_it_was_signed():
    signed = CONTRACT | {"status": "signed", "signed_version": 2, "signed_at": "2026-11-05T16:40:00Z"}
    html = _contract_page("worker", contract=signed, signed=True)
    assert '<p class="notice" role="status">You signed this contract.' in html
    assert '<strong class="status">signed</strong>' in html
    assert "November 5, 2026" in form_text(html) and "2026-11-05" not in form_text(html)
    assert "December 20, 2026" in form_text(html) and "2026-12-20" not in form_text(html)  # the start date, as a date


def test_a_refused_signature_is_said_in_the_worker_s_language_not_in_the_api_s_terms():
    html = _contract_page("worker", "ar", refusal=pages.SIGNING_REFUSALS["departure_passed"])
    alert = html.split('<p class="error" role="alert">', 1)[1].split("</p>", 1)[0]
    assert alert == CATALOGUES["ar"].gettext(pages.SIGNING_REFUSALS["departure_passed"])
    assert alert != pages.SIGNING_REFUSALS["departure_passed"]  # translated
    assert "departure" not in alert and "_" not in alert
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h1>العقد <bdi dir="ltr">7KQ2-M9XD-4RTH-W</bdi></h1>' in html


def test_every_word_of_signing_and_of_the_public_check_is_translated_in_each_worker_language():
    words = [
        *pages.SIGNING_REFUSALS.values(),
        pages.SIGNING_REFUSED,
        *pages.VERDICTS.values(),
        "Sign this contract",
        "Digital fingerprint",
        "The version you sign",
    ]
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        untranslated = [w for w in words if CATALOGUES[code].gettext(w) == w]
        assert not untranslated, (code, untranslated)


# --- the public check ------------------------------------------------------------------------------------------


def test_the_public_check_shows_dates_and_in_arabic_isolates_the_code_and_the_fingerprint():
    html = _verify_page("ar", VERDICT)
    verdict = html.split('<section aria-labelledby="verdict"', 1)[1].split("</section>", 1)[0]
    assert '<bdi dir="ltr">7KQ2-M9XD-4RTH-W</bdi>' in verdict
    assert f'<bdi dir="ltr">{HASH}</bdi>' in verdict and '<bdi dir="ltr">(SHA-256)</bdi>' in verdict
    assert "2026-11-02" not in form_text(verdict) and "2026-11-03" not in form_text(verdict)
    assert readable_day("2026-11-02T09:14:00Z", "ar") in verdict and readable_day("2026-11-03", "ar") in verdict
    assert CATALOGUES["ar"].gettext(pages.VERDICTS["superseded"]) in verdict  # the verdict in Arabic, not English
    assert VERDICT["explanation"] not in verdict


def test_the_public_check_in_english_writes_dates_as_words():
    html = _verify_page("en", VERDICT | {"verdict": "current_signed", "signed_at": "2026-11-05T16:40:00Z"})
    assert "November 2, 2026" in form_text(html) and "November 5, 2026" in form_text(html)
    assert "This is the signed version of a contract in force." in html


async def test_the_public_check_is_in_the_language_its_reader_chose_and_keeps_it(browser):
    chosen = await browser.get("/portal/verify", params={"lang": "ar"})
    assert chosen.status_code == 200 and '<html lang="ar" dir="rtl">' in chosen.text
    assert 'hreflang="ne"' in chosen.text  # the language switch, for anyone on the public page
    assert chosen.cookies.get(LANGUAGE_COOKIE) == "ar"
    again = await browser.get("/portal/verify")
    assert '<html lang="ar" dir="rtl">' in again.text
    browser.cookies.clear()
    assert '<html lang="en" dir="ltr">' in (await browser.get("/portal/verify")).text


# --- posting a signature ---------------------------------------------------------------------------------------


async def test_an_employer_posting_a_signature_gets_the_portal_s_not_found_page(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await active_user(gateway, credentials, kind="employer")
    await portal_sign_in(browser, user["username"])
    token = form_token(await browser.get("/portal/"))
    page = await browser.post(f"/portal/contracts/{uuid.uuid4()}/sign", data={"csrf_token": token, "version": "1"})
    assert page.status_code == 404 and "There is no such page, or it is not yours to see." in page.text


async def test_a_signature_posted_without_its_csrf_token_is_refused(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "worker", credentials["users"]["worker"]["password"])
    refused = await browser.post(f"/portal/contracts/{uuid.uuid4()}/sign", data={"version": "1"})
    assert refused.status_code == 403 and "Request refused" in refused.text


async def test_a_signature_the_contracts_service_cannot_take_is_said_plainly_never_a_500(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "worker", credentials["users"]["worker"]["password"])
    token = form_token(await browser.get("/portal/"))
    # The test gateway's contracts service is a closed port.
    page = await browser.post(f"/portal/contracts/{uuid.uuid4()}/sign", data={"csrf_token": token, "version": "1"})
    assert page.status_code == 503 and "Please try again" in page.text
    not_a_contract = await browser.post("/portal/contracts/not-an-id/sign", data={"csrf_token": token, "version": "1"})
    assert not_a_contract.status_code == 404
