"""Demo accounts for `./fairpath up` (development only): one user per role with a password and an API key,
and a second compliance officer so that four-eyes decisions can be tried; the organisations they belong to.

They are made with the accounts code itself, in the gateway's database, and audited like any account. The
admin and the compliance officers have TOTP set up, as their role requires everywhere: their secret is in
the credentials file (`totp_secret`), so a code can be made with any authenticator (or `pyotp`).

The clear credentials go to `var/demo-credentials.json` (mode 0600):
`{"gateway": URL, "users": {"<username>": {"username", "password", "api_key"[, "totp_secret"]}}}`.
Running it again keeps what still works and renews only what does not (a user, key or password gone).
"""

import asyncio
import json
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.db import Database
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts import totp
from fairpath.gateway.accounts.codes import token_digest
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.direct import gateway_store, settings_for
from fairpath.gateway.accounts.service import (
    SECOND_FACTOR_ROLES,
    add_api_key,
    find_user,
    remove_second_factor,
    username_key,
)
from fairpath.gateway.accounts.tables import ApiKey, Organization, User

DEMO_USERS: list[tuple[str, Role, OrganizationKind | None]] = [
    ("admin", Role.admin, OrganizationKind.operator),
    ("compliance_officer", Role.compliance_officer, OrganizationKind.operator),
    ("compliance_officer_2", Role.compliance_officer, OrganizationKind.operator),
    ("agency", Role.agency, OrganizationKind.recruitment_agency),
    ("employer", Role.employer, OrganizationKind.employer),
    ("auditor", Role.auditor, OrganizationKind.auditor),
    ("worker", Role.worker, None),
]
ORGANIZATION_NAMES = {
    OrganizationKind.operator: "Fairpath Operator",
    OrganizationKind.recruitment_agency: "Demo Recruitment Agency",
    OrganizationKind.employer: "Demo Employer",
    OrganizationKind.auditor: "Demo Audit Firm",
}
ACTOR = "system:demo"


def _write_private(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    tmp.replace(path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


async def _still_works(session: Any, accounts: Accounts, user: User | None, entry: Any) -> bool:
    """Whether the saved credentials still sign this user in: password, API key and (if required) TOTP."""
    if user is None or user.disabled or not isinstance(entry, dict):
        return False
    if user.role in SECOND_FACTOR_ROLES and (not entry.get("totp_secret") or user.totp_secret_sealed is None):
        return False
    if user.role not in SECOND_FACTOR_ROLES and user.totp_secret_sealed is not None:
        return False  # someone set one up: the demo credentials would not sign in
    key = await session.scalar(select(ApiKey).where(ApiKey.digest == token_digest(str(entry.get("api_key", "")))))
    if key is None or key.user_id != user.id or key.revoked_at is not None:
        return False
    return await accounts.passwords.verify(user.password_hash, str(entry.get("password", "")))


async def ensure_demo_accounts(
    *, database: Database, ledger: Ledger, accounts: Accounts, credentials_path: Path, gateway_url: str
) -> dict[str, Any]:
    """Make (or keep) the demo organisations and users; write and return the clear credentials."""
    saved = _read(credentials_path).get("users", {})
    kept: dict[str, dict[str, str]] = {}
    async with database.session(read_only=True) as session:
        for username, _, _ in DEMO_USERS:
            entry = saved.get(username) if isinstance(saved, dict) else None
            if await _still_works(session, accounts, await find_user(session, username), entry):
                kept[username] = entry
    renew = [(username, role, kind) for username, role, kind in DEMO_USERS if username not in kept]
    passwords = {username: secrets.token_urlsafe(12) for username, _, _ in renew}
    hashes = await asyncio.gather(*(accounts.passwords.hash(passwords[username]) for username, _, _ in renew))
    users = dict(kept)
    if renew:
        async with database.session() as session:
            organizations = {kind: await _organization(session, ledger, kind) for kind in ORGANIZATION_NAMES}
            for (username, role, kind), password_hash in zip(renew, hashes, strict=True):
                org = organizations[kind] if kind else None
                users[username] = await _renew(
                    session,
                    ledger,
                    accounts,
                    username=username,
                    role=role,
                    organization=org,
                    password=passwords[username],
                    password_hash=password_hash,
                )
    credentials = {"gateway": gateway_url, "users": {name: users[name] for name, _, _ in DEMO_USERS}}
    if _read(credentials_path) != credentials:
        _write_private(credentials_path, credentials)
    return credentials


async def _organization(session: Any, ledger: Ledger, kind: OrganizationKind) -> Organization:
    name = ORGANIZATION_NAMES[kind]
    found = await session.scalar(
        select(Organization).where(Organization.kind == kind, Organization.name == name).order_by(Organization.id)
    )
    if found is not None:
        return found
    now = utcnow()
    org = Organization(id=uuid7(), name=name, kind=kind, created_by=ACTOR, created_at=now, updated_at=now)
    await ledger.record_new(
        session,
        org,
        actor=ACTOR,
        action="organization.created",
        record_type="organization",
        changes={"name": name, "kind": kind},
    )
    return org


async def _renew(
    session: Any,
    ledger: Ledger,
    accounts: Accounts,
    *,
    username: str,
    role: Role,
    organization: Organization | None,
    password: str,
    password_hash: str,
) -> dict[str, str]:
    now = utcnow()
    user = await find_user(session, username)
    if user is None:
        user = User(
            id=uuid7(),
            username=username,
            username_key=username_key(username),
            role=role,
            organization_id=organization.id if organization else None,
            created_by=ACTOR,
            created_at=now,
            updated_at=now,
            password_hash=password_hash,
            password_changed_at=now,
        )
        await ledger.record_new(
            session,
            user,
            actor=ACTOR,
            action="user.created",
            record_type="user",
            changes={"username": username, "role": role, "organization_id": user.organization_id, "password": "set"},
        )
    else:
        user.password_hash, user.password_changed_at, user.disabled = password_hash, now, False
        user.activation_digest = user.activation_expires_at = None
        await remove_second_factor(session, user)
        await ledger.record_change(
            session,
            user,
            actor=ACTOR,
            action="user.password_reset",
            record_type="user",
            changes={"password": "set", "disabled": False, "totp": "removed"},
        )
    secret = totp.new_secret() if role in SECOND_FACTOR_ROLES else None
    if secret is not None:
        user.totp_secret_sealed, user.totp_enabled_at = accounts.sealer.seal(secret, user.id), now
        await ledger.record_change(
            session, user, actor=ACTOR, action="user.totp_enabled", record_type="user", changes={"totp": "enabled"}
        )
    for old in (await session.execute(select(ApiKey).where(ApiKey.user_id == user.id))).scalars():
        if old.revoked_at is None and old.name == f"demo {username}":
            old.revoked_at = now
            await ledger.record_change(
                session,
                old,
                actor=ACTOR,
                action="api_key.revoked",
                record_type="api_key",
                changes={"revoked_at": now},
            )
    _, api_key = await add_api_key(session, ledger, actor=ACTOR, user=user, name=f"demo {username}")
    entry = {"username": username, "password": password, "api_key": api_key}
    return entry | {"totp_secret": secret} if secret is not None else entry


async def _ensure(var_dir: Path, gateway_url: str) -> dict[str, Any]:
    async with gateway_store(settings_for(var_dir)) as store:
        return await ensure_demo_accounts(
            database=store.database,
            ledger=store.ledger,
            accounts=store.accounts,
            credentials_path=var_dir / "demo-credentials.json",
            gateway_url=gateway_url,
        )


def ensure_demo_identities(var_dir: Path, gateway_url: str) -> dict[str, Any]:
    """Make the demo accounts in the gateway's database (before the gateway starts, or while it runs) and
    return their credentials, as `./fairpath up` prints them."""
    return asyncio.run(_ensure(var_dir, gateway_url))
