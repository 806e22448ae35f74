"""Request dependencies of the registry's routes: its settings and field cipher, and the common session
kinds and ledger, so that a route finds everything it may depend on in one place."""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.common.db import ReadSessionDep, WriteSessionDep
from fairpath.common.ledger import LedgerDep
from fairpath.registry.config import RegistrySettings
from fairpath.registry.crypto import FieldCipher

__all__ = ["CipherDep", "LedgerDep", "ReadSessionDep", "SettingsDep", "WriteSessionDep"]


def _cipher(request: Request) -> FieldCipher:
    return request.app.state.cipher


def _settings(request: Request) -> RegistrySettings:
    return request.app.state.settings


CipherDep = Annotated[FieldCipher, Depends(_cipher)]
SettingsDep = Annotated[RegistrySettings, Depends(_settings)]
