"""Managing accounts: organisations (and the business each acts for), users, one-time codes, API keys, single
sign-on settings. Every change goes through the ledger into the gateway's audit chain, naming fields, never
a password, a code, a key or a TOTP secret.

Who may do what: admins manage everything; a compliance officer also creates worker logins and hands out
one-time codes to people outside the operator (so a worker's password never passes through an agency).
"""

import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import OPERATOR_ROLES, OrganizationKind, Principal, Role
from fairpath.common.errors import Conflict, NotFound, RuleViolations, Violation
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.codes import new_activation_code, new_api_key, shown_prefix, token_digest
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.schemas import (
    ApiKeyCreate,
    ApiKeyPublic,
    ApiKeyStatus,
    OneTimeCode,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    SessionEnd,
    SsoSettings,
    UserCreate,
    UserPublic,
    UserStatus,
    UserUpdate,
    WorkerLoginCreate,
)
from fairpath.gateway.accounts.sso import insecure_jwks_url
from fairpath.gateway.accounts.tables import (
    ApiKey,
    KnownWorker,
    LinkedBusiness,
    Organization,
    RecoveryCode,
    User,
    UserSession,
)

# Roles that must sign in with a second factor (TOTP); everyone else may add one.
SECOND_FACTOR_ROLES = OPERATOR_ROLES
# The kind of organisation each role belongs to (a worker belongs to none).
ROLE_KIND: dict[Role, OrganizationKind | None] = {
    Role.admin: OrganizationKind.operator,
    Role.compliance_officer: OrganizationKind.operator,
    Role.agency: OrganizationKind.recruitment_agency,
    Role.employer: OrganizationKind.employer,
    Role.auditor: OrganizationKind.auditor,
    Role.worker: None,
}
_ONLY_ROLE = {kind: role for role, kind in ROLE_KIND.items() if kind not in (None, OrganizationKind.operator)}
# The kinds that act for a business record in vetting.
BUSINESS_KINDS = frozenset({OrganizationKind.recruitment_agency, OrganizationKind.employer})
ACTIVATION_PURPOSE = "activation"


# --- problems ------------------------------------------------------------------------------


class UsernameTaken(Conflict):
    name = "username_taken"
    description = "another account has this username (compared case-insensitively)"


class BusinessLinkedElsewhere(Conflict):
    name = "business_linked_elsewhere"
    description = "the business acts through another organisation (here or in vetting's record)"


class WorkerHasLogin(Conflict):
    name = "worker_has_login"
    description = "the worker record already has a login"


class LastAdmin(Conflict):
    name = "last_admin"
    description = "the deployment would be left without an enabled admin"


class SsoNotForOperator(Conflict):
    name = "sso_not_for_operator"
    description = "the operator's people sign in with a password and TOTP, never through another issuer"


class SsoSubjectTaken(Conflict):
    name = "sso_subject_taken"
    description = "another user of the organisation is linked to this subject"


def violation(field: str, rule: str, message: str) -> RuleViolations:
    return RuleViolations([Violation(field=field, rule=rule, message=message)])


# --- presenting ----------------------------------------------------------------------------


def username_key(username: str) -> str:
    return unicodedata.normalize("NFKC", username).casefold()


def user_status(user: User) -> UserStatus:
    if user.disabled:
        return UserStatus.disabled
    return UserStatus.active if user.password_hash else UserStatus.pending_activation


def present_organization(org: Organization) -> OrganizationPublic:
    sso = None
    if org.sso_issuer and org.sso_jwks_url and org.sso_audience:
        sso = SsoSettings(issuer=org.sso_issuer, jwks_url=org.sso_jwks_url, audience=org.sso_audience)
    return OrganizationPublic(
        id=org.id,
        name=org.name,
        kind=org.kind,
        business_id=org.business_id,
        sso=sso,
        created_at=org.created_at,
        updated_at=org.updated_at,
        version=org.version,
    )


def present_user(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,
        organization_id=user.organization_id,
        worker_id=user.worker_id,
        status=user_status(user),
        totp_enabled=user.totp_secret_sealed is not None,
        sso_subject=user.sso_subject,
        activation_expires_at=user.activation_expires_at if user.activation_digest else None,
        created_at=user.created_at,
        updated_at=user.updated_at,
        version=user.version,
    )


def key_status(key: ApiKey, now: datetime) -> ApiKeyStatus:
    if key.revoked_at is not None:
        return ApiKeyStatus.revoked
    if key.expires_at is not None and key.expires_at <= now:
        return ApiKeyStatus.expired
    return ApiKeyStatus.active


def present_key(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        user_id=key.user_id,
        organization_id=key.organization_id,
        status=key_status(key, utcnow()),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
    )


def principal_of(user: User, organization: Organization | None) -> Principal:
    """What the gateway forwards to services for this user: the business only for an agency or employer."""
    return principal_for(
        user.id,
        user.role,
        organization_id=user.organization_id,
        business_id=organization.business_id if organization is not None else None,
        worker_id=user.worker_id,
    )


def principal_for(
    user_id: uuid.UUID,
    role: Role,
    *,
    organization_id: uuid.UUID | None,
    business_id: uuid.UUID | None,
    worker_id: uuid.UUID | None,
) -> Principal:
    """`principal_of` from a user's columns and its organisation's business (as the per-request lookups read them)."""
    return Principal(
        user_id=user_id,
        role=role,
        organization_id=organization_id,
        business_id=business_id if role in (Role.agency, Role.employer) else None,
        worker_id=worker_id if role == Role.worker else None,
    )


# --- organisations -------------------------------------------------------------------------


async def get_organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise NotFound("organization", organization_id)
    return org


async def list_organizations(
    session: AsyncSession, *, kind: OrganizationKind | None, after: uuid.UUID | None, limit: int
) -> Sequence[Organization]:
    query = select(Organization).order_by(Organization.id).limit(limit)
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if after is not None:
        query = query.where(Organization.id > after)
    return (await session.execute(query)).scalars().all()


async def check_business_link(session: AsyncSession, org: Organization, business_id: uuid.UUID) -> None:
    """A business may be linked when vetting's events made it known, with the organisation's kind, and no
    other organisation acts for it (here, or in vetting's record)."""
    if org.kind not in BUSINESS_KINDS:
        raise violation(
            "business_id", "no_business_for_kind", f"an organisation of kind {org.kind.value} acts for no business"
        )
    known = await session.get(LinkedBusiness, business_id)
    if known is None:
        raise violation("business_id", "not_found", f"business {business_id} not found")
    if known.kind is not None and known.kind.value != org.kind.value:
        raise violation(
            "business_id",
            "business_kind_mismatch",
            f"the business is a {known.kind.value}, the organisation a {org.kind.value}",
        )
    elsewhere = await session.scalar(
        select(Organization.id).where(Organization.business_id == business_id, Organization.id != org.id)
    )
    if elsewhere is not None or known.organization_id not in (None, org.id):
        raise BusinessLinkedElsewhere(f"business {business_id} acts through another organisation")


async def create_organization(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, data: OrganizationCreate
) -> Organization:
    now = utcnow()
    org = Organization(
        id=uuid7(), name=data.name, kind=data.kind, created_by=principal.actor, created_at=now, updated_at=now
    )
    if data.business_id is not None:
        await check_business_link(session, org, data.business_id)
        org.business_id = data.business_id
    await ledger.record_new(
        session,
        org,
        actor=principal.actor,
        action="organization.created",
        record_type="organization",
        changes={"name": org.name, "kind": org.kind, "business_id": org.business_id},
    )
    return org


async def update_organization(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, organization_id: uuid.UUID, data: OrganizationUpdate
) -> Organization:
    org = await get_organization(session, organization_id)
    given = data.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in given:
        if data.name is None:
            raise violation("name", "required", "an organisation keeps a name")
        if data.name != org.name:
            changes["name"] = org.name = data.name
    if "business_id" in given and data.business_id != org.business_id:
        if data.business_id is not None:
            await check_business_link(session, org, data.business_id)
        changes["business_id"] = org.business_id = data.business_id
    if changes:
        await ledger.record_change(
            session,
            org,
            actor=principal.actor,
            action="organization.updated",
            record_type="organization",
            changes=changes,
        )
    return org


async def set_single_sign_on(
    *,
    session: AsyncSession,
    ledger: Ledger,
    accounts: Accounts,
    principal: Principal,
    organization_id: uuid.UUID,
    data: SsoSettings | None,
) -> Organization:
    """Trust an OpenID Connect issuer for the organisation's linked users (None: stop trusting it)."""
    org = await get_organization(session, organization_id)
    if data is not None:
        if org.kind == OrganizationKind.operator:
            raise SsoNotForOperator("the operator's people sign in with a password and TOTP")
        reason = insecure_jwks_url(data.jwks_url, production=accounts.production)
        if reason:
            raise violation("jwks_url", "insecure_url", reason)
    issuer, jwks_url, audience = (data.issuer, data.jwks_url, data.audience) if data else (None, None, None)
    if (org.sso_issuer, org.sso_jwks_url, org.sso_audience) == (issuer, jwks_url, audience):
        return org
    org.sso_issuer, org.sso_jwks_url, org.sso_audience = issuer, jwks_url, audience
    await ledger.record_change(
        session,
        org,
        actor=principal.actor,
        record_type="organization",
        action="organization.sso_configured" if data else "organization.sso_removed",
        changes={"sso_issuer": issuer, "sso_jwks_url": jwks_url, "sso_audience": audience},
    )
    return org


async def link_business_from_vetting(
    session: AsyncSession, ledger: Ledger, *, business_id: uuid.UUID, organization_id: uuid.UUID, kind: str
) -> None:
    """Vetting's record names the organisation that acts for a business: the gateway follows it (the organisation
    acts for one business; one that acted for this business before no longer does)."""
    org = await session.get(Organization, organization_id, with_for_update=True)
    if org is None or org.kind.value != kind or org.business_id == business_id:
        return
    previous = (
        (await session.execute(select(Organization).where(Organization.business_id == business_id).with_for_update()))
        .scalars()
        .all()
    )
    for other in previous:
        other.business_id = None
        await ledger.record_change(
            session,
            other,
            actor="vetting",
            action="organization.updated",
            record_type="organization",
            changes={"business_id": None},
        )
    org.business_id = business_id
    await ledger.record_change(
        session,
        org,
        actor="vetting",
        action="organization.updated",
        record_type="organization",
        changes={"business_id": business_id},
    )


# --- users ---------------------------------------------------------------------------------


def may_manage(principal: Principal, user: User) -> bool:
    """An admin manages every account; a compliance officer the accounts outside the operator."""
    return principal.role == Role.admin or user.role not in OPERATOR_ROLES


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, lock: bool = False) -> User:
    user = await session.get(User, user_id, with_for_update=lock)
    if user is None or not may_manage(principal, user):
        raise NotFound("user", user_id)
    return user


async def find_user(session: AsyncSession, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username_key == username_key(username)))


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    organization_id: uuid.UUID | None = None,
    worker_id: uuid.UUID | None = None,
    username: str | None = None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[User]:
    query = select(User).order_by(User.id).limit(limit)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if worker_id is not None:
        query = query.where(User.worker_id == worker_id)
    if username is not None:
        query = query.where(User.username_key == username_key(username))
    if principal.role != Role.admin:
        query = query.where(User.role.not_in([r.value for r in OPERATOR_ROLES]))
    if after is not None:
        query = query.where(User.id > after)
    return (await session.execute(query)).scalars().all()


async def _ensure_username_free(session: AsyncSession, username: str) -> None:
    if await find_user(session, username) is not None:
        raise UsernameTaken(f"the username {username} is taken")


async def _ensure_known_worker(session: AsyncSession, worker_id: uuid.UUID) -> None:
    worker = await session.get(KnownWorker, worker_id)
    if worker is None or worker.erased:
        raise violation("worker_id", "not_found", f"worker {worker_id} not found")
    if await session.scalar(select(User.id).where(User.worker_id == worker_id)) is not None:
        raise WorkerHasLogin(f"worker {worker_id} already has a login")


def _new_code(accounts: Accounts, user: User) -> OneTimeCode:
    """A one-time code for the user (replacing any pending one): returned once, kept as a keyed digest."""
    code = new_activation_code()
    user.activation_digest = accounts.codes.digest(ACTIVATION_PURPOSE, code)
    user.activation_expires_at = utcnow() + accounts.activation_ttl
    return OneTimeCode(username=user.username, code=code, expires_at=user.activation_expires_at)


async def add_user(
    session: AsyncSession,
    ledger: Ledger,
    accounts: Accounts,
    *,
    actor: str,
    username: str,
    role: Role,
    organization_id: uuid.UUID | None,
    worker_id: uuid.UUID | None = None,
) -> tuple[User, OneTimeCode]:
    await _ensure_username_free(session, username)
    now = utcnow()
    user = User(
        id=uuid7(),
        username=username,
        username_key=username_key(username),
        role=role,
        organization_id=organization_id,
        worker_id=worker_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    code = _new_code(accounts, user)
    await ledger.record_new(
        session,
        user,
        actor=actor,
        action="user.created",
        record_type="user",
        changes={
            "username": username,
            "role": role,
            "organization_id": organization_id,
            "worker_id": worker_id,
            "activation_code": "issued",
        },
    )
    return user, code


async def create_user(
    *,
    session: AsyncSession,
    ledger: Ledger,
    accounts: Accounts,
    principal: Principal,
    organization_id: uuid.UUID,
    data: UserCreate,
) -> tuple[User, OneTimeCode]:
    org = await get_organization(session, organization_id)
    role = data.role or _ONLY_ROLE.get(org.kind)
    if role is None:
        raise violation("role", "missing", "an operator's user is an admin or a compliance_officer: give the role")
    if ROLE_KIND[role] != org.kind:
        raise violation("role", "role_not_for_organization", f"a {role.value} does not belong to a {org.kind.value}")
    return await add_user(
        session, ledger, accounts, actor=principal.actor, username=data.username, role=role, organization_id=org.id
    )


async def create_worker_login(
    *, session: AsyncSession, ledger: Ledger, accounts: Accounts, principal: Principal, data: WorkerLoginCreate
) -> tuple[User, OneTimeCode]:
    await _ensure_known_worker(session, data.worker_id)
    return await add_user(
        session,
        ledger,
        accounts,
        actor=principal.actor,
        username=data.username,
        role=Role.worker,
        organization_id=None,
        worker_id=data.worker_id,
    )


async def end_sessions(
    session: AsyncSession,
    ledger: Ledger,
    *,
    user_id: uuid.UUID,
    reason: SessionEnd,
    actor: str,
    keep: uuid.UUID | None = None,
) -> int:
    """End every open session of the user (but `keep`): their refresh tokens stop at once, their access tokens
    at their next request on any replica."""
    query = select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    ended = (await session.execute(query.with_for_update())).scalars().all()
    now = utcnow()
    for row in ended:
        row.ended_at, row.end_reason = now, reason
        await ledger.record_change(
            session, row, actor=actor, action="session.ended", record_type="session", changes={"end_reason": reason}
        )
    return len(ended)


async def _ensure_another_admin(session: AsyncSession, user: User) -> None:
    others = await session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, User.disabled.is_(False), User.id != user.id)
    )
    if not others:
        raise LastAdmin("the deployment needs at least one enabled admin")


async def update_user(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> User:
    user = await get_user(session, principal, user_id, lock=True)
    given = data.model_fields_set
    for name in ("role", "disabled"):
        if name in given and getattr(data, name) is None:
            raise violation(name, "required", f"{name} cannot be null")
    changes: dict[str, Any] = {}
    if data.role is not None and data.role != user.role:
        org = await session.get(Organization, user.organization_id) if user.organization_id else None
        if ROLE_KIND[data.role] != (org.kind if org else None):
            where = f"a {org.kind.value}" if org else "no organisation (a worker login)"
            raise violation("role", "role_not_for_organization", f"a {data.role.value} does not belong to {where}")
        if user.role == Role.admin:
            await _ensure_another_admin(session, user)
        changes["role"] = user.role = data.role
    if data.disabled is not None and data.disabled != user.disabled:
        if data.disabled and user.role == Role.admin:
            await _ensure_another_admin(session, user)
        changes["disabled"] = user.disabled = data.disabled
    if "worker_id" in given and data.worker_id != user.worker_id:
        if user.role != Role.worker:
            raise violation("worker_id", "not_a_worker_login", "only a worker's login opens a worker record")
        if data.worker_id is not None:
            await _ensure_known_worker(session, data.worker_id)
        changes["worker_id"] = user.worker_id = data.worker_id
    if "sso_subject" in given and data.sso_subject != user.sso_subject:
        if data.sso_subject is not None:
            org = await session.get(Organization, user.organization_id) if user.organization_id else None
            if org is None or org.sso_issuer is None:
                raise violation("sso_subject", "sso_not_configured", "the user's organisation has no single sign-on")
            taken = await session.scalar(
                select(User.id).where(User.organization_id == org.id, User.sso_subject == data.sso_subject)
            )
            if taken is not None:
                raise SsoSubjectTaken("another user of the organisation is linked to this subject")
        changes["sso_subject"] = user.sso_subject = data.sso_subject
    if not changes:
        return user
    action = "user.updated"
    if set(changes) == {"disabled"}:
        action = "user.disabled" if user.disabled else "user.enabled"
    await ledger.record_change(session, user, actor=principal.actor, action=action, record_type="user", changes=changes)
    if changes.get("disabled"):
        await end_sessions(session, ledger, user_id=user.id, reason=SessionEnd.user_disabled, actor=principal.actor)
    return user


async def remove_second_factor(session: AsyncSession, user: User) -> None:
    user.totp_secret_sealed = user.totp_pending_sealed = None
    user.totp_last_step = user.totp_enabled_at = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


async def issue_activation_code(
    *,
    session: AsyncSession,
    ledger: Ledger,
    accounts: Accounts,
    principal: Principal,
    user_id: uuid.UUID,
    remove_totp: bool,
) -> OneTimeCode:
    """A one-time code the person sets their own password with. For an active user it is a reset: the old
    password stops working and every session ends now."""
    user = await get_user(session, principal, user_id, lock=True)
    resetting = user.password_hash is not None
    code = _new_code(accounts, user)
    changes: dict[str, Any] = {"activation_code": "issued"}
    if resetting:
        user.password_hash = None
        changes["password"] = "cleared"
    if remove_totp and (user.totp_secret_sealed or user.totp_pending_sealed):
        await remove_second_factor(session, user)
        changes["totp"] = "removed"
    await ledger.record_change(
        session,
        user,
        actor=principal.actor,
        record_type="user",
        action="user.password_reset" if resetting else "user.activation_code_issued",
        changes=changes,
    )
    await end_sessions(session, ledger, user_id=user.id, reason=SessionEnd.password_reset, actor=principal.actor)
    return code


# --- API keys ------------------------------------------------------------------------------


async def create_api_key(
    *, session: AsyncSession, ledger: Ledger, principal: Principal, organization_id: uuid.UUID, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    org = await get_organization(session, organization_id)
    user = await session.get(User, data.user_id)
    if user is None or user.organization_id != org.id:
        raise violation("user_id", "not_found", f"user {data.user_id} not found")
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise violation("expires_at", "date_in_past", "the key would have expired already")
    return await add_api_key(
        session, ledger, actor=principal.actor, user=user, name=data.name, expires_at=data.expires_at
    )


async def add_api_key(
    session: AsyncSession, ledger: Ledger, *, actor: str, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key acting as the user: returned once, kept as a digest."""
    secret, now = new_api_key(), utcnow()
    key = ApiKey(
        id=uuid7(),
        name=name,
        prefix=shown_prefix(secret),
        digest=token_digest(secret),
        user_id=user.id,
        organization_id=user.organization_id,
        expires_at=expires_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        key,
        actor=actor,
        action="api_key.created",
        record_type="api_key",
        changes={"name": name, "user_id": user.id, "expires_at": expires_at},
    )
    return key, secret


async def list_api_keys(
    session: AsyncSession, *, organization_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[ApiKey]:
    await get_organization(session, organization_id)
    query = select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.id).limit(limit)
    if after is not None:
        query = query.where(ApiKey.id > after)
    return (await session.execute(query)).scalars().all()


async def revoke_api_key(*, session: AsyncSession, ledger: Ledger, principal: Principal, key_id: uuid.UUID) -> None:
    """The key stops working at its next request, on every replica. Revoking a revoked key changes nothing."""
    key = await session.get(ApiKey, key_id, with_for_update=True)
    if key is None:
        raise NotFound("api key", key_id)
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    await ledger.record_change(
        session,
        key,
        actor=principal.actor,
        action="api_key.revoked",
        record_type="api_key",
        changes={"revoked_at": key.revoked_at},
    )
