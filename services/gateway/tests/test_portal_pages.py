"""The portal's pages as the gateway serves them: their headers, the forms' CSRF refusals, a service that cannot
answer, and the forwarding leaving /portal to the portal. (Each role's pages with real services: the browser
tests in tests/test_portal_browser.py.)"""

import re
import unicodedata
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from fairpath.common.services import owner_of
from fairpath.gateway.portal.i18n import CATALOGUES, DEFAULT_LANGUAGE, LANGUAGES
from fairpath.gateway.portal.pages import ANSWERS, BusinessPage
from fairpath.gateway.portal.web import TEMPLATES, minor_units, money

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
    assert minor_units(typed, currency) == minor


def test_an_amount_is_shown_as_the_reader_s_language_writes_it():
    assert money(150050, "NPR", "en") == "NPR1,500.50"
    assert "1,500.50" in money(150050, "NPR", "ar")


async def test_the_self_assessment_form_without_its_csrf_token_is_refused_and_an_unreachable_service_is_no_500(
    browser, demo_credentials
):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "employer", credentials["users"]["employer"]["password"])
    refused = await browser.post("/portal/business/assessments", data={"answer_A1": "compliant"})
    assert refused.status_code == 403 and "Request refused" in refused.text
    home = await browser.get("/portal/")
    posted = await browser.post(
        "/portal/business/assessments", data={"csrf_token": form_token(home), "answer_A1": "compliant"}
    )
    assert posted.status_code in (404, 503), posted.text  # no business linked, or vetting not answering


def _business_page_html(page: BusinessPage, **form) -> str:
    """The business page's template as the employer's page renders it (no services needed)."""
    english = CATALOGUES[DEFAULT_LANGUAGE]
    context = {
        "_": english.gettext,
        "lang": english,
        "languages": LANGUAGES,
        "static": "/portal/static",
        "prefix": "/portal",
        "visit": None,
        "me": None,
        "csrf_field": "csrf_token",
        "csrf_token": "t",
        "navigation": [],
        "path": "/portal/business",
        "money": str,
        "page": page,
        "licence": {},
        "errors": {},
        "added": None,
        "assessment": {},
        "assessment_errors": {},
        "answers": ANSWERS,
    }
    return TEMPLATES.get_template("business.html").render(**(context | form))


BUSINESS = {
    "legal_name": "Gulf Horizon Construction LLC",
    "country": "AE",
    "registration_number": "CN-1",
    "status": "suspended",
    "approval_expires_at": None,
    "condition_deadline": None,
}
CONDITIONAL = {
    "decision": "conditionally_approved",
    "reason": "licence renewal pending",
    "conditions": ["submit the renewed licence"],
    "condition_deadline": "2026-03-01T00:00:00Z",
    "decided_at": "2025-12-01T09:00:00Z",
}


def test_the_suspended_banner_names_the_last_decision_its_reasons_conditions_and_deadline():
    page = BusinessPage(business=BUSINESS, decisions=[CONDITIONAL])
    html = _business_page_html(page)
    banner = html.split('<div class="banner" role="alert">', 1)[1].split("</div>", 1)[0]
    assert "Your business is suspended" in banner
    assert "conditionally approved" in banner and "licence renewal pending" in banner
    assert "submit the renewed licence" in banner and "2026-03-01" in banner
    assert "Vetting decisions" in html and "2025-12-01" in html


def test_a_question_left_unanswered_shows_its_error_next_to_it_and_keeps_the_other_answers():
    questions = [
        {"id": "A1", "principle": "A", "text": "Licence held."},
        {"id": "A2", "principle": "A", "text": "Age."},
    ]
    page = BusinessPage(business=BUSINESS | {"status": "approved"}, questions=questions)
    html = _business_page_html(
        page,
        assessment={"A1": {"answer": "compliant", "evidence": "licence 7"}, "A2": {"answer": "", "evidence": ""}},
        assessment_errors={"A2": "Choose an answer."},
    )
    a2 = html.split('id="question-A2"', 1)[1].split("</fieldset>", 1)[0]
    assert 'aria-describedby="assessment-error-A2"' in a2 and "Choose an answer." in a2
    a1 = html.split('id="question-A1"', 1)[1].split("</fieldset>", 1)[0]
    assert "Choose an answer." not in a1 and 'value="compliant" checked' in a1 and 'value="licence 7"' in a1
    assert '<label for="evidence_A1">' in a1 and '<label for="answer_A1_compliant">' in a1


PORTAL = Path(__file__).parents[1] / "src" / "fairpath" / "gateway" / "portal"
FONT_OF = {"ne": "NotoSansDevanagari", "bn": "NotoSansBengali", "ar": "NotoSansArabic", "en": "NotoSans"}


@pytest.mark.parametrize("code", sorted(FONT_OF))
def test_the_served_font_of_each_script_has_a_glyph_for_every_character_of_its_pages(code):
    # The page's font stack: the script's font, then Noto Sans for what it lacks (Latin letters, for one).
    fonts = [PORTAL / "static" / "fonts" / f"{name}-Regular.woff2" for name in {FONT_OF[code], FONT_OF["en"]}]
    covered = {point for font in fonts for point in TTFont(font).getBestCmap()}
    text = set()
    if code != "en":
        with (PORTAL / "locale" / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
            text = {ch for message in read_po(po) for ch in "".join(map(str, _strings(message.string)))}
    # The language's own name as the switch shows it, and the Latin basics every page has.
    text |= set(LANGUAGES[code]) | set("Fairpath 0123456789 NPR AED,.:·-")
    missing = sorted(ch for ch in text if unicodedata.category(ch)[0] != "C" and ord(ch) not in covered)
    assert not missing, f"{code}: no glyph for {[f'U+{ord(ch):04X}' for ch in missing]}"


def _strings(value) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if v]


def test_the_portal_s_fonts_are_declared_for_their_languages_and_licensed():
    css = (PORTAL / "static" / "portal.css").read_text()
    for code, family in (("ne", "Devanagari"), ("bn", "Bengali"), ("ar", "Arabic")):
        assert re.search(rf':lang\({code}\) {{ font-family: "Fairpath Noto Sans {family}"', css), code
        assert f'url("fonts/NotoSans{family}-Regular.woff2")' in css
    assert "SIL OPEN FONT LICENSE Version 1.1" in (PORTAL / "static" / "fonts" / "OFL.txt").read_text()
    assert sum(f.stat().st_size for f in (PORTAL / "static" / "fonts").glob("*.woff2")) < 400_000
