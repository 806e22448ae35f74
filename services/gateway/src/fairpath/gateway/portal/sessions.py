"""The portal's cookie sessions and CSRF tokens.

The cookie holds a random opaque token; the server keeps only its SHA-256 digest, tied to the accounts'
session (`UserSession`) the sign-in opened. A session ends after an idle spell or an absolute lifetime (the
gateway's settings), and whenever its accounts session ends: each page calls the API with an access token of
that session, so a sign-out, a disabled user or a reset is refused there exactly as the API refuses it.

Every form carries the session's CSRF token; the sign-in form, before any session, carries a token that must
match a short-lived cookie of its own (double submit). The second sign-in step (TOTP) carries the password
sealed (AES-256-GCM, bound to that cookie and the username, good for a few minutes), never in clear.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from starlette.requests import Request
from starlette.responses import Response

from fairpath.common.db import Database
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.tables import UserSession
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.portal.tables import PortalSession

SESSION_COOKIE = "fairpath_portal"
SIGN_IN_COOKIE = "fairpath_portal_sign_in"
COOKIE_PATH = "/portal"
CSRF_FIELD = "csrf_token"
# How long a sign-in form (and its sealed password between the two steps) stays good.
SIGN_IN_TTL_SECONDS = 600
# `last_seen_at` is written at most this often, so a burst of pages does not write on every one.
_SEEN_RESOLUTION = timedelta(seconds=15)
_NONCE_BYTES = 12


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected).encode(), str(given).encode())


@dataclass(frozen=True)
class LiveSession:
    """A portal session found for a cookie and within its idle and absolute limits."""

    digest: str
    user_id: uuid.UUID
    user_session_id: uuid.UUID
    csrf_token: str


class PortalSessions:
    def __init__(self, database: Database, settings: GatewaySettings) -> None:
        self.database = database
        self.idle = timedelta(seconds=settings.portal_idle_timeout_seconds)
        self.lifetime = timedelta(seconds=settings.portal_absolute_lifetime_seconds)
        self.secure = not settings.common.is_development
        self._aead = AESGCM(hashlib.sha256(b"fairpath portal sign-in|" + settings.token_secret.encode()).digest())

    # --- sessions ----------------------------------------------------------------------------

    async def start(self, user_session_id: uuid.UUID) -> str:
        """A new portal session for an accounts session just opened: the cookie's token (a new one at every
        sign-in, so a token planted before it is worth nothing after)."""
        token, now = new_token(), utcnow()
        async with self.database.session() as session:
            # Sessions nobody came back to are forgotten here (a visit forgets its own when it finds it expired).
            await session.execute(
                delete(PortalSession).where(
                    (PortalSession.last_seen_at < now - self.idle) | (PortalSession.created_at < now - self.lifetime)
                )
            )
            session.add(
                PortalSession(
                    digest=digest_of(token),
                    user_session_id=user_session_id,
                    csrf_token=new_token(),
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return token

    async def find(self, token: str | None) -> tuple[LiveSession | None, LiveSession | None]:
        """(the live session, None) for a cookie's token; (None, the expired one) when it passed its idle or
        absolute limit (it is forgotten: its accounts session is the caller's to end); (None, None) otherwise."""
        if not token:
            return None, None
        digest = digest_of(token)
        async with self.database.session(read_only=True) as session:
            row = (
                await session.execute(
                    select(PortalSession, UserSession.user_id)
                    .join(UserSession, UserSession.id == PortalSession.user_session_id)
                    .where(PortalSession.digest == digest)
                )
            ).first()
        if row is None:
            return None, None
        found, user_id = row
        live = LiveSession(digest, user_id, found.user_session_id, found.csrf_token)
        now = utcnow()
        if now - found.created_at >= self.lifetime or now - found.last_seen_at >= self.idle:
            await self.forget(digest)
            return None, live
        if now - found.last_seen_at >= _SEEN_RESOLUTION:
            async with self.database.session() as session:
                await session.execute(
                    update(PortalSession).where(PortalSession.digest == digest).values(last_seen_at=now)
                )
        return live, None

    async def forget(self, digest: str) -> None:
        async with self.database.session() as session:
            await session.execute(delete(PortalSession).where(PortalSession.digest == digest))

    # --- cookies -----------------------------------------------------------------------------

    def set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.lifetime.total_seconds()),
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=self.secure, httponly=True, samesite="lax")

    def form_token(self, request: Request) -> str:
        """The sign-in form's CSRF token: the one in its cookie, or a new one."""
        token = request.cookies.get(SIGN_IN_COOKIE)
        return token if token and len(token) <= 64 else new_token()

    def set_sign_in_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SIGN_IN_COOKIE,
            token,
            max_age=SIGN_IN_TTL_SECONDS,
            path=COOKIE_PATH,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_sign_in_cookie(self, response: Response) -> None:
        response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH, secure=self.secure, httponly=True, samesite="lax")

    # --- the password between the two sign-in steps ------------------------------------------

    def seal_password(self, password: str, *, username: str, form_token: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps({"p": password, "t": int(time.time())}).encode()
        sealed = self._aead.encrypt(nonce, plain, _bound(username, form_token))
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open_password(self, sealed: str, *, username: str, form_token: str) -> str | None:
        """The password sealed at the first step, or None when it is not ours, not this form's, or too old."""
        try:
            blob = base64.urlsafe_b64decode(sealed.encode())
            plain = json.loads(
                self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _bound(username, form_token))
            )
        except (InvalidTag, ValueError, binascii.Error, TypeError):
            return None
        if not isinstance(plain, dict) or time.time() - plain.get("t", 0) > SIGN_IN_TTL_SECONDS:
            return None
        password = plain.get("p")
        return password if isinstance(password, str) else None


def _bound(username: str, form_token: str) -> bytes:
    return f"{username}\x00{form_token}".encode()
