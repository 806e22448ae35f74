"""Request dependencies of the registry's routes: the field cipher, the settings, and a writing session for audited reads."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.db import Database
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher


def _cipher(request: Request) -> FieldCipher:
    return request.app.state.cipher


def _settings(request: Request) -> RegistrySettings:
    return request.app.state.settings


async def _writing_session(request: Request) -> AsyncIterator[AsyncSession]:
    # A GET that reads personal data writes an audit entry, so it needs a writing transaction
    # (on SQLite a read transaction cannot safely turn into a write one).
    database: Database = request.app.state.database
    async with database.session() as session:
        yield session


CipherDep = Annotated[FieldCipher, Depends(_cipher)]
SettingsDep = Annotated[RegistrySettings, Depends(_settings)]
# Committed before the response, like fairpath.common.db.SessionDep.
AuditedReadSessionDep = Annotated[AsyncSession, Depends(_writing_session, scope="function")]
