"""Alembic, one migration history per service, run from code (at start, in tests) or the CLI.

Each service's `migrations/env.py` calls `run_env(metadata)`. SQLite runs in batch mode.
On PostgreSQL an advisory lock lets several replicas start at once safely.

    python -m fairpath.common.migrations revision vetting -m "add licences"
autogenerates a revision for a service against a scratch SQLite database at head;

    python -m fairpath.common.migrations upgrade vetting
brings a service's database (its `<PREFIX>DATABASE_URL`, e.g. FAIRPATH_VETTING_DATABASE_URL) to its schema head, under
the lock the service takes when it starts: what a deployment runs before the services roll.
"""

import asyncio
import importlib
import os
import sys
import tempfile
from pathlib import Path

from alembic import command, context, op
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, insert, select, text
from sqlalchemy.engine import Connection

from fairpath.common import merkle
from fairpath.common.audit import CHAIN, GENESIS_HASH, AuditProofTables, entry_leaf
from fairpath.common.db import Database
from fairpath.common.ledger import LedgerTables
from fairpath.common.services import ALL_SERVICES, BY_NAME

_LOCK_ID = 7_310_447_112  # arbitrary, the same for every service (each has its own database)


def migrations_of(module_file: str) -> Path:
    """A service's Alembic folder, from a module at its package's top (`app.py`): shipped inside the package
    (a wheel puts `services/<name>/migrations/` there, as an image installs it), or beside `src/` in a checkout."""
    package = Path(module_file).resolve().parent
    shipped = package / "migrations"
    return shipped if shipped.is_dir() else package.parents[2] / "migrations"


def alembic_config(script_location: Path, url: str = "") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def run_env(metadata: MetaData) -> None:
    """The body of every service's env.py."""
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database: pass a connection in attributes or set sqlalchemy.url")

    async def _online() -> None:
        database = Database(url)
        try:
            async with database.engine.begin() as conn:
                await conn.run_sync(lambda c: _run(c, metadata))
        finally:
            await database.dispose()

    asyncio.run(_online())


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def upgrade(database: Database, script_location: Path, revision: str = "head") -> None:
    cfg = alembic_config(script_location)

    def _upgrade(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

    async with database.engine.begin() as conn:
        if not database.is_sqlite:
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_ID})"))
        await conn.run_sync(_upgrade)


async def downgrade(database: Database, script_location: Path, revision: str = "base") -> None:
    cfg = alembic_config(script_location)

    def _downgrade(conn: Connection) -> None:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(_downgrade)


async def drift(database: Database, metadata: MetaData) -> list[tuple]:
    """What autogenerate would change between the database and the models (empty: no drift)."""

    def _compare(conn: Connection) -> list[tuple]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(ctx, metadata)

    async with database.engine.connect() as conn:
        return await conn.run_sync(_compare)


def _services() -> dict[str, Path]:
    root = Path(__file__).resolve().parents[4]
    return {spec.name: root / spec.migrations for spec in ALL_SERVICES}


def _revision(service: str, message: str) -> None:
    location = _services()[service]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/scratch.db"

        async def _to_head() -> None:
            database = Database(url)
            await upgrade(database, location)
            await database.dispose()

        asyncio.run(_to_head())
        cfg = alembic_config(location, url)
        number = len(list((location / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
        command.revision(cfg, message=message, autogenerate=True, rev_id=f"{number:04d}")


def _common_metadata() -> MetaData:
    metadata = MetaData()
    LedgerTables.install(metadata)
    return metadata


# The common tables each service's first migration made; those added later have migrations of their own.
_FIRST_COMMON_TABLES = ("audit_entry", "audit_head", "outbox", "inbox")


def create_common_tables() -> None:
    """Called by each service's first migration: the audit chain (its head at the genesis hash),
    the outbox and the inbox, exactly as fairpath.common defines them."""
    metadata = _common_metadata()
    metadata.create_all(op.get_bind(), tables=[metadata.tables[name] for name in _FIRST_COMMON_TABLES])
    op.execute(insert(metadata.tables["audit_head"]).values(chain=CHAIN, seq=0, hash=GENESIS_HASH))


def drop_common_tables() -> None:
    metadata = _common_metadata()
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[name] for name in _FIRST_COMMON_TABLES])


def create_audit_proof_tables() -> None:
    """Called by each service's migration that adds them: the Merkle tree's nodes (built here for the
    entries already in the chain), the tombstones of pruned entries, checkpoints, signing keys, legal holds."""
    metadata = _common_metadata()
    tables = [metadata.tables[name] for name in AuditProofTables.NAMES]
    bind = op.get_bind()
    metadata.create_all(bind, tables=tables)
    entry, node = metadata.tables["audit_entry"], metadata.tables["audit_merkle_node"]
    known: dict[merkle.NodeKey, bytes] = {}
    made: list[dict] = []
    for index, (entry_hash,) in enumerate(bind.execute(select(entry.c.hash).order_by(entry.c.seq))):
        for (level, position), digest in merkle.completed_nodes(index, entry_leaf(entry_hash), known):
            known[(level, position)] = digest
            made.append({"level": level, "position": position, "hash": digest})
        if len(made) >= 5000:
            bind.execute(insert(node), made)
            made = []
            known = {key: known[key] for key in merkle.frontier_keys(index + 1)}
    if made:
        bind.execute(insert(node), made)


def drop_audit_proof_tables() -> None:
    metadata = _common_metadata()
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[name] for name in AuditProofTables.NAMES])


def _upgrade_service(service: str) -> None:
    spec = BY_NAME[service]
    url = os.environ.get(f"{spec.settings_prefix}DATABASE_URL")
    if not url:
        raise SystemExit(f"set {spec.settings_prefix}DATABASE_URL to the {service} database's URL")
    # The package's own migrations, as installed (shipped inside the wheel) or in a checkout.
    location = importlib.import_module(f"fairpath.{spec.package}.app").MIGRATIONS

    async def _to_head() -> None:
        database = Database(url)
        try:
            await upgrade(database, location)
        finally:
            await database.dispose()

    asyncio.run(_to_head())
    print(f"{service}: the database is at its schema head")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "revision" and sys.argv[3] == "-m":
        _revision(sys.argv[2], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "upgrade" and sys.argv[2] in BY_NAME:
        _upgrade_service(sys.argv[2])
    else:
        raise SystemExit(
            "usage: python -m fairpath.common.migrations revision SERVICE -m MESSAGE\n"
            f"       python -m fairpath.common.migrations upgrade SERVICE  (SERVICE: {', '.join(BY_NAME)})"
        )
