"""The identities the gateway accepts: organisations, users and API keys, from a JSON file.

Only digests are kept: API keys as SHA-256 (they are long random values),
passwords as scrypt.
"""

import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from pathlib import Path

from pydantic import BaseModel

from fairpath.common.auth import OrganizationKind, Principal, Role

log = logging.getLogger("fairpath.gateway.identity")


class Organization(BaseModel):
    id: uuid.UUID
    name: str
    kind: OrganizationKind


class User(BaseModel):
    id: uuid.UUID
    username: str
    password_scrypt: str  # "salt_hex$hash_hex"
    role: Role
    organization_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = None
    worker_id: uuid.UUID | None = None

    def principal(self) -> Principal:
        return Principal(
            user_id=self.id,
            role=self.role,
            organization_id=self.organization_id,
            business_id=self.business_id,
            worker_id=self.worker_id,
        )


class ApiKey(BaseModel):
    id: uuid.UUID
    name: str
    key_sha256: str
    user_id: uuid.UUID  # the user the key acts as


class IdentityFile(BaseModel):
    organizations: list[Organization] = []
    users: list[User] = []
    api_keys: list[ApiKey] = []


_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    return f"{salt.hex()}${hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT).hex()}"


def check_password(password: str, stored: str) -> bool:
    salt_hex, _, digest_hex = stored.partition("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT).hex()
    return hmac.compare_digest(candidate, digest_hex)


def key_digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class IdentityStore:
    def __init__(self, identities: IdentityFile) -> None:
        self.identities = identities
        self._users = {u.id: u for u in identities.users}
        self._by_username = {u.username.casefold(): u for u in identities.users}
        self._keys = {k.key_sha256: k for k in identities.api_keys}

    @classmethod
    def load(cls, path: Path | None) -> "IdentityStore":
        if path is None or not path.exists():
            return cls(IdentityFile())
        return cls(IdentityFile.model_validate(json.loads(path.read_text())))

    def user(self, user_id: uuid.UUID) -> User | None:
        return self._users.get(user_id)

    def by_api_key(self, api_key: str) -> User | None:
        key = self._keys.get(key_digest(api_key))
        return self._users.get(key.user_id) if key else None

    def by_password(self, username: str, password: str) -> User | None:
        user = self._by_username.get(username.casefold())
        if user is None:
            check_password(password, _DUMMY)  # same cost whether or not the user exists
            return None
        return user if check_password(password, user.password_scrypt) else None


_DUMMY = hash_password("not-a-password")


class IdentityFileWatcher:
    """The identity store, reloaded when its file changes (looked at no more than once a second), so
    accounts and keys can change without a restart. A file that does not parse keeps the last good one."""

    def __init__(self, path: Path | None, check_every: float = 1.0) -> None:
        self.path = path
        self.check_every = check_every
        self._store = IdentityStore.load(path)
        self._mtime = self._stat()
        self._checked = time.monotonic()

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except OSError:
            return None

    def current(self) -> IdentityStore:
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            mtime = self._stat()
            if mtime != self._mtime:
                try:
                    self._store = IdentityStore.load(self.path)
                    self._mtime = mtime
                    log.info("identities reloaded")
                except (ValueError, OSError) as exc:
                    log.warning("identities file not reloaded", extra={"error": type(exc).__name__})
        return self._store
