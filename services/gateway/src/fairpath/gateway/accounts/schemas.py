"""API models of the accounts domain, and the codes its tables store."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.text import Text

# A username is what a person types to sign in: no spaces, no look-alike characters, compared case-insensitively.
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
]
OrganizationName = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
KeyName = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# At least 12 characters (NIST SP 800-63B asks for 8 and advises more); long passphrases are welcome.
NewPassword = Annotated[str, StringConstraints(min_length=12, max_length=256)]
OneTimeCodeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
SsoSubject = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Url = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=8, max_length=1000)]


class UserStatus(StrEnum):
    pending_activation = "pending_activation"  # no password yet (new, or reset): a one-time code sets one
    active = "active"
    disabled = "disabled"


class ApiKeyStatus(StrEnum):
    active = "active"
    expired = "expired"
    revoked = "revoked"


class AuthenticatedBy(StrEnum):
    password = "password"
    api_key = "api_key"
    sso = "sso"


class SessionEnd(StrEnum):
    """Why a session ended: its refresh token stops working and its access tokens on the next request."""

    logout = "logout"
    user_disabled = "user_disabled"
    password_reset = "password_reset"
    password_changed = "password_changed"
    refresh_token_reused = "refresh_token_reused"
    worker_erased = "worker_erased"


# --- organisations ---------------------------------------------------------------------------


class SsoSettings(BaseModel):
    """An OpenID Connect issuer whose tokens the gateway accepts for this organisation's linked users."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "issuer": "https://login.example-agency.com",
                    "jwks_url": "https://login.example-agency.com/.well-known/jwks.json",
                    "audience": "fairpath",
                }
            ]
        },
    )

    issuer: Url = Field(description="the `iss` its tokens carry, exactly")
    jwks_url: Url = Field(description="where its signing keys are published (https)")
    audience: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = Field(
        description="the `aud` its tokens carry for Fairpath (the client id registered with the issuer)"
    )


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Second Recruitment Agency", "kind": "recruitment_agency"}]},
    )

    name: OrganizationName
    kind: OrganizationKind
    business_id: uuid.UUID | None = Field(
        default=None,
        description="the business record in vetting this organisation acts for (recruitment agencies and employers); "
        "it must be registered in vetting with this kind. Registering the business in vetting with "
        "`organization_id` links it too.",
    )


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Renamed Agency"}]})

    name: OrganizationName | None = None
    business_id: uuid.UUID | None = Field(default=None, description="null unlinks the business")


class OrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: OrganizationKind
    business_id: uuid.UUID | None
    sso: SsoSettings | None
    created_at: datetime
    updated_at: datetime
    version: int


class OrganizationSummary(BaseModel):
    id: uuid.UUID
    name: str
    kind: OrganizationKind


# --- users -----------------------------------------------------------------------------------


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"username": "amina.k"}]})

    username: Username
    role: Role | None = Field(
        default=None,
        description="the one role this organisation's kind allows (inferred when there is one; an operator's "
        "user is an `admin` or a `compliance_officer`)",
    )


class WorkerLoginCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "worker.0042", "worker_id": "0190f5c2-7a1e-7c3b-9d2e-4f5a6b7c8d9e"}]
        },
    )

    username: Username
    worker_id: uuid.UUID = Field(description="the worker record (in the registry) this login opens")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"disabled": True}]})

    role: Role | None = None
    disabled: bool | None = Field(default=None, description="true ends every session of the user and stops its keys")
    worker_id: uuid.UUID | None = Field(default=None, description="a worker login only: the worker record it opens")
    sso_subject: SsoSubject | None = Field(
        default=None,
        description="the `sub` of this user at the organisation's SSO issuer (null unlinks); never an e-mail address",
    )


class UserPublic(BaseModel):
    id: uuid.UUID
    username: str
    role: Role
    organization_id: uuid.UUID | None
    worker_id: uuid.UUID | None
    status: UserStatus
    totp_enabled: bool
    sso_subject: str | None
    activation_expires_at: datetime | None = Field(description="when the pending one-time code expires")
    created_at: datetime
    updated_at: datetime
    version: int


class OneTimeCode(BaseModel):
    """Shown once: hand it to the person, who sets their own password with it at `POST /v1/auth/activate`."""

    username: str
    code: str
    expires_at: datetime


class UserCreated(UserPublic):
    activation: OneTimeCode


class ActivationCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"remove_totp": True}]})

    remove_totp: bool = Field(
        default=False, description="also remove the second factor (a lost phone): the person sets it up again"
    )


# --- API keys --------------------------------------------------------------------------------


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "agency CRM", "user_id": "0190f5c2-7a1e-7c3b-9d2e-4f5a6b7c8d9e"}],
        },
    )

    name: KeyName
    user_id: uuid.UUID = Field(description="the organisation's user the key acts as (its role and reach)")
    expires_at: AwareDatetime | None = Field(default=None, description="when the key stops working (none: revoke it)")


class ApiKeyPublic(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str | None = Field(description="the key's first characters, to recognise it (none for imported keys)")
    user_id: uuid.UUID
    organization_id: uuid.UUID | None
    status: ApiKeyStatus
    created_at: datetime
    last_used_at: datetime | None = Field(description="to the minute: not every request writes it")
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the key itself, shown this once: only its digest is kept")


# --- signing in ------------------------------------------------------------------------------


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token is good for")
    refresh_token: str = Field(description="one use: `POST /v1/auth/refresh` gives a new pair")
    refresh_expires_in: int = Field(description="seconds the session (and so its refresh tokens) lasts")


class Activation(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "amina.k", "code": "7KQM-2XWD-9HPT-4RJC", "password": "a long passphrase"}]
        },
    )

    username: Username
    code: OneTimeCodeText
    password: NewPassword


class PasswordChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"current_password": "the old passphrase", "new_password": "a new and longer passphrase"}]
        },
    )

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: NewPassword


class TotpEnrolment(BaseModel):
    secret: str = Field(description="base32: type it into an authenticator app, or use the URI (a QR code)")
    otpauth_uri: str


class TotpConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "492039"}]})

    code: OneTimeCodeText


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="shown this once; each signs in once in place of a TOTP code")


class Me(BaseModel):
    user_id: uuid.UUID
    username: str
    role: Role
    organization: OrganizationSummary | None
    business_id: uuid.UUID | None
    worker_id: uuid.UUID | None
    authenticated_by: AuthenticatedBy
    totp_enabled: bool
    second_factor_required: bool = Field(description="this role must sign in with a TOTP code")
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
