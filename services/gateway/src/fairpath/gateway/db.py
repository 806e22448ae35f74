"""The gateway's own MetaData: for now the common audit, outbox and inbox tables."""

from fairpath.common.db import new_base
from fairpath.common.schema import install_common_tables

GatewayModel = new_base()
metadata = GatewayModel.metadata
common = install_common_tables(metadata)
