"""Tables of the check-ins domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel


class CheckIn(RegistryModel, table=True):
    __tablename__ = "check_in"

    id: uuid.UUID = Field(primary_key=True)
    contract_id: uuid.UUID
    worker_id: uuid.UUID = Field(index=True)
    week: int
    due_on: date = Field(index=True)
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    paid_in_full_and_on_time: bool | None = None
    passport_in_hand: bool | None = None
    contract_is_the_one_signed: bool | None = None
    paid_any_fee: bool | None = None
    want_to_talk: bool | None = None
    # What the worker wrote may name people: sealed like personal data.
    note_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str | None = Field(default=None, max_length=35)
    grievance_id: uuid.UUID | None = None
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    version: int = 1


Index("ix_check_in_contract_week", CheckIn.contract_id, CheckIn.week, unique=True)
