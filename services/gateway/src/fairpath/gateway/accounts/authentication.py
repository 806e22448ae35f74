"""Who is calling, checked against the database on every request: an API key (`X-API-Key`), one of the gateway's
access tokens, or a single sign-on token of an organisation's issuer (`Authorization: Bearer`).

Each check is one indexed lookup (the key's digest, the session's id, the (issuer, subject) link) that also
reads the user and its organisation, so a revoked key, an ended session or a disabled user is refused on the
next request by every replica: nothing is cached between requests.
"""

import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import Row, bindparam, select, update

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.errors import Forbidden, Unauthenticated
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.codes import token_digest
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.schemas import AuthenticatedBy
from fairpath.gateway.accounts.service import principal_for, principal_of
from fairpath.gateway.accounts.signin import Caller
from fairpath.gateway.accounts.sso import SsoTokenRefused, verify_sso_token
from fairpath.gateway.accounts.tables import ApiKey, Organization, User, UserSession
from fairpath.gateway.accounts.tokens import InvalidAccessToken, unverified_claims
from fairpath.gateway.protection.limits import RateLimits

log = logging.getLogger("fairpath.gateway.authentication")

API_KEY_HEADER = "x-api-key"
# A key's `last_used_at` is written at most this often, so a busy key does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# What a session that still has to set up its second factor may call.
ENROLMENT_PATHS = frozenset({"/v1/me", "/v1/me/totp", "/v1/me/totp/confirm", "/v1/auth/logout"})


# The two lookups every request makes, built once: a request only binds its value (building the statement
# each time was a third of the lookup's cost, measured). They read columns, not entities (`Database.read_row`).
_CALLER = (
    User.id.label("user_id"),
    User.role,
    User.organization_id,
    User.worker_id,
    User.username,
    User.disabled,
    User.totp_secret_sealed.is_not(None).label("totp_enabled"),
    Organization.business_id,
)
_KEY_LOOKUP = (
    select(ApiKey.id, ApiKey.revoked_at, ApiKey.expires_at, ApiKey.last_used_at, *_CALLER)
    .join(User, User.id == ApiKey.user_id)
    .outerjoin(Organization, Organization.id == User.organization_id)
    .where(ApiKey.digest == bindparam("digest"))
)
_SESSION_LOOKUP = (
    select(UserSession.id, UserSession.ended_at, UserSession.expires_at, UserSession.enrolment_only, *_CALLER)
    .join(User, User.id == UserSession.user_id)
    .outerjoin(Organization, Organization.id == User.organization_id)
    .where(UserSession.id == bindparam("session_id"))
)


def _caller(row: Row, authenticated_by: AuthenticatedBy, **how: Any) -> Caller:
    """The caller a lookup's row names (its `_CALLER` columns)."""
    return Caller(
        principal=principal_for(
            row.user_id,
            row.role,
            organization_id=row.organization_id,
            business_id=row.business_id,
            worker_id=row.worker_id,
        ),
        username=row.username,
        authenticated_by=authenticated_by,
        totp_enabled=row.totp_enabled,
        **how,
    )


class SecondFactorEnrolmentRequired(Forbidden):
    name = "second_factor_enrolment_required"
    title = "Second factor to set up"
    description = "admins and compliance officers set up TOTP first: `POST /v1/me/totp`, then `/v1/me/totp/confirm`"


class ApiKeyUse:
    """Writes a key's `last_used_at` at most once a minute per key in this process (and the UPDATE itself only
    moves it forward by a minute or more, so replicas do not all write either)."""

    def __init__(self) -> None:
        self._written: dict[uuid.UUID, float] = {}

    async def touch(self, database: Database, key_id: uuid.UUID, last_used_at: datetime | None) -> None:
        now = utcnow()
        if last_used_at is not None and now - last_used_at < LAST_USED_RESOLUTION:
            return
        last = self._written.get(key_id)
        if last is not None and time.monotonic() - last < LAST_USED_RESOLUTION.total_seconds():
            return
        self._written[key_id] = time.monotonic()
        try:
            async with database.session() as session:
                await session.execute(
                    update(ApiKey)
                    .where(
                        ApiKey.id == key_id,
                        (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < now - LAST_USED_RESOLUTION),
                    )
                    .values(last_used_at=now)
                )
        except Exception as exc:  # noqa: BLE001 - a missed timestamp must never fail the request
            log.warning("last use of an API key not recorded", extra={"error": type(exc).__name__})


async def identify(request: Request) -> Caller:
    state = request.app.state
    accounts: Accounts = state.accounts
    database: Database = state.database
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key:
        return await _by_api_key(database, state.api_key_use, api_key)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        token = token.strip()
        claims = unverified_claims(token)
        if accounts.tokens.is_ours(claims):
            return await _by_access_token(database, accounts, token)
        return await _by_sso_token(database, accounts, token, claims)
    raise Unauthenticated("send an API key in X-API-Key or an access token in Authorization: Bearer")


async def authenticate(request: Request) -> Principal:
    """The caller's principal, or 401; what the gateway's routes and the forwarding take as `CurrentPrincipal`.
    Each request spends one unit of its API key's rate limit and of its user's (429 once one is spent)."""
    caller = await identify(request)
    rate_limits: RateLimits = request.app.state.rate_limits
    await rate_limits.charge_caller(request.scope, api_key_id=caller.api_key_id, user_id=caller.principal.user_id)
    request.state.caller = caller
    if caller.enrolment_only and request.url.path not in ENROLMENT_PATHS:
        raise SecondFactorEnrolmentRequired(
            "set up a second factor first: POST /v1/me/totp, then POST /v1/me/totp/confirm with a code from the app"
        )
    return caller.principal


async def _by_api_key(database: Database, use: ApiKeyUse, api_key: str) -> Caller:
    key = await database.read_row(_KEY_LOOKUP, {"digest": token_digest(api_key)})
    if key is None:
        raise Unauthenticated("the API key is not valid")
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= utcnow()) or key.disabled:
        raise Unauthenticated("the API key is not valid (revoked, expired, or its user disabled)")
    await use.touch(database, key.id, key.last_used_at)
    return _caller(key, AuthenticatedBy.api_key, api_key_id=key.id)


async def _by_access_token(database: Database, accounts: Accounts, token: str) -> Caller:
    claims = accounts.tokens.verify(token)
    session = await database.read_row(_SESSION_LOOKUP, {"session_id": claims.session_id})
    if session is None:
        raise InvalidAccessToken("the access token is not valid or has expired")
    if (
        session.ended_at is not None
        or session.expires_at <= utcnow()
        or session.user_id != claims.user_id
        or session.disabled
    ):
        raise InvalidAccessToken("the session of this access token ended: sign in again")
    return _caller(session, AuthenticatedBy.password, session_id=session.id, enrolment_only=session.enrolment_only)


async def _by_sso_token(database: Database, accounts: Accounts, token: str, claims: dict) -> Caller:
    issuer, subject = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not isinstance(subject, str):
        raise InvalidAccessToken("the access token is not valid or has expired")
    async with database.session(read_only=True) as session:
        rows = (
            await session.execute(
                select(User, Organization)
                .join(Organization, Organization.id == User.organization_id)
                .where(Organization.sso_issuer == issuer, User.sso_subject == subject)
            )
        ).all()
    audiences = _audiences(claims.get("aud"))
    for user, org in rows:
        if org.sso_audience not in audiences or org.sso_jwks_url is None:
            continue
        await verify_sso_token(
            token, issuer=issuer, audience=org.sso_audience, jwks_url=org.sso_jwks_url, keys=accounts.sso_keys
        )
        if user.disabled:
            raise SsoTokenRefused("the user linked to this single sign-on subject is disabled")
        return Caller(
            principal=principal_of(user, org),
            username=user.username,
            authenticated_by=AuthenticatedBy.sso,
            totp_enabled=user.totp_secret_sealed is not None,
        )
    raise SsoTokenRefused("no user is linked to this issuer and subject")


def _audiences(claim: object) -> set[str]:
    if isinstance(claim, str):
        return {claim}
    if isinstance(claim, list):
        return {a for a in claim if isinstance(a, str)}
    return set()
