"""People's access tokens: short JWTs naming the user and the session, whose issuer, audience, expiry and
algorithm are all checked. The token alone is never enough: every request also finds its session open and
its user enabled in the database, so an ended session stops its tokens on every replica at once."""

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from fairpath.common.errors import Unauthenticated

AUDIENCE = "fairpath-api"
_LEEWAY_SECONDS = 5


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


class InvalidAccessToken(Unauthenticated):
    description = "the access token is not valid, has expired, or its session ended"


class AccessTokens:
    def __init__(self, *, secret: str, algorithm: str, issuer: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.algorithm = algorithm
        self.issuer = issuer
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": now,
            "exp": now + self.ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def is_ours(self, unverified: dict[str, Any]) -> bool:
        """Whether a token claims to be one of ours (anything else may be a single sign-on token)."""
        return unverified.get("iss") == self.issuer

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                audience=AUDIENCE,
                issuer=self.issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "sub", "sid", "iat", "exp"]},
            )
            return AccessClaims(user_id=uuid.UUID(claims["sub"]), session_id=uuid.UUID(claims["sid"]))
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidAccessToken("the access token is not valid or has expired") from None


def unverified_claims(token: str) -> dict[str, Any]:
    """A token's claims before any check: only to choose how to check it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidAccessToken("the access token is not valid or has expired") from None
    if not isinstance(claims, dict):
        raise InvalidAccessToken("the access token is not valid or has expired")
    return claims
