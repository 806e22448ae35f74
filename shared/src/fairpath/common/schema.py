"""The tables every service's database holds beside its own: audit chain, outbox, inbox."""

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from fairpath.common.audit import AuditLog
from fairpath.common.events.tables import inbox_table, outbox_table


@dataclass
class CommonTables:
    audit: AuditLog
    outbox: Table
    inbox: Table


def install_common_tables(metadata: MetaData) -> CommonTables:
    return CommonTables(audit=AuditLog(metadata), outbox=outbox_table(metadata), inbox=inbox_table(metadata))
