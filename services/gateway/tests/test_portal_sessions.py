"""The portal's sign-in, cookie sessions and CSRF refusals, against the gateway app (its real database)."""

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from fairpath.common.timeutil import utcnow
from fairpath.gateway.portal.sessions import SESSION_COOKIE, SIGN_IN_COOKIE, PortalSessions, digest_of
from fairpath.gateway.portal.tables import PortalSession

from .helpers import PASSWORD, active_user, admin, bearer, next_totp, set_up_totp, signed_in

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def browser(gateway_app):
    """A client of its own per test, keeping cookies as a browser does."""
    transport = httpx.ASGITransport(app=gateway_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def form_token(page: httpx.Response) -> str:
    found = _TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


async def portal_sign_in(browser, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await browser.get("/portal/sign-in")
    return await browser.post(
        "/portal/sign-in", data={"csrf_token": form_token(page), "username": username, "password": password}
    )


async def new_employer(gateway, credentials) -> dict:
    return await active_user(gateway, credentials, kind="employer")


async def test_the_root_sends_visitors_to_the_portal_and_the_portal_to_sign_in(browser):
    root = await browser.get("/")
    assert root.status_code == 302 and root.headers["location"] == "/portal/"
    home = await browser.get("/portal/")
    assert home.status_code == 303 and home.headers["location"] == "/portal/sign-in"


async def test_the_portal_pages_are_not_in_the_openapi_document(gateway):
    document = (await gateway.get("/openapi.json")).json()
    assert not [path for path in document["paths"] if path.startswith("/portal") or path == "/"]


async def test_the_style_sheet_is_served_by_the_gateway(browser):
    css = await browser.get("/portal/static/portal.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


async def test_a_password_sign_in_sets_an_httponly_lax_cookie_and_shows_who_is_signed_in(
    browser, gateway, demo_credentials
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    signed = await portal_sign_in(browser, user["username"])
    assert signed.status_code == 303 and signed.headers["location"] == "/portal/"
    cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/portal" in cookie
    home = await browser.get("/portal/")
    assert home.status_code == 200
    assert user["username"] in home.text and "employer" in home.text
    assert 'href="/portal/business"' in home.text
    assert home.headers["cache-control"] == "no-store"


async def test_the_cookie_is_secure_outside_development(gateway_app):
    settings = gateway_app.state.settings
    production = settings.model_copy(update={"common": settings.common.model_copy(update={"env": "production"})})
    assert PortalSessions(gateway_app.state.database, production).secure
    assert not PortalSessions(gateway_app.state.database, settings).secure


async def test_a_wrong_password_is_refused_without_a_session(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    refused = await portal_sign_in(browser, user["username"], "not the password")
    assert refused.status_code == 401 and "Wrong username or password" in refused.text
    assert SESSION_COOKIE not in browser.cookies


async def test_a_sign_in_without_the_form_token_is_refused_with_403(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await browser.get("/portal/sign-in")
    forged = await browser.post(
        "/portal/sign-in", data={"csrf_token": "forged", "username": user["username"], "password": PASSWORD}
    )
    assert forged.status_code == 403 and "Request refused" in forged.text
    assert SESSION_COOKIE not in browser.cookies


async def test_every_sign_in_gets_a_new_session_and_ends_the_one_before(
    browser, gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    first = browser.cookies[SESSION_COOKIE]
    await portal_sign_in(browser, user["username"])
    second = browser.cookies[SESSION_COOKIE]
    assert first != second
    async with gateway_app.state.database.session(read_only=True) as session:
        assert await session.get(PortalSession, digest_of(first)) is None
        assert await session.get(PortalSession, digest_of(second)) is not None


async def test_a_user_with_totp_signs_in_in_two_steps_and_the_page_never_holds_the_password(
    browser, gateway, demo_credentials
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    secret, _ = await set_up_totp(gateway, await signed_in(gateway, user["username"]))
    first = await portal_sign_in(browser, user["username"])
    assert first.status_code == 401 and 'name="totp"' in first.text
    assert PASSWORD not in first.text
    sealed = re.search(r'name="sealed" value="([^"]+)"', first.text).group(1)
    wrong = await browser.post(
        "/portal/sign-in",
        data={"csrf_token": form_token(first), "username": user["username"], "sealed": sealed, "totp": "000000"},
    )
    assert wrong.status_code == 401 and "That code is wrong" in wrong.text
    second = await browser.post(
        "/portal/sign-in",
        data={
            "csrf_token": form_token(wrong),
            "username": user["username"],
            "sealed": re.search(r'name="sealed" value="([^"]+)"', wrong.text).group(1),
            "totp": next_totp(secret),
        },
    )
    assert second.status_code == 303, second.text
    assert (await browser.get("/portal/")).status_code == 200


async def test_a_sealed_password_is_good_only_for_its_own_username(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    other = await new_employer(gateway, credentials)
    secret, _ = await set_up_totp(gateway, await signed_in(gateway, user["username"]))
    first = await portal_sign_in(browser, user["username"])
    sealed = re.search(r'name="sealed" value="([^"]+)"', first.text).group(1)
    moved = await browser.post(
        "/portal/sign-in",
        data={
            "csrf_token": form_token(first),
            "username": other["username"],
            "sealed": sealed,
            "totp": next_totp(secret),
        },
    )
    assert moved.status_code == 400 and SESSION_COOKIE not in browser.cookies


async def test_sign_out_without_the_csrf_token_is_refused_and_the_session_stays(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    refused = await browser.post("/portal/sign-out", data={"csrf_token": "not it"})
    assert refused.status_code == 403 and "Request refused" in refused.text
    missing = await browser.post("/portal/sign-out")
    assert missing.status_code == 403
    assert (await browser.get("/portal/")).status_code == 200


async def test_sign_out_ends_the_accounts_session_and_clears_the_cookie(
    browser, gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    token = browser.cookies[SESSION_COOKIE]
    home = await browser.get("/portal/")
    out = await browser.post("/portal/sign-out", data={"csrf_token": form_token(home)})
    assert out.status_code == 303 and out.headers["location"] == "/portal/sign-in"
    assert SESSION_COOKIE not in browser.cookies
    # The cookie, replayed, opens nothing; nor does an access token of its accounts session.
    browser.cookies.set(SESSION_COOKIE, token, path="/portal")
    assert (await browser.get("/portal/")).status_code == 303
    async with gateway_app.state.database.session(read_only=True) as session:
        assert await session.get(PortalSession, digest_of(token)) is None


async def test_a_disabled_user_is_signed_out_at_the_next_page(browser, gateway, demo_credentials):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    assert (await browser.get("/portal/")).status_code == 200
    disabled = await gateway.patch(
        f"/v1/admin/users/{user['user']['id']}", json={"disabled": True}, headers=admin(credentials)
    )
    assert disabled.status_code == 200, disabled.text
    page = await browser.get("/portal/")
    assert page.status_code == 303 and page.headers["location"] == "/portal/sign-in?ended=1"


async def test_an_api_logout_of_the_same_session_ends_the_portal_session(
    browser, gateway, gateway_app, demo_credentials
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    async with gateway_app.state.database.session(read_only=True) as session:
        row = await session.get(PortalSession, digest_of(browser.cookies[SESSION_COOKIE]))
    token = gateway_app.state.accounts.tokens.issue(user["user"]["id"], row.user_session_id)
    assert (await gateway.post("/v1/auth/logout", headers=bearer({"access_token": token}))).status_code == 204
    assert (await browser.get("/portal/")).headers["location"] == "/portal/sign-in?ended=1"


@pytest.mark.parametrize(
    ("column", "age"),
    [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=12, minutes=1))],
    ids=["idle", "absolute"],
)
async def test_a_session_past_its_idle_or_absolute_limit_ends_with_its_accounts_session(
    browser, gateway, gateway_app, demo_credentials, column, age
):
    _, credentials = demo_credentials
    user = await new_employer(gateway, credentials)
    await portal_sign_in(browser, user["username"])
    digest = digest_of(browser.cookies[SESSION_COOKIE])
    async with gateway_app.state.database.session() as session:
        row = await session.get(PortalSession, digest)
        user_session_id = row.user_session_id
        await session.execute(
            update(PortalSession).where(PortalSession.digest == digest).values({column: utcnow() - age})
        )
    page = await browser.get("/portal/")
    assert page.status_code == 303 and page.headers["location"] == "/portal/sign-in?ended=1"
    token = gateway_app.state.accounts.tokens.issue(user["user"]["id"], user_session_id)
    assert (await gateway.get("/v1/me", headers=bearer({"access_token": token}))).status_code == 401


async def test_a_worker_reads_the_portal_in_arabic_right_to_left_with_an_unreviewed_notice(
    browser, gateway, demo_credentials
):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "worker", credentials["users"]["worker"]["password"])
    arabic = await browser.get("/portal/?lang=ar")
    assert arabic.status_code == 200
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert 'role="note"' in arabic.text
    again = await browser.get("/portal/")  # the choice is remembered
    assert '<html lang="ar" dir="rtl">' in again.text
    english = await browser.get("/portal/?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text and "not been reviewed" not in english.text


async def test_an_employer_page_is_not_found_for_another_role(browser, demo_credentials):
    _, credentials = demo_credentials
    await portal_sign_in(browser, "auditor", credentials["users"]["auditor"]["password"])
    assert (await browser.get("/portal/business")).status_code == 404
    home = await browser.get("/portal/")
    # The auditor's home links to its own pages (/portal/businesses among them), never to the employer's.
    assert 'href="/portal/business"' not in home.text and 'href="/portal/contracts"' not in home.text
    assert 'href="/portal/businesses"' in home.text


async def test_the_sign_in_form_cookie_is_httponly_and_scoped_to_the_portal(browser):
    page = await browser.get("/portal/sign-in")
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith(f"{SIGN_IN_COOKIE}="))
    assert "HttpOnly" in cookie and "Path=/portal" in cookie
    assert form_token(page) == browser.cookies[SIGN_IN_COOKIE]


async def test_a_path_under_the_portal_that_is_no_page_is_answered_with_the_portals_not_found_page(browser):
    missing = await browser.get("/portal/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "<html" in missing.text
    # The static files and the real pages are still reached.
    assert (await browser.get("/portal/static/portal.css")).status_code == 200
    assert (await browser.get("/portal/sign-in")).status_code == 200
