"""Each service's migrations build exactly the schema its models describe (no autogenerate drift)."""

import importlib
from pathlib import Path

import pytest

from fairpath.common.db import Database
from fairpath.common.migrations import downgrade, drift, upgrade

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "vetting": ("fairpath.vetting.schema", "services/employer-vetting/migrations"),
    "contracts": ("fairpath.contracts.schema", "services/contracts/migrations"),
    "registry": ("fairpath.registry.schema", "services/worker-registry/migrations"),
    "gateway": ("fairpath.gateway.schema", "services/gateway/migrations"),
}


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_match_the_models(service, database_url):
    module, migrations = SERVICES[service]
    metadata = importlib.import_module(module).metadata
    database = Database(await database_url(f"drift_{service}"))
    try:
        await upgrade(database, ROOT / migrations)
        assert await drift(database, metadata) == []
        # Running the upgrade again is harmless (every replica runs it at start).
        await upgrade(database, ROOT / migrations)
        # Every migration can be undone, and redone.
        await downgrade(database, ROOT / migrations)
        await upgrade(database, ROOT / migrations)
        assert await drift(database, metadata) == []
    finally:
        await database.dispose()
