"""Request dependencies of the vetting routes: its settings and database, and the common session kinds
and ledger, so that a route finds everything it may depend on in one place."""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.common.db import Database, ReadSessionDep, WriteSessionDep
from fairpath.common.ledger import LedgerDep
from fairpath.vetting.config import VettingSettings

__all__ = ["DatabaseDep", "LedgerDep", "ReadSessionDep", "SettingsDep", "WriteSessionDep"]


def _settings(request: Request) -> VettingSettings:
    return request.app.state.settings


def _database(request: Request) -> Database:
    return request.app.state.database


SettingsDep = Annotated[VettingSettings, Depends(_settings)]
# For a route that commits as it goes (a streamed list import) instead of in one request-wide session.
DatabaseDep = Annotated[Database, Depends(_database)]
