"""The gateway's own MetaData: its tables and the ledger's (the audit chain, the outbox and the inbox), and
where its migrations are."""

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables
from fairpath.common.migrations import migrations_of

GatewayModel = new_base()
metadata = GatewayModel.metadata
ledger_tables = LedgerTables.install(metadata)
MIGRATIONS = migrations_of(__file__)
