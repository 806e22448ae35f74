"""The registry service's own MetaData: its tables and the common audit, outbox and inbox tables."""

from fairpath.common.db import new_base
from fairpath.common.schema import install_common_tables

RegistryModel = new_base()
metadata = RegistryModel.metadata
common = install_common_tables(metadata)
