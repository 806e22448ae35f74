"""The contracts service's own MetaData: its tables and the common audit, outbox and inbox tables."""

from fairpath.common.db import new_base
from fairpath.common.schema import install_common_tables

ContractsModel = new_base()
metadata = ContractsModel.metadata
common = install_common_tables(metadata)
