"""The contracts service's request dependencies: its settings, the kind of session a route declares, the ledger."""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.common.db import ReadSessionDep, WriteSessionDep
from fairpath.common.ledger import LedgerDep
from fairpath.contracts.config import ContractsSettings


def _settings(request: Request) -> ContractsSettings:
    return request.app.state.settings


SettingsDep = Annotated[ContractsSettings, Depends(_settings)]

__all__ = ["LedgerDep", "ReadSessionDep", "SettingsDep", "WriteSessionDep"]
