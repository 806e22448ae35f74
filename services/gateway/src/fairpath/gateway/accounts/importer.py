"""The identities file of earlier versions (`<var>/gateway-identities.json`), imported once into the database.

Organisations, users and API keys keep their ids; API keys keep their SHA-256 digests, so agency software
goes on working. Passwords were scrypt hashes without their parameters and are not carried over: each
imported user is pending activation until an admin or compliance officer hands them a one-time code. The
file is then renamed `gateway-identities.json.imported`.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.db import Database
from fairpath.common.ledger import Ledger
from fairpath.common.timeutil import utcnow
from fairpath.gateway.accounts.service import username_key
from fairpath.gateway.accounts.tables import ApiKey, Organization, User

log = logging.getLogger("fairpath.gateway.accounts")

ACTOR = "system:identities-file"


class _FileOrganization(BaseModel):
    id: uuid.UUID
    name: str
    kind: OrganizationKind


class _FileUser(BaseModel):
    id: uuid.UUID
    username: str
    role: Role
    organization_id: uuid.UUID | None = None
    worker_id: uuid.UUID | None = None


class _FileApiKey(BaseModel):
    id: uuid.UUID
    name: str
    key_sha256: str
    user_id: uuid.UUID


class IdentitiesFile(BaseModel):
    organizations: list[_FileOrganization] = []
    users: list[_FileUser] = []
    api_keys: list[_FileApiKey] = []


@dataclass(frozen=True)
class ImportReport:
    organizations: int
    users: int
    api_keys: int
    renamed_to: Path | None


async def import_identities_file(database: Database, ledger: Ledger, path: Path) -> ImportReport | None:
    """Import the file if it is there (None if not). Safe to run on several replicas at once: what is in
    the database already is skipped."""
    try:
        identities = IdentitiesFile.model_validate(json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, ValidationError, OSError) as exc:
        log.error("identities file not imported", extra={"error": type(exc).__name__})
        return None
    now = utcnow()
    counts = {"organizations": 0, "users": 0, "api_keys": 0}
    async with database.session() as session:
        for org in identities.organizations:
            if await session.get(Organization, org.id) is None:
                row = Organization(
                    id=org.id, name=org.name[:200], kind=org.kind, created_by=ACTOR, created_at=now, updated_at=now
                )
                await ledger.record_new(
                    session,
                    row,
                    actor=ACTOR,
                    action="organization.imported",
                    record_type="organization",
                    changes={"name": row.name, "kind": row.kind},
                )
                counts["organizations"] += 1
        for user in identities.users:
            taken = await session.scalar(select(User.id).where(User.username_key == username_key(user.username)))
            if await session.get(User, user.id) is not None or taken is not None:
                continue
            if user.organization_id is not None and await session.get(Organization, user.organization_id) is None:
                log.warning("an imported user's organisation is not in the file: user skipped")
                continue
            row = User(
                id=user.id,
                username=user.username,
                username_key=username_key(user.username),
                role=user.role,
                organization_id=user.organization_id,
                worker_id=user.worker_id,
                created_by=ACTOR,
                created_at=now,
                updated_at=now,
            )
            await ledger.record_new(
                session,
                row,
                actor=ACTOR,
                action="user.imported",
                record_type="user",
                changes={
                    "username": row.username,
                    "role": row.role,
                    "organization_id": row.organization_id,
                    "worker_id": row.worker_id,
                    "password": "not carried over",
                },
            )
            counts["users"] += 1
        for key in identities.api_keys:
            if await session.get(ApiKey, key.id) is not None:
                continue
            owner = await session.get(User, key.user_id)
            if owner is None or await session.scalar(select(ApiKey.id).where(ApiKey.digest == key.key_sha256)):
                continue
            row = ApiKey(
                id=key.id,
                name=key.name[:100],
                prefix=None,
                digest=key.key_sha256,
                user_id=owner.id,
                organization_id=owner.organization_id,
                created_by=ACTOR,
                created_at=now,
                updated_at=now,
            )
            await ledger.record_new(
                session,
                row,
                actor=ACTOR,
                action="api_key.imported",
                record_type="api_key",
                changes={"name": row.name, "user_id": row.user_id},
            )
            counts["api_keys"] += 1
    imported = path.with_name(path.name + ".imported")
    try:
        path.replace(imported)
    except FileNotFoundError:
        imported = None  # another replica renamed it
    log.info("identities file imported", extra=counts)
    return ImportReport(**counts, renamed_to=imported)
