"""Each service's migrations build exactly the schema its models describe (no autogenerate drift)."""

import importlib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from fairpath.common.db import Database
from fairpath.common.migrations import downgrade, drift, upgrade
from fairpath.common.services import ALL_SERVICES
from fairpath.common.timeutil import utcnow
from fairpath.vetting.watchlists.entities import term_variants
from fairpath.vetting.watchlists.tables import Watchlist, WatchlistEntry, WatchlistNameKey, WatchlistTermVariant

ROOT = Path(__file__).resolve().parents[1]
# Each service's complete MetaData (its all_tables module) and its migrations folder.
SERVICES = {spec.name: (f"fairpath.{spec.package}.all_tables", spec.migrations) for spec in ALL_SERVICES}


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


async def test_vetting_0004_gives_entries_loaded_before_it_their_skeletons_and_spelling_variants(database_url):
    database = Database(await database_url("vetting_0004"))
    migrations = ROOT / SERVICES["vetting"][1]
    try:
        await upgrade(database, migrations, revision="0003")
        now, list_id, entry_id, job = utcnow(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(Watchlist.__table__).values(
                    id=list_id,
                    name="loaded before 0004",
                    kind="sanctions",
                    created_by=uuid.uuid4(),
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await connection.execute(
                insert(WatchlistEntry.__table__).values(
                    id=entry_id,
                    watchlist_id=list_id,
                    entity_id="old-1",
                    schema_name="Company",
                    caption="Rilepe Marine",
                    properties={"name": ["Rilepe Marine Pvt Ltd"]},
                    content_hash="0" * 64,
                    changed_import_id=job,
                    seen_import_id=job,
                    created_at=now,
                    updated_at=now,
                )
            )
        await upgrade(database, migrations)
        async with database.engine.connect() as connection:
            keys = set(
                (
                    await connection.execute(select(WatchlistNameKey.key).where(WatchlistNameKey.entry_id == entry_id))
                ).scalars()
            )
            variants = set(
                (
                    await connection.execute(
                        select(WatchlistTermVariant.variant).where(WatchlistTermVariant.term == "rilepe")
                    )
                ).scalars()
            )
        assert {"w:ltd marine pvt", "w:ltd pvt rilepe"} <= keys
        assert variants == term_variants("rilepe") and "rlpe" in variants
        await downgrade(database, migrations, revision="0003")
        await upgrade(database, migrations)
    finally:
        await database.dispose()
