"""Authenticating callers: an API key (software) or a bearer access token (people)."""

import time
import uuid

import jwt
from fastapi import Request

from fairpath.common.auth import Principal, Role
from fairpath.common.errors import Unauthenticated
from fairpath.gateway.identity.store import IdentityStore

API_KEY_HEADER = "x-api-key"
_TOKEN_AUDIENCE = "fairpath-api"


def issue_access_token(user_id: uuid.UUID, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": str(user_id), "aud": _TOKEN_AUDIENCE, "iat": now, "exp": now + ttl_seconds}, secret, algorithm="HS256"
    )


def log_in(store: IdentityStore, *, username: str, password: str, secret: str, ttl_seconds: int) -> str:
    """An access token for a person's username and password, or 401."""
    user = store.by_password(username, password)
    if user is None:
        raise Unauthenticated("unknown username or wrong password")
    return issue_access_token(user.id, secret, ttl_seconds)


async def authenticate(request: Request) -> Principal:
    """The caller's principal, or 401, with the business its organisation acts for."""
    principal = _identify(request)
    if principal.role in (Role.agency, Role.employer) and principal.business_id is None and principal.organization_id:
        links = getattr(request.app.state, "business_links", None)
        if links is not None:
            business_id = await links.business_of(principal.organization_id)
            if business_id is not None:
                principal = principal.model_copy(update={"business_id": business_id})
    return principal


def _identify(request: Request) -> Principal:
    """Who is calling. Accounts are looked up on every request, so a removed user or key stops working at once."""
    store: IdentityStore = request.app.state.identities.current()
    api_key = request.headers.get(API_KEY_HEADER)
    if api_key:
        user = store.by_api_key(api_key)
        if user is None:
            raise Unauthenticated("the API key is not valid")
        return user.principal()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            claims = jwt.decode(
                token,
                request.app.state.settings.token_secret,
                algorithms=["HS256"],
                audience=_TOKEN_AUDIENCE,
                options={"require": ["exp", "sub"]},
            )
            user = store.user(uuid.UUID(claims["sub"]))
        except (jwt.PyJWTError, ValueError):
            user = None
        if user is None:
            raise Unauthenticated("the access token is not valid or has expired")
        return user.principal()
    raise Unauthenticated("send an API key in X-API-Key or an access token in Authorization: Bearer")
