"""The first admin of a new deployment (`./fairpath admin bootstrap`): before it no one may call the admin API,
so it is made directly in the gateway's database, once. It gets a one-time activation code (the person sets
their own password, then TOTP at the first sign-in) and an API key for `./fairpath admin`, valid one day,
both shown once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.db import Database
from fairpath.common.errors import Conflict, RuleViolations, violations_from_pydantic
from fairpath.common.ids import uuid7
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.accounts.schemas import OneTimeCode, OrganizationName, Username
from fairpath.gateway.accounts.service import add_api_key, add_user
from fairpath.gateway.accounts.tables import Organization, User

ACTOR = "system:bootstrap"
BOOTSTRAP_KEY_LIFETIME = timedelta(days=1)


class AdminExists(Conflict):
    name = "admin_exists"
    description = "the deployment has an admin already: ask them for an account"


@dataclass(frozen=True)
class FirstAdmin:
    organization_id: str
    organization_name: str
    user_id: str
    activation: OneTimeCode
    api_key: str
    api_key_expires_at: datetime


async def bootstrap_first_admin(
    *, database: Database, ledger: Ledger, accounts: Accounts, username: str, organization_name: str
) -> FirstAdmin:
    try:
        username = TypeAdapter(Username).validate_python(username)
        organization_name = TypeAdapter(OrganizationName).validate_python(organization_name)
    except ValidationError as exc:
        raise RuleViolations(violations_from_pydantic(list(exc.errors()))) from None
    async with database.session() as session:
        if await session.scalar(select(User.id).where(User.role == Role.admin).limit(1)) is not None:
            raise AdminExists("this deployment has an admin already; bootstrap makes only the first one")
        org = await session.scalar(
            select(Organization).where(Organization.kind == OrganizationKind.operator).order_by(Organization.id)
        )
        if org is None:
            now = utcnow()
            org = Organization(
                id=uuid7(),
                name=organization_name,
                kind=OrganizationKind.operator,
                created_by=ACTOR,
                created_at=now,
                updated_at=now,
            )
            await ledger.record_new(
                session,
                org,
                actor=ACTOR,
                action="organization.created",
                record_type="organization",
                changes={"name": org.name, "kind": org.kind},
            )
        user, code = await add_user(
            session, ledger, accounts, actor=ACTOR, username=username, role=Role.admin, organization_id=org.id
        )
        expires_at = utcnow() + BOOTSTRAP_KEY_LIFETIME
        _, api_key = await add_api_key(session, ledger, actor=ACTOR, user=user, name="bootstrap", expires_at=expires_at)
    return FirstAdmin(
        organization_id=str(org.id),
        organization_name=org.name,
        user_id=str(user.id),
        activation=code,
        api_key=api_key,
        api_key_expires_at=expires_at,
    )
