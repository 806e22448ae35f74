"""Single sign-on: tokens of an organisation's OpenID Connect issuer, checked against its published keys.

A token is accepted only when it is signed by a key of the issuer's JWKS with an asymmetric algorithm (never
`none`, never a shared secret), names the organisation's issuer and audience, and has not expired. The user it
opens is the one linked to its (issuer, subject); an e-mail claim is never looked at.
"""

import ipaddress
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from fairpath.common.errors import Unauthenticated

log = logging.getLogger("fairpath.gateway.sso")

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
_KEYS_KEPT_SECONDS = 300.0
# An unknown key id fetches the keys again (an issuer rotating its keys), but not more often than this.
_REFETCH_AFTER_SECONDS = 30.0
_LEEWAY_SECONDS = 30


class SsoTokenRefused(Unauthenticated):
    description = "the single sign-on token is not valid for any linked user"


def insecure_jwks_url(url: str, *, production: bool) -> str | None:
    """Why a JWKS URL may not be used, or None: https always, plain http only to this machine outside production."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and not production:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return None
    return "must be an https URL (plain http only to this machine, outside production)"


class SigningKey:
    """One key of an issuer's JWKS, with the algorithm it declares (if it declares one)."""

    def __init__(self, jwk: dict[str, Any]) -> None:
        self.key_id: str | None = jwk.get("kid")
        self.algorithm: str | None = jwk.get("alg")
        self.use: str | None = jwk.get("use")
        self.key = jwt.PyJWK(jwk).key


class SsoKeys:
    """The issuers' signing keys, fetched over HTTP and kept a few minutes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.refetch_after = _REFETCH_AFTER_SECONDS
        self._cache: dict[str, tuple[float, list[SigningKey]]] = {}

    async def _fetch(self, url: str) -> list[SigningKey]:
        response = await self.client.get(url, timeout=5.0)
        response.raise_for_status()
        keys = []
        for jwk in response.json().get("keys", []):
            try:
                keys.append(SigningKey(jwk))
            except (jwt.PyJWTError, ValueError, TypeError, AttributeError):
                continue  # a key of a type this gateway does not use
        self._cache[url] = (time.monotonic(), keys)
        return keys

    async def key(self, url: str, kid: str | None) -> SigningKey:
        cached = self._cache.get(url)
        age = time.monotonic() - cached[0] if cached else None
        keys = cached[1] if cached and age is not None and age < _KEYS_KEPT_SECONDS else None
        found = _pick(keys, kid) if keys is not None else None
        if found is None and (keys is None or age is None or age >= self.refetch_after):
            try:
                keys = await self._fetch(url)
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                log.warning("JWKS unavailable", extra={"error": type(exc).__name__})
                raise SsoTokenRefused("the issuer's signing keys could not be fetched") from None
            found = _pick(keys, kid)
        if found is None:
            raise SsoTokenRefused("the token is signed with a key the issuer does not publish")
        return found


def _pick(keys: list[SigningKey], kid: str | None) -> SigningKey | None:
    usable = [k for k in keys if k.use in (None, "sig")]
    if kid is None:
        return usable[0] if len(usable) == 1 else None
    return next((k for k in usable if k.key_id == kid), None)


async def verify_sso_token(token: str, *, issuer: str, audience: str, jwks_url: str, keys: SsoKeys) -> dict[str, Any]:
    """The token's claims once every check holds; raises SsoTokenRefused otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SsoTokenRefused("the token is not a JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise SsoTokenRefused("the token's algorithm is not accepted")
    key = await keys.key(jwks_url, header.get("kid"))
    if key.algorithm is not None and key.algorithm != header["alg"]:
        raise SsoTokenRefused("the token's algorithm is not its key's")
    try:
        return jwt.decode(
            token,
            key.key,
            algorithms=[header["alg"]],
            audience=audience,
            issuer=issuer,
            leeway=_LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:  # a key of another type than the algorithm's, too
        raise SsoTokenRefused(f"the single sign-on token was refused ({type(exc).__name__})") from None
