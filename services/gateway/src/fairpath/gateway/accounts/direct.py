"""The gateway's database without the gateway running: the launcher's demo accounts and the first admin of a
new deployment (`./fairpath admin bootstrap`) are made with the same code the API uses, on the same database
the gateway's settings name (migrated first), with the same audit chain."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fairpath.common.config import CommonSettings
from fairpath.common.db import Database
from fairpath.common.ledger import Ledger
from fairpath.common.migrations import upgrade
from fairpath.gateway.accounts.context import Accounts
from fairpath.gateway.config import GatewaySettings
from fairpath.gateway.db import MIGRATIONS, ledger_tables


@dataclass(frozen=True)
class GatewayStore:
    settings: GatewaySettings
    database: Database
    ledger: Ledger
    accounts: Accounts


def settings_for(var_dir: Path | None = None) -> GatewaySettings:
    """The gateway's settings from the environment, as the gateway process would read them (with this var dir)."""
    common = CommonSettings() if var_dir is None else CommonSettings(var_dir=var_dir)
    return GatewaySettings(common=common, events_enabled=False)


@asynccontextmanager
async def gateway_store(settings: GatewaySettings) -> AsyncIterator[GatewayStore]:
    database = Database(settings.database_url)
    accounts = Accounts.from_settings(settings)
    try:
        await upgrade(database, MIGRATIONS)
        ledger = Ledger(ledger_tables, digest_key=settings.common.audit_digest_key.encode(), database=database)
        yield GatewayStore(settings=settings, database=database, ledger=ledger, accounts=accounts)
    finally:
        await accounts.close()
        await database.dispose()
