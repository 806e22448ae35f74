"""Tables of the accounts domain, and the projections of vetting's businesses and the registry's workers.

No secret is stored in clear: passwords as Argon2id hashes (their parameters in the hash), API keys and
refresh tokens as SHA-256 digests (they are long random values), one-time and recovery codes as keyed
digests, TOTP secrets sealed with AES-256-GCM.
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Text, UniqueConstraint, Uuid
from sqlmodel import Field

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.db import EnumString, UtcDateTime
from fairpath.common.domain_codes import BusinessKind
from fairpath.gateway.accounts.schemas import SessionEnd
from fairpath.gateway.db import GatewayModel


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Column:
    return Column(Uuid(), ForeignKey(target), nullable=nullable, index=index)


class Organization(GatewayModel, table=True):
    __tablename__ = "organization"

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    kind: OrganizationKind = Field(sa_type=EnumString(OrganizationKind, 30))
    # The business record in vetting the organisation acts for (agencies and employers).
    business_id: uuid.UUID | None = Field(default=None, unique=True)
    sso_issuer: str | None = Field(default=None, max_length=1000, index=True)
    sso_jwks_url: str | None = Field(default=None, max_length=1000)
    sso_audience: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class User(GatewayModel, table=True):
    __tablename__ = "user_account"  # `user` is a reserved word in PostgreSQL
    __table_args__ = (UniqueConstraint("organization_id", "sso_subject", name="uq_user_account_sso_subject"),)

    id: uuid.UUID = Field(primary_key=True)
    username: str = Field(max_length=64)
    # The username folded for comparison: `Amina.K` and `amina.k` are one account.
    username_key: str = Field(max_length=64, unique=True)
    role: Role = Field(sa_type=EnumString(Role, 30))
    organization_id: uuid.UUID | None = Field(default=None, sa_column=_fk("organization.id", nullable=True))
    worker_id: uuid.UUID | None = Field(default=None, unique=True)
    disabled: bool = False

    password_hash: str | None = Field(default=None, max_length=300)
    password_changed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    # A pending one-time code (activation or reset), as a keyed digest.
    activation_digest: str | None = Field(default=None, max_length=64)
    activation_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))

    totp_secret_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    totp_pending_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The last 30-second step a code was accepted for: a code is good once.
    totp_last_step: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    totp_enabled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))

    sso_subject: str | None = Field(default=None, max_length=255, index=True)

    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class ApiKey(GatewayModel, table=True):
    __tablename__ = "api_key"

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=100)
    prefix: str | None = Field(default=None, max_length=16)
    digest: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    organization_id: uuid.UUID | None = Field(default=None, sa_column=_fk("organization.id", nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class UserSession(GatewayModel, table=True):
    """One sign-in: its access tokens name it, its refresh tokens rotate within it, and ending it ends them all."""

    __tablename__ = "user_session"

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    second_factor: bool = False
    # An admin or compliance officer without TOTP yet: the session may only set it up.
    enrolment_only: bool = False
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    end_reason: SessionEnd | None = Field(default=None, sa_type=EnumString(SessionEnd, 30))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


class RefreshToken(GatewayModel, table=True):
    """Every refresh token a session was given: the current one has no `used_at`; one presented again after
    use was stolen or replayed, and ends the session."""

    __tablename__ = "refresh_token"

    digest: str = Field(primary_key=True, max_length=64)
    session_id: uuid.UUID = Field(sa_column=_fk("user_session.id"))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class RecoveryCode(GatewayModel, table=True):
    __tablename__ = "recovery_code"

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_fk("user_account.id"))
    digest: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class LinkedBusiness(GatewayModel, table=True):
    """A business record in vetting (a projection of its events): its kind, and the organisation vetting
    says acts for it."""

    __tablename__ = "linked_business"

    business_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID | None = Field(default=None, index=True)
    kind: BusinessKind | None = Field(default=None, sa_type=EnumString(BusinessKind, 30))
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class KnownWorker(GatewayModel, table=True):
    """A worker record in the registry (a projection of its events), so a login links only to a real one."""

    __tablename__ = "known_worker"

    worker_id: uuid.UUID = Field(primary_key=True)
    erased: bool = False
    version: int
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
