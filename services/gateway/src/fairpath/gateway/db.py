"""The gateway's own MetaData: its tables and the ledger's (the audit chain, the outbox and the inbox), and
where its migrations are."""

from pathlib import Path

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables

GatewayModel = new_base()
metadata = GatewayModel.metadata
ledger_tables = LedgerTables.install(metadata)
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
