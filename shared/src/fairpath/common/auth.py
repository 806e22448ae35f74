"""The access seam: who is calling, as the gateway vouches for it.

The gateway authenticates people and software, then forwards a `Principal` as a
short-lived EdDSA (Ed25519) token in `X-Fairpath-Principal`. Every service
verifies it on every route but health, so a service reached directly is as safe
as one reached through the gateway. Record-level access stays in each service.

Per request, cheaply: the keys are loaded once; the gateway reuses a principal's token for the first
half of its life, and a service that verified a token keeps what it says until it expires (the same
bytes carry the same signature: only the expiry is checked again); the checks run on the event loop,
not in a worker thread.
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from fairpath.common.errors import Forbidden, Unauthenticated

PRINCIPAL_HEADER = "X-Fairpath-Principal"
ISSUER = "fairpath-gateway"
AUDIENCE = "fairpath-services"
DEFAULT_TTL_SECONDS = 60
_LEEWAY_SECONDS = 5


class Role(StrEnum):
    admin = "admin"
    compliance_officer = "compliance_officer"
    agency = "agency"
    employer = "employer"
    auditor = "auditor"
    worker = "worker"


OPERATOR_ROLES = frozenset({Role.admin, Role.compliance_officer})
READ_ALL_ROLES = frozenset({Role.admin, Role.compliance_officer, Role.auditor})


class OrganizationKind(StrEnum):
    operator = "operator"
    recruitment_agency = "recruitment_agency"
    employer = "employer"
    auditor = "auditor"


class Principal(BaseModel):
    """Who is calling: a user (or an API key acting for an organisation) and their role. Immutable: one
    verified token's principal serves every request that carries the token."""

    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    role: Role
    organization_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = None
    worker_id: uuid.UUID | None = None

    @property
    def actor(self) -> str:
        """How the audit chain names this caller (ids only)."""
        return f"{self.role}:{self.user_id}"


# Tokens a signer or a verifier keeps at most (the oldest go first).
_CACHED_TOKENS = 10_000


class PrincipalSigner:
    """The gateway's half: loads the private key once; signs a token for a principal and reuses it while
    more than half its time to live is left (the same principal, the same token: services verify it once)."""

    def __init__(self, private_pem: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self._private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        self.ttl_seconds = ttl_seconds
        self._tokens: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def sign(self, principal: Principal) -> str:
        key = (principal.user_id, principal.role, principal.organization_id, principal.business_id, principal.worker_id)
        now = time.time()
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and now < cached[1]:
                return cached[0]
        token = sign_principal(principal, self._private_key, self.ttl_seconds)
        with self._lock:
            self._tokens[key] = (token, now + self.ttl_seconds / 2)
            self._tokens.move_to_end(key)
            while len(self._tokens) > _CACHED_TOKENS:
                self._tokens.popitem(last=False)
        return token


def sign_principal(principal: Principal, private_key: Any, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": str(principal.user_id),
        "role": principal.role.value,
    }
    for claim, value in (
        ("org", principal.organization_id),
        ("bid", principal.business_id),
        ("wid", principal.worker_id),
    ):
        if value is not None:
            claims[claim] = str(value)
    return jwt.encode(claims, private_key, algorithm="EdDSA")


class PrincipalVerifier:
    """A service's half: loads the public key once; verifies a token's signature and claims the first time
    it sees the token, then only that it has not expired."""

    def __init__(self, public_pem: str) -> None:
        self._public_key = serialization.load_pem_public_key(public_pem.encode())
        self._verified: OrderedDict[str, tuple[Principal, int]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        with self._lock:
            known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if time.time() <= expires + _LEEWAY_SECONDS:
                return principal
            with self._lock:
                self._verified.pop(token, None)
            raise Unauthenticated("the principal token is not valid (ExpiredSignatureError)")
        principal, expires = self._decode(token)
        with self._lock:
            self._verified[token] = (principal, expires)
            while len(self._verified) > _CACHED_TOKENS:
                self._verified.popitem(last=False)
        return principal

    def _decode(self, token: str) -> tuple[Principal, int]:
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "role"]},
            )
            principal = Principal(
                user_id=claims["sub"],
                role=claims["role"],
                organization_id=claims.get("org"),
                business_id=claims.get("bid"),
                worker_id=claims.get("wid"),
            )
            return principal, int(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthenticated(f"the principal token is not valid ({type(exc).__name__})") from None


# `async def`, as the checks below: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
# per request for a few microseconds of work.
async def current_principal(request: Request) -> Principal:
    """The principal the gateway signed and forwarded; in an app that authenticates callers itself (the
    gateway: `app.state.authenticate`), the one it authenticates."""
    authenticate = getattr(request.app.state, "authenticate", None)
    if authenticate is not None:
        return await authenticate(request)
    token = request.headers.get(PRINCIPAL_HEADER)
    if not token:
        raise Unauthenticated(f"missing {PRINCIPAL_HEADER}: call the service through the gateway")
    verifier: PrincipalVerifier = request.app.state.principal_verifier
    return verifier.verify(token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only these roles through (401 before 403)."""
    allowed = frozenset(roles)

    async def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"the role {principal.role.value} may not do this (allowed: {names})")
        return principal

    return _check


def roles(*allowed: Role) -> Any:
    """`Annotated` alias for a route parameter: `principal: roles(Role.admin, Role.agency)`."""
    return Annotated[Principal, Depends(require_roles(*allowed))]
