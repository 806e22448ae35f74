"""The contracts service's own MetaData: its tables and the ledger's audit, outbox and inbox tables."""

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables

ContractsModel = new_base()
metadata = ContractsModel.metadata
ledger_tables = LedgerTables.install(metadata)
