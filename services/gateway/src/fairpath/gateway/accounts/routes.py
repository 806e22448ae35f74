"""HTTP routes of the accounts domain: signing in (`/v1/auth`), who am I (`/v1/me`), and the admin API for
organisations, users and API keys (`/v1/admin`). Thin: the rules live in service.py and signin.py."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, status

from fairpath.common.auth import OrganizationKind
from fairpath.common.errors import PROBLEM_RESPONSES, NotFound, RuleViolations, problems
from fairpath.common.pagination import CursorParam, LimitParam, Page, decode_cursor
from fairpath.gateway.accounts import service, signin
from fairpath.gateway.accounts.auth import AccountAdmin, CodeIssuer, SignedIn
from fairpath.gateway.accounts.authentication import SecondFactorEnrolmentRequired
from fairpath.gateway.accounts.context import AccountsDep
from fairpath.gateway.accounts.schemas import (
    Activation,
    ActivationCodeRequest,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Me,
    OneTimeCode,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationSummary,
    OrganizationUpdate,
    PasswordChange,
    RecoveryCodes,
    SsoSettings,
    TokenPair,
    TotpConfirmation,
    TotpEnrolment,
    UserCreate,
    UserCreated,
    UserPublic,
    UserUpdate,
    WorkerLoginCreate,
)
from fairpath.gateway.accounts.service import (
    BusinessLinkedElsewhere,
    LastAdmin,
    SsoNotForOperator,
    SsoSubjectTaken,
    UsernameTaken,
    WorkerHasLogin,
    violation,
)
from fairpath.gateway.accounts.signin import (
    ActivationRefused,
    BadCredentials,
    NoSession,
    PasswordSessionRequired,
    RefreshRefused,
    SecondFactorRefused,
    SecondFactorRequired,
    TotpAlreadyEnabled,
    TotpNotStarted,
)
from fairpath.gateway.accounts.tables import User
from fairpath.gateway.deps import LedgerDep, ReadSessionDep, WriteSessionDep
from fairpath.gateway.protection.deps import ClientAddress, SignInFailuresDep
from fairpath.gateway.protection.limits import TooManyFailedSignIns

auth_router = APIRouter(prefix="/v1/auth", tags=["identity"], responses=PROBLEM_RESPONSES)
me_router = APIRouter(prefix="/v1/me", tags=["identity"], responses=PROBLEM_RESPONSES)
admin_router = APIRouter(prefix="/v1/admin", tags=["accounts"], responses=PROBLEM_RESPONSES)

Secret = Annotated[str, Form(min_length=1, max_length=256)]
OptionalCode = Annotated[str | None, Form(max_length=64)]


def _form_example(example: dict[str, str]) -> dict:
    return {"requestBody": {"content": {"application/x-www-form-urlencoded": {"example": example}}}}


# --- /v1/auth --------------------------------------------------------------------------------


@auth_router.post(
    "/token",
    response_model=TokenPair,
    summary="Sign in with a username and password (and a TOTP code): an access and a refresh token",
    description="The OAuth2 password flow (a form). An account with a second factor also sends `totp` (six "
    "digits from the app) or one of its `recovery_code`s; without it the answer is a 401 "
    "`second_factor_required`. An admin or compliance officer without TOTP gets a session that may only set it "
    "up. The access token is short; `POST /v1/auth/refresh` renews it.",
    responses=problems(BadCredentials, SecondFactorRequired, SecondFactorRefused, TooManyFailedSignIns, public=True),
    openapi_extra=_form_example({"grant_type": "password", "username": "amina.k", "password": "a long passphrase"}),
)
async def issue_token(
    ledger: LedgerDep,
    accounts: AccountsDep,
    failures: SignInFailuresDep,
    address: ClientAddress,
    username: Annotated[str, Form(min_length=1, max_length=200)],
    password: Secret,
    grant_type: Annotated[str | None, Form(max_length=50)] = None,
    totp: OptionalCode = None,
    recovery_code: OptionalCode = None,
) -> TokenPair:
    if grant_type not in (None, "password"):
        raise violation("grant_type", "unsupported_grant_type", "this endpoint takes grant_type=password")
    return await signin.sign_in(
        database=ledger.database,
        ledger=ledger,
        accounts=accounts,
        failures=failures,
        address=address,
        username=username,
        password=password,
        totp_code=totp,
        recovery_code=recovery_code,
    )


@auth_router.post(
    "/refresh",
    response_model=TokenPair,
    summary="A new access token (and refresh token) for a refresh token, which is spent",
    description="Refresh tokens rotate: each is good once. One presented a second time was copied, so its whole "
    "session ends and every token of it stops working.",
    responses=problems(RefreshRefused, public=True),
    openapi_extra=_form_example(
        {"grant_type": "refresh_token", "refresh_token": "fpr_3q2Yc9tVx0KfR7mZ1bWnLhE8sJdPaUo4iGkTyXcN5vB"}
    ),
)
async def refresh_token(
    ledger: LedgerDep,
    accounts: AccountsDep,
    refresh_token: Annotated[str, Form(min_length=1, max_length=200)],
    grant_type: Annotated[str | None, Form(max_length=50)] = None,
) -> TokenPair:
    if grant_type not in (None, "refresh_token"):
        raise violation("grant_type", "unsupported_grant_type", "this endpoint takes grant_type=refresh_token")
    return await signin.refresh(database=ledger.database, ledger=ledger, accounts=accounts, refresh_token=refresh_token)


@auth_router.post(
    "/activate",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set your own password with the one-time code an admin or compliance officer gave you",
    description="For a new account and after a reset alike. The code is good once, until it expires; every "
    "session of the account ends. Then sign in at `POST /v1/auth/token`.",
    responses=problems(ActivationRefused, RuleViolations, TooManyFailedSignIns, public=True),
)
async def activate(
    ledger: LedgerDep, accounts: AccountsDep, failures: SignInFailuresDep, address: ClientAddress, body: Activation
) -> Response:
    await signin.activate(
        database=ledger.database, ledger=ledger, accounts=accounts, failures=failures, address=address, data=body
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this session: its access and refresh tokens stop working",
    responses=problems(NoSession),
)
async def log_out(session: WriteSessionDep, ledger: LedgerDep, caller: SignedIn) -> Response:
    await signin.log_out(session=session, ledger=ledger, caller=caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- /v1/me ----------------------------------------------------------------------------------


@me_router.get(
    "",
    response_model=Me,
    summary="Who am I: user, role, organisation, linked business or worker",
    responses=problems(SecondFactorEnrolmentRequired),
)
async def who_am_i(session: ReadSessionDep, caller: SignedIn) -> Me:
    principal = caller.principal
    org = None
    if principal.organization_id is not None:
        found = await service.get_organization(session, principal.organization_id)
        org = OrganizationSummary(id=found.id, name=found.name, kind=found.kind)
    return Me(
        user_id=principal.user_id,
        username=caller.username,
        role=principal.role,
        organization=org,
        business_id=principal.business_id,
        worker_id=principal.worker_id,
        authenticated_by=caller.authenticated_by,
        totp_enabled=caller.totp_enabled,
        second_factor_required=principal.role in service.SECOND_FACTOR_ROLES,
        session_id=caller.session_id,
        api_key_id=caller.api_key_id,
    )


@me_router.post(
    "/totp",
    response_model=TotpEnrolment,
    summary="Start setting up a second factor: a TOTP secret for an authenticator app",
    responses=problems(PasswordSessionRequired, TotpAlreadyEnabled),
)
async def start_totp(
    session: WriteSessionDep, ledger: LedgerDep, accounts: AccountsDep, caller: SignedIn
) -> TotpEnrolment:
    return await signin.start_totp(session=session, ledger=ledger, accounts=accounts, caller=caller)


@me_router.post(
    "/totp/confirm",
    response_model=RecoveryCodes,
    summary="Turn the second factor on with a code from the app; the recovery codes are shown this once",
    responses=problems(PasswordSessionRequired, TotpAlreadyEnabled, TotpNotStarted),
)
async def confirm_totp(
    session: WriteSessionDep, ledger: LedgerDep, accounts: AccountsDep, caller: SignedIn, body: TotpConfirmation
) -> RecoveryCodes:
    return await signin.confirm_totp(session=session, ledger=ledger, accounts=accounts, caller=caller, code=body.code)


@me_router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your password; your other sessions end",
    responses=problems(PasswordSessionRequired),
)
async def change_password(ledger: LedgerDep, accounts: AccountsDep, caller: SignedIn, body: PasswordChange) -> Response:
    await signin.change_password(database=ledger.database, ledger=ledger, accounts=accounts, caller=caller, data=body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- /v1/admin/organizations -----------------------------------------------------------------


@admin_router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationPublic,
    summary="Create an organisation (an agency, an employer, an auditor)",
    responses=problems(BusinessLinkedElsewhere),
)
async def create_organization(
    session: WriteSessionDep, ledger: LedgerDep, principal: AccountAdmin, body: OrganizationCreate
) -> OrganizationPublic:
    org = await service.create_organization(session=session, ledger=ledger, principal=principal, data=body)
    return service.present_organization(org)


@admin_router.get("/organizations", response_model=Page[OrganizationPublic], summary="The organisations")
async def list_organizations(
    session: ReadSessionDep,
    _: AccountAdmin,
    kind: OrganizationKind | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[OrganizationPublic]:
    rows = await service.list_organizations(session, kind=kind, after=decode_cursor(cursor), limit=limit + 1)
    return Page.of([service.present_organization(o) for o in rows[:limit]], more=len(rows) > limit)


@admin_router.get(
    "/organizations/{organization_id}",
    response_model=OrganizationPublic,
    summary="One organisation",
    responses=problems(NotFound),
)
async def get_organization(session: ReadSessionDep, _: AccountAdmin, organization_id: uuid.UUID) -> OrganizationPublic:
    return service.present_organization(await service.get_organization(session, organization_id))


@admin_router.patch(
    "/organizations/{organization_id}",
    response_model=OrganizationPublic,
    summary="Rename an organisation, or link (or unlink) the business it acts for",
    responses=problems(NotFound, BusinessLinkedElsewhere),
)
async def update_organization(
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
) -> OrganizationPublic:
    org = await service.update_organization(
        session=session, ledger=ledger, principal=principal, organization_id=organization_id, data=body
    )
    return service.present_organization(org)


@admin_router.put(
    "/organizations/{organization_id}/sso",
    response_model=OrganizationPublic,
    summary="Accept an OpenID Connect issuer's tokens for the organisation's linked users",
    description="Users are linked by the token's subject (`PATCH /v1/admin/users/{id}` with `sso_subject`), "
    "never by an e-mail address.",
    responses=problems(NotFound, SsoNotForOperator),
)
async def set_single_sign_on(
    session: WriteSessionDep,
    ledger: LedgerDep,
    accounts: AccountsDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
    body: SsoSettings,
) -> OrganizationPublic:
    org = await service.set_single_sign_on(
        session=session,
        ledger=ledger,
        accounts=accounts,
        principal=principal,
        organization_id=organization_id,
        data=body,
    )
    return service.present_organization(org)


@admin_router.delete(
    "/organizations/{organization_id}/sso",
    response_model=OrganizationPublic,
    summary="Stop accepting the organisation's issuer",
    responses=problems(NotFound),
)
async def remove_single_sign_on(
    session: WriteSessionDep,
    ledger: LedgerDep,
    accounts: AccountsDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
) -> OrganizationPublic:
    org = await service.set_single_sign_on(
        session=session,
        ledger=ledger,
        accounts=accounts,
        principal=principal,
        organization_id=organization_id,
        data=None,
    )
    return service.present_organization(org)


# --- users -----------------------------------------------------------------------------------


def _created(user: User, code: OneTimeCode) -> UserCreated:
    return UserCreated(**service.present_user(user).model_dump(), activation=code)


@admin_router.post(
    "/organizations/{organization_id}/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserCreated,
    summary="Create a user of the organisation; the one-time activation code is shown this once",
    description="Hand the code to the person: they set their own password at `POST /v1/auth/activate`.",
    responses=problems(NotFound, UsernameTaken),
)
async def create_user(
    session: WriteSessionDep,
    ledger: LedgerDep,
    accounts: AccountsDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
    body: UserCreate,
) -> UserCreated:
    user, code = await service.create_user(
        session=session,
        ledger=ledger,
        accounts=accounts,
        principal=principal,
        organization_id=organization_id,
        data=body,
    )
    return _created(user, code)


@admin_router.get(
    "/organizations/{organization_id}/users",
    response_model=Page[UserPublic],
    summary="The organisation's users",
    responses=problems(NotFound),
)
async def list_organization_users(
    session: ReadSessionDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[UserPublic]:
    await service.get_organization(session, organization_id)
    rows = await service.list_users(
        session, principal, organization_id=organization_id, after=decode_cursor(cursor), limit=limit + 1
    )
    return Page.of([service.present_user(u) for u in rows[:limit]], more=len(rows) > limit)


@admin_router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserCreated,
    summary="Create a worker's login, linked to their worker record; the one-time code is shown this once",
    description="An admin or a compliance officer hands the code to the worker in person: the agency never knows "
    "the worker's password.",
    responses=problems(UsernameTaken, WorkerHasLogin),
)
async def create_worker_login(
    session: WriteSessionDep, ledger: LedgerDep, accounts: AccountsDep, principal: CodeIssuer, body: WorkerLoginCreate
) -> UserCreated:
    user, code = await service.create_worker_login(
        session=session, ledger=ledger, accounts=accounts, principal=principal, data=body
    )
    return _created(user, code)


@admin_router.get(
    "/users",
    response_model=Page[UserPublic],
    summary="Find users by username or worker record (a compliance officer sees no operator account)",
)
async def find_users(
    session: ReadSessionDep,
    principal: CodeIssuer,
    username: Annotated[str | None, Query(max_length=64)] = None,
    worker_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[UserPublic]:
    rows = await service.list_users(
        session, principal, username=username, worker_id=worker_id, after=decode_cursor(cursor), limit=limit + 1
    )
    return Page.of([service.present_user(u) for u in rows[:limit]], more=len(rows) > limit)


@admin_router.get("/users/{user_id}", response_model=UserPublic, summary="One user", responses=problems(NotFound))
async def get_user(session: ReadSessionDep, principal: CodeIssuer, user_id: uuid.UUID) -> UserPublic:
    return service.present_user(await service.get_user(session, principal, user_id))


@admin_router.patch(
    "/users/{user_id}",
    response_model=UserPublic,
    summary="Change a user's role, disable or enable them, link their worker record or single sign-on subject",
    description="Disabling ends every session of the user and stops their API keys at the next request.",
    responses=problems(NotFound, WorkerHasLogin, LastAdmin, SsoSubjectTaken),
)
async def update_user(
    session: WriteSessionDep, ledger: LedgerDep, principal: AccountAdmin, user_id: uuid.UUID, body: UserUpdate
) -> UserPublic:
    user = await service.update_user(session=session, ledger=ledger, principal=principal, user_id=user_id, data=body)
    return service.present_user(user)


@admin_router.post(
    "/users/{user_id}/activation-code",
    response_model=OneTimeCode,
    summary="A new one-time code for the user (a reset for an active user: the password and every session end)",
    responses=problems(NotFound),
)
async def issue_activation_code(
    session: WriteSessionDep,
    ledger: LedgerDep,
    accounts: AccountsDep,
    principal: CodeIssuer,
    user_id: uuid.UUID,
    body: ActivationCodeRequest | None = None,
) -> OneTimeCode:
    return await service.issue_activation_code(
        session=session,
        ledger=ledger,
        accounts=accounts,
        principal=principal,
        user_id=user_id,
        remove_totp=body.remove_totp if body else False,
    )


# --- API keys --------------------------------------------------------------------------------


@admin_router.post(
    "/organizations/{organization_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    summary="Create an API key acting as one of the organisation's users; the key is shown this once",
    responses=problems(NotFound),
)
async def create_api_key(
    session: WriteSessionDep,
    ledger: LedgerDep,
    principal: AccountAdmin,
    organization_id: uuid.UUID,
    body: ApiKeyCreate,
) -> ApiKeyCreated:
    key, secret = await service.create_api_key(
        session=session, ledger=ledger, principal=principal, organization_id=organization_id, data=body
    )
    return ApiKeyCreated(**service.present_key(key).model_dump(), key=secret)


@admin_router.get(
    "/organizations/{organization_id}/api-keys",
    response_model=Page[ApiKeyPublic],
    summary="The organisation's API keys: prefix, name, created, last used, expiry (never the key)",
    responses=problems(NotFound),
)
async def list_api_keys(
    session: ReadSessionDep,
    _: AccountAdmin,
    organization_id: uuid.UUID,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> Page[ApiKeyPublic]:
    rows = await service.list_api_keys(
        session, organization_id=organization_id, after=decode_cursor(cursor), limit=limit + 1
    )
    return Page.of([service.present_key(k) for k in rows[:limit]], more=len(rows) > limit)


@admin_router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key: it stops working at its next request",
    responses=problems(NotFound),
)
async def revoke_api_key(
    session: WriteSessionDep, ledger: LedgerDep, principal: AccountAdmin, key_id: uuid.UUID
) -> Response:
    await service.revoke_api_key(session=session, ledger=ledger, principal=principal, key_id=key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
