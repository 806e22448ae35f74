"""The gateway's request dependencies: its settings, the declared session kinds, its ledger and the broker.

Who the caller is comes from `fairpath.common.auth` (`CurrentPrincipal`, `roles(...)`): the app points
`current_principal` at the gateway's own authentication (`accounts.authentication.authenticate`).
"""

from typing import Annotated

from fastapi import Depends, Request

from fairpath.common.db import ReadSessionDep, WriteSessionDep
from fairpath.common.errors import ServiceUnavailable
from fairpath.common.events.broker import Broker
from fairpath.common.ledger import LedgerDep
from fairpath.gateway.config import GatewaySettings

__all__ = ["LedgerDep", "ReadSessionDep", "SettingsDep", "WriteSessionDep", "connected_broker"]


def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


def connected_broker(request: Request) -> Broker:
    """The event broker, or 503 while it is not connected. Called in the route's body, after the caller
    and the input are checked, so a request that is refused anyway is refused the same way."""
    broker: Broker | None = getattr(request.app.state, "broker", None)
    if broker is None or not broker.connected:
        raise ServiceUnavailable("the event broker is not connected")
    return broker


SettingsDep = Annotated[GatewaySettings, Depends(_settings)]
