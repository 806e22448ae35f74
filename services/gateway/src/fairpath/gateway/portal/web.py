"""What every page of the partner portal (/portal/) is made with: the signed-in visit, rendering with the
caller's language, the form's CSRF check, the page's refusals, and reading what a form holds. The pages
themselves are in `routes` (sign-in, the employer's and the worker's, the public check) and one module per
other role; `site` mounts them all."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from babel.numbers import format_currency, get_currency_precision
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from fairpath.gateway.portal import pages, plain
from fairpath.gateway.portal.i18n import (
    CATALOGUES,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    language,
)
from fairpath.gateway.portal.pages import Api, ApiRefused
from fairpath.gateway.portal.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    LiveSession,
    PortalSessions,
    tokens_match,
)

PREFIX = "/portal"
STATIC_URL = f"{PREFIX}/static"
LANGUAGE_COOKIE = "fairpath_portal_lang"
_HERE = Path(__file__).parent
TEMPLATES = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters.update(plain.FILTERS)  # `day` and `moment`: dates as the reader's language writes them
TEMPLATES.globals.update(plain.CHOICES)  # countries, languages and occupations to choose from, by name
# Pages hold personal data: never cached, never framed, no script but our own (there is none), forms post here.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# The pages each role has, in the order of the navigation: (path, label); each role's module adds its own.
ROLE_PAGES: dict[str, list[tuple[str, str]]] = {}
CONTRACT_STATUSES = ("draft", "issued", "signed", "active", "disputed", "completed", "terminated")


class SignInNeeded(Exception):
    """No live session: the visitor goes to the sign-in page (told why, when a session ended)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__("sign in")
        self.ended = ended


class CsrfRefused(Exception):
    """A form posted without its session's CSRF token, or with another one."""


class PageNotFound(Exception):
    """Not a page of this caller (their role has no such page, or the record is outside their reach)."""


@dataclass
class Visit:
    """A signed-in page view: the portal session, the API as its caller, who they are, and their language."""

    session: LiveSession
    api: Api
    me: dict[str, Any]
    language: Language

    @property
    def role(self) -> str:
        return self.me["role"]


def install(app: FastAPI) -> None:
    """The static files, `/` sending visitors to the portal, and what a page's refusal becomes (`site.install`
    mounts the pages)."""
    app.mount(STATIC_URL, StaticFiles(directory=_HERE / "static"), name="portal-static")
    app.add_api_route("/", _to_portal, methods=["GET"], include_in_schema=False)
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(PageNotFound, _not_found)
    app.add_exception_handler(ApiRefused, _api_refused)


async def _to_portal() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=302)


def portal_sessions(request: Request) -> PortalSessions:
    state = request.app.state
    found = getattr(state, "portal_sessions", None)
    if found is None:  # made on first use: the database and settings exist only once the app has started
        found = state.portal_sessions = PortalSessions(state.database, state.settings)
    return found


# --- rendering -----------------------------------------------------------------------------------


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    lang: Language | None = None,
    visit: Visit | None = None,
    **context: Any,
) -> HTMLResponse:
    shown = lang or (visit.language if visit else CATALOGUES[DEFAULT_LANGUAGE])
    navigation = ROLE_PAGES.get(visit.role, []) if visit else []
    html = TEMPLATES.get_template(template).render(
        _=shown.gettext,
        lang=shown,
        languages=LANGUAGES,
        static=STATIC_URL,
        prefix=PREFIX,
        visit=visit,
        me=visit.me if visit else None,
        csrf_field=CSRF_FIELD,
        csrf_token=visit.session.csrf_token if visit else None,
        navigation=navigation,
        path=request.url.path,
        money=lambda minor, currency: money(minor, currency, shown.code),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


async def _sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
    response = RedirectResponse(f"{PREFIX}/sign-in" + ("?ended=1" if exc.ended else ""), status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        portal_sessions(request).clear_cookie(response)
    return response


async def _csrf_refused(request: Request, _: CsrfRefused) -> Response:
    return render(request, "refused.html", status=403)


async def _not_found(request: Request, _: PageNotFound) -> Response:
    return render(request, "not_found.html", status=404)


async def _api_refused(request: Request, exc: ApiRefused) -> Response:
    """A call a page made that the API refused or could not answer: a page saying so, never a 500."""
    if exc.status in (403, 404):
        return render(request, "not_found.html", status=404)
    if exc.status == 429:
        return render(request, "unavailable.html", status=429, throttled=True)
    return render(request, "unavailable.html", status=503)


# --- the signed-in visit ---------------------------------------------------------------------------


@asynccontextmanager
async def visiting(request: Request) -> AsyncIterator[Visit]:
    """The caller's visit, or SignInNeeded: the cookie's session within its idle and absolute limits, and its
    accounts session still live (the API's own check of the access token: not ended, not expired, the user
    not disabled)."""
    sessions = portal_sessions(request)
    live, expired = await sessions.find(request.cookies.get(SESSION_COOKIE))
    if expired is not None:
        await end_accounts_session(request, expired)
        raise SignInNeeded(ended=True)
    if live is None:
        raise SignInNeeded(ended=bool(request.cookies.get(SESSION_COOKIE)))
    api = Api.as_session(request, live.user_id, live.user_session_id)
    try:
        try:
            me = await pages.who_am_i(api)
        except ApiRefused as refused:
            if refused.status == 401:
                await sessions.forget(live.digest)
                raise SignInNeeded(ended=True) from None
            raise
        yield Visit(live, api, me, _language_for(request, me))
    finally:
        await api.close()


def _language_for(request: Request, me: dict[str, Any]) -> Language:
    """The worker's pages in their language (a switch, kept in a cookie); everyone else's in English."""
    if me.get("role") != "worker":
        return CATALOGUES[DEFAULT_LANGUAGE]
    return chosen_language(request)


def chosen_language(request: Request) -> Language:
    """The language chosen with the switch (this time, or before: its cookie), English when none was."""
    return language(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def remember_language(request: Request, response: Response, visit: Visit | None) -> Response:
    """Keep the language chosen with the switch: a worker's, or anyone's on a public page (no visit)."""
    chosen = request.query_params.get("lang")
    if (visit is None or visit.role == "worker") and chosen and chosen in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 86400,
            path=PREFIX,
            secure=portal_sessions(request).secure,
            httponly=True,
            samesite="lax",
        )
    return response


async def end_accounts_session(request: Request, ended: LiveSession) -> None:
    """End the accounts session behind a portal session, as `POST /v1/auth/logout` does (it is that call)."""
    api = Api.as_session(request, ended.user_id, ended.user_session_id)
    try:
        await api.post("/v1/auth/logout")
    finally:
        await api.close()


async def checked_form(request: Request, visit: Visit) -> FormData:
    form = await request.form()
    if not tokens_match(visit.session.csrf_token, form_text(form, CSRF_FIELD)):
        raise CsrfRefused()
    return form


def form_text(form: FormData, name: str, limit: int = 256) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def require_role(visit: Visit, role: str) -> None:
    if visit.role != role:
        raise PageNotFound()


def money(minor: int, currency: str, locale: str) -> str:
    """An amount in minor units as the reader's language writes it (`NPR 1,500.00`, `١٬٥٠٠٫٠٠ NPR`)."""
    try:
        return format_currency(Decimal(minor).scaleb(-get_currency_precision(currency)), currency, locale=locale)
    except (ValueError, InvalidOperation, TypeError):
        return f"{minor} {currency}"


def minor_units(amount: str, currency: str) -> int | None:
    """An amount as typed (`1500`, `1,500.50`) in the currency's minor units, or None when it is not one."""
    try:
        value = Decimal(amount.replace(",", "").replace(" ", ""))
        precision = get_currency_precision(currency) if len(currency) == 3 and currency.isalpha() else 2
    except (InvalidOperation, ValueError):
        return None
    minor = value.scaleb(precision)
    if not value.is_finite() or minor != minor.to_integral_value():
        return None
    return int(minor)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
