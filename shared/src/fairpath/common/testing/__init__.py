"""Helpers for tests: minting principals, real nats-server and databases (pytest plugin in `fixtures`)."""

import uuid

from cryptography.hazmat.primitives import serialization

from fairpath.common.auth import PRINCIPAL_HEADER, Principal, Role, sign_principal
from fairpath.common.ids import uuid7
from fairpath.common.secrets import Keypair, new_ed25519_private_pem, public_pem_of


def throwaway_keypair() -> Keypair:
    private_pem = new_ed25519_private_pem()
    return Keypair(private_pem=private_pem, public_pem=public_pem_of(private_pem))


def make_principal(
    role: Role | str,
    *,
    organization_id: uuid.UUID | None = None,
    business_id: uuid.UUID | None = None,
    worker_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> Principal:
    role = Role(role)
    if organization_id is None and role != Role.worker:
        organization_id = uuid7()
    return Principal(
        user_id=user_id or uuid7(),
        role=role,
        organization_id=organization_id,
        business_id=business_id,
        worker_id=worker_id,
    )


class PrincipalMinter:
    """Signs principals as the gateway would, for calling services directly in tests."""

    def __init__(self, keypair: Keypair) -> None:
        self.keypair = keypair
        self._key = serialization.load_pem_private_key(keypair.private_pem.encode(), password=None)

    def token(self, principal: Principal, ttl_seconds: int = 300) -> str:
        return sign_principal(principal, self._key, ttl_seconds)

    def headers(self, principal: Principal) -> dict[str, str]:
        return {PRINCIPAL_HEADER: self.token(principal)}
