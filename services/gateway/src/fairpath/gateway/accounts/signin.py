"""Signing in and staying signed in: passwords (and a second factor), sessions with rotating refresh tokens,
activation with a one-time code, TOTP set-up, a password change.

Each password check runs in a worker thread (`Passwords`) before any write, so a sign-in holds no database lock
while it hashes. Every session change lands in the audit chain, never a password, a code or a token.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal
from fairpath.common.db import Database
from fairpath.common.errors import Conflict, Forbidden, Unauthenticated
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts import totp
from fairpath.gateway.accounts.codes import new_recovery_code, new_refresh_token, token_digest
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.schemas import (
    Activation,
    AuthenticatedBy,
    PasswordChange,
    RecoveryCodes,
    SessionEnd,
    TokenPair,
    TotpEnrolment,
)
from fairpath.gateway.accounts.service import (
    ACTIVATION_PURPOSE,
    SECOND_FACTOR_ROLES,
    end_sessions,
    find_user,
    username_key,
    violation,
)
from fairpath.gateway.accounts.tables import RecoveryCode, RefreshToken, User, UserSession
from fairpath.gateway.protection.limits import SignInFailures

RECOVERY_PURPOSE = "recovery"
RECOVERY_CODES = 10


@dataclass(frozen=True)
class Caller:
    """Who is calling and how they proved it (kept on the request by the authentication)."""

    principal: Principal
    username: str
    authenticated_by: AuthenticatedBy
    totp_enabled: bool
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    enrolment_only: bool = False


# --- problems ------------------------------------------------------------------------------


class BadCredentials(Unauthenticated):
    description = "unknown username, wrong password, or an account not active"


class SecondFactorRequired(Unauthenticated):
    name = "second_factor_required"
    title = "Second factor required"
    description = "the password is right; send a TOTP code in `totp` (or a recovery code in `recovery_code`)"


class SecondFactorRefused(Unauthenticated):
    name = "second_factor_refused"
    title = "Second factor refused"
    description = "the TOTP or recovery code is wrong, or was used already"


class RefreshRefused(Unauthenticated):
    description = "the refresh token is unknown, used already, or its session ended"


class ActivationRefused(Unauthenticated):
    name = "activation_refused"
    title = "Activation refused"
    description = "the username and one-time code match no pending activation (a code is good once, until it expires)"


class NoSession(Conflict):
    name = "no_session"
    description = "this caller signed in without a session (an API key or a single sign-on token)"


class PasswordSessionRequired(Forbidden):
    name = "password_session_required"
    description = "only a person signed in with their password may change it or set up a second factor"


class TotpAlreadyEnabled(Conflict):
    name = "totp_already_enabled"
    description = "a second factor is set up already; an admin or compliance officer can remove it with a reset"


class TotpNotStarted(Conflict):
    name = "totp_not_started"
    description = "start with `POST /v1/me/totp`, then confirm a code from the app"


# --- sessions ------------------------------------------------------------------------------


def _actor(user: User) -> str:
    return f"{user.role}:{user.id}"


async def _open_session(
    session: AsyncSession, ledger: Ledger, accounts: Accounts, user: User, *, second_factor: bool
) -> TokenPair:
    now = utcnow()
    enrolment_only = user.role in SECOND_FACTOR_ROLES and user.totp_secret_sealed is None
    row = UserSession(
        id=uuid7(),
        user_id=user.id,
        second_factor=second_factor,
        enrolment_only=enrolment_only,
        expires_at=now + accounts.refresh_ttl,
        created_at=now,
        updated_at=now,
    )
    await ledger.record_new(
        session,
        row,
        actor=_actor(user),
        action="session.started",
        record_type="session",
        changes={"method": "password", "second_factor": second_factor, "enrolment_only": enrolment_only},
    )
    return _tokens(session, accounts, row, now)


def _tokens(session: AsyncSession, accounts: Accounts, row: UserSession, now: datetime) -> TokenPair:
    refresh = new_refresh_token()
    session.add(RefreshToken(digest=token_digest(refresh), session_id=row.id, created_at=now))
    return TokenPair(
        access_token=accounts.tokens.issue(row.user_id, row.id),
        expires_in=accounts.tokens.ttl_seconds,
        refresh_token=refresh,
        refresh_expires_in=max(0, int((row.expires_at - now).total_seconds())),
    )


async def sign_in(
    *,
    database: Database,
    ledger: Ledger,
    accounts: Accounts,
    failures: SignInFailures,
    address: str,
    username: str,
    password: str,
    totp_code: str | None,
    recovery_code: str | None,
) -> TokenPair:
    """A session for a username and password, and a TOTP (or recovery) code when the user set one up. Too many
    failures for the account or from the address refuse every attempt for a while, the right password too."""
    account = username_key(username)
    await failures.attempt(account, address)
    try:
        pair = await _sign_in(
            database=database,
            ledger=ledger,
            accounts=accounts,
            username=username,
            password=password,
            totp_code=totp_code,
            recovery_code=recovery_code,
        )
    except (BadCredentials, SecondFactorRefused):
        await failures.failed(address)
        raise
    await failures.succeeded(account)
    return pair


async def _sign_in(
    *,
    database: Database,
    ledger: Ledger,
    accounts: Accounts,
    username: str,
    password: str,
    totp_code: str | None,
    recovery_code: str | None,
) -> TokenPair:
    async with database.session(read_only=True) as reads:
        found = await find_user(reads, username)
    stored = found.password_hash if found is not None else None
    if not await accounts.passwords.verify(stored, password) or found is None or found.disabled:
        raise BadCredentials("unknown username or wrong password")
    step = None
    if found.totp_secret_sealed is not None:
        if not totp_code and not recovery_code:
            raise SecondFactorRequired("this account signs in with a second factor: send `totp` (or `recovery_code`)")
        if totp_code:
            step = totp.matching_step(accounts.sealer.open(found.totp_secret_sealed, found.id), totp_code)
            if step is None:
                raise SecondFactorRefused("the TOTP code is wrong")
    rehashed = await accounts.passwords.hash(password) if accounts.passwords.needs_rehash(stored) else None

    async with database.session() as session:
        user = await session.get(User, found.id, with_for_update=True)
        if user is None or user.disabled or user.password_hash != stored:
            raise BadCredentials("unknown username or wrong password")  # reset or disabled meanwhile
        changes: dict[str, Any] = {}
        if step is not None:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                raise SecondFactorRefused("the TOTP code was used already: wait for the next one")
            user.totp_last_step = step
        elif user.totp_secret_sealed is not None:
            await _use_recovery_code(session, accounts, user, recovery_code or "")
            changes["recovery_code"] = "used"
        if rehashed is not None:
            user.password_hash = rehashed
            changes["password_hash_parameters"] = accounts.passwords.parameters
        if changes or step is not None:
            await ledger.record_change(
                session,
                user,
                actor=_actor(user),
                record_type="user",
                changes=changes or {"totp": "used"},
                action="user.password_rehashed" if rehashed is not None else "user.second_factor_used",
            )
        return await _open_session(session, ledger, accounts, user, second_factor=user.totp_secret_sealed is not None)


async def _use_recovery_code(session: AsyncSession, accounts: Accounts, user: User, code: str) -> None:
    digest = accounts.codes.digest(RECOVERY_PURPOSE, code)
    used = await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.digest == digest, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        raise SecondFactorRefused("the recovery code is wrong or was used already")


async def refresh(*, database: Database, ledger: Ledger, accounts: Accounts, refresh_token: str) -> TokenPair:
    """A new token pair for the current refresh token of an open session. The refresh token is spent: presented
    again (stolen, or replayed), it ends its whole session."""
    reused = False
    async with database.session() as session:
        token = await session.get(RefreshToken, token_digest(refresh_token), with_for_update=True)
        if token is None:
            raise RefreshRefused("the refresh token is not valid")
        row = await session.get(UserSession, token.session_id, with_for_update=True)
        user = await session.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            raise RefreshRefused("the refresh token is not valid")
        now = utcnow()
        if token.used_at is not None:
            reused = True
            if row.ended_at is None:
                row.ended_at, row.end_reason = now, SessionEnd.refresh_token_reused
                await ledger.record_change(
                    session,
                    row,
                    actor=_actor(user),
                    action="session.ended",
                    record_type="session",
                    changes={"end_reason": SessionEnd.refresh_token_reused},
                )
        elif row.ended_at is not None or row.expires_at <= now or user.disabled:
            raise RefreshRefused("the session ended: sign in again")
        else:
            token.used_at = now
            await ledger.record_change(
                session,
                row,
                actor=_actor(user),
                action="session.refreshed",
                record_type="session",
                changes={"refresh_token": "rotated"},
            )
            return _tokens(session, accounts, row, now)
    if reused:
        raise RefreshRefused("the refresh token was used already: its session is ended, sign in again")
    raise RefreshRefused("the refresh token is not valid")


async def log_out(*, session: AsyncSession, ledger: Ledger, caller: Caller) -> None:
    if caller.session_id is None:
        raise NoSession("an API key or a single sign-on token has no session to end: revoke the key instead")
    row = await session.get(UserSession, caller.session_id, with_for_update=True)
    if row is None or row.ended_at is not None:
        return
    row.ended_at, row.end_reason = utcnow(), SessionEnd.logout
    await ledger.record_change(
        session,
        row,
        actor=caller.principal.actor,
        action="session.ended",
        record_type="session",
        changes={"end_reason": SessionEnd.logout},
    )


# --- activation and passwords ----------------------------------------------------------------


def _check_password_policy(username: str, password: str, field: str) -> None:
    if username.casefold() in password.casefold():
        raise violation(field, "password_contains_username", "the password must not contain the username")


async def activate(
    *, database: Database, ledger: Ledger, accounts: Accounts, failures: SignInFailures, address: str, data: Activation
) -> None:
    """The person sets their own password with the one-time code an admin or compliance officer handed them.
    The code is good once; every session the user had ends. A wrong code counts as a failed sign-in."""
    _check_password_policy(data.username, data.password, "password")
    account = username_key(data.username)
    await failures.attempt(account, address)
    try:
        await _activate(database=database, ledger=ledger, accounts=accounts, data=data)
    except ActivationRefused:
        await failures.failed(address)
        raise
    await failures.succeeded(account)


async def _activate(*, database: Database, ledger: Ledger, accounts: Accounts, data: Activation) -> None:
    async with database.session(read_only=True) as reads:
        found = await find_user(reads, data.username)
    if not _code_valid(accounts, found, data.code):
        raise ActivationRefused("no pending activation matches this username and code")
    new_hash = await accounts.passwords.hash(data.password)
    async with database.session() as session:
        user = await session.get(User, found.id, with_for_update=True)
        if not _code_valid(accounts, user, data.code):
            raise ActivationRefused("no pending activation matches this username and code")  # used meanwhile
        user.password_hash, user.password_changed_at = new_hash, utcnow()
        user.activation_digest = user.activation_expires_at = None
        await ledger.record_change(
            session,
            user,
            actor=_actor(user),
            action="user.activated",
            record_type="user",
            changes={"password": "set", "activation_code": "used"},
        )
        await end_sessions(session, ledger, user_id=user.id, reason=SessionEnd.password_reset, actor=_actor(user))


def _code_valid(accounts: Accounts, user: User | None, code: str) -> bool:
    return (
        user is not None
        and accounts.codes.matches(ACTIVATION_PURPOSE, code, user.activation_digest)
        and user.activation_expires_at is not None
        and user.activation_expires_at > utcnow()
    )


def _password_session(caller: Caller) -> uuid.UUID:
    if caller.session_id is None:
        raise PasswordSessionRequired("sign in with your password (not an API key or single sign-on) to do this")
    return caller.session_id


async def change_password(
    *, database: Database, ledger: Ledger, accounts: Accounts, caller: Caller, data: PasswordChange
) -> None:
    """A signed-in person's new password; their other sessions end."""
    session_id = _password_session(caller)
    _check_password_policy(caller.username, data.new_password, "new_password")
    async with database.session(read_only=True) as reads:
        user = await reads.get(User, caller.principal.user_id)
    stored = user.password_hash if user else None
    if not await accounts.passwords.verify(stored, data.current_password):
        raise violation("current_password", "wrong_password", "the current password is wrong")
    new_hash = await accounts.passwords.hash(data.new_password)
    async with database.session() as session:
        user = await session.get(User, caller.principal.user_id, with_for_update=True)
        if user is None or user.password_hash != stored:
            raise violation("current_password", "wrong_password", "the password changed meanwhile")
        user.password_hash, user.password_changed_at = new_hash, utcnow()
        await ledger.record_change(
            session,
            user,
            actor=caller.principal.actor,
            action="user.password_changed",
            record_type="user",
            changes={"password": "set"},
        )
        await end_sessions(
            session,
            ledger,
            user_id=user.id,
            reason=SessionEnd.password_changed,
            actor=caller.principal.actor,
            keep=session_id,
        )


# --- second factor -------------------------------------------------------------------------


async def start_totp(*, session: AsyncSession, ledger: Ledger, accounts: Accounts, caller: Caller) -> TotpEnrolment:
    """A new TOTP secret for the caller's app; it counts once a code from the app confirms it."""
    _password_session(caller)
    user = await session.get(User, caller.principal.user_id, with_for_update=True)
    if user.totp_secret_sealed is not None:
        raise TotpAlreadyEnabled("a second factor is set up already")
    secret = totp.new_secret()
    user.totp_pending_sealed = accounts.sealer.seal(secret, user.id)
    await ledger.record_change(
        session,
        user,
        actor=caller.principal.actor,
        action="user.totp_started",
        record_type="user",
        changes={"totp_pending": "set"},
    )
    return TotpEnrolment(secret=secret, otpauth_uri=totp.provisioning_uri(secret, user.username))


async def confirm_totp(
    *, session: AsyncSession, ledger: Ledger, accounts: Accounts, caller: Caller, code: str
) -> RecoveryCodes:
    """The second factor is on once a code from the app matches; the recovery codes are shown this once."""
    session_id = _password_session(caller)
    user = await session.get(User, caller.principal.user_id, with_for_update=True)
    if user.totp_secret_sealed is not None:
        raise TotpAlreadyEnabled("a second factor is set up already")
    if user.totp_pending_sealed is None:
        raise TotpNotStarted("no TOTP set-up is under way")
    step = totp.matching_step(accounts.sealer.open(user.totp_pending_sealed, user.id), code)
    if step is None:
        raise violation("code", "invalid_code", "the code does not match the secret: check the phone's time")
    now = utcnow()
    user.totp_secret_sealed, user.totp_pending_sealed = user.totp_pending_sealed, None
    user.totp_last_step, user.totp_enabled_at = step, now
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    for code_text in codes:
        session.add(
            RecoveryCode(
                id=uuid7(), user_id=user.id, digest=accounts.codes.digest(RECOVERY_PURPOSE, code_text), created_at=now
            )
        )
    await ledger.record_change(
        session,
        user,
        actor=caller.principal.actor,
        action="user.totp_enabled",
        record_type="user",
        changes={"totp": "enabled", "recovery_codes": RECOVERY_CODES},
    )
    current = await session.get(UserSession, session_id, with_for_update=True)
    if current is not None and current.enrolment_only:
        current.enrolment_only, current.second_factor = False, True
        await ledger.record_change(
            session,
            current,
            actor=caller.principal.actor,
            action="session.second_factor_set_up",
            record_type="session",
            changes={"enrolment_only": False},
        )
    return RecoveryCodes(recovery_codes=codes)
