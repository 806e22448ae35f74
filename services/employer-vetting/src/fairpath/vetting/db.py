"""The vetting service's own MetaData: its tables, and the ledger's audit, outbox and inbox tables beside them."""

from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from fairpath.common.db import new_base
from fairpath.common.ledger import LedgerTables

VettingModel = new_base()
metadata = VettingModel.metadata
ledger_tables = LedgerTables.install(metadata)


class EnumString(TypeDecorator):
    """A StrEnum kept in a VARCHAR column: the database sees the text (no enum type, no migration), the code
    gets the enum's member back on every row it reads, and writing a value outside the enum fails."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)
