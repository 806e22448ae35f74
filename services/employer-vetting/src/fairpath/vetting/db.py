"""The vetting service's own MetaData: its tables, and the ledger's audit, outbox and inbox tables beside them."""

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables

VettingModel = new_base()
metadata = VettingModel.metadata
ledger_tables = LedgerTables.install(metadata)
