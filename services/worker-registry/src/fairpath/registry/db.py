"""The registry service's own MetaData: its tables, and the ledger's audit, outbox and inbox tables beside them."""

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables

RegistryModel = new_base()
metadata = RegistryModel.metadata
ledger_tables = LedgerTables.install(metadata)
