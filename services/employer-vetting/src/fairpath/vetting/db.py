"""The vetting service's own MetaData: its tables and the common audit, outbox and inbox tables."""

from fairpath.common.db import new_base
from fairpath.common.schema import install_common_tables

VettingModel = new_base()
metadata = VettingModel.metadata
common = install_common_tables(metadata)
