"""Tables of the licences domain."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.vetting.db import VettingModel
from fairpath.vetting.licences.schemas import RegisterStatus


class Licence(VettingModel, table=True):
    __tablename__ = "licence"
    __table_args__ = (UniqueConstraint("business_id", "country", "number_key", name="uq_licence"),)

    id: uuid.UUID = Field(primary_key=True)
    business_id: uuid.UUID = Field(foreign_key="business.id", index=True)
    number: str = Field(max_length=100)
    number_key: str = Field(max_length=100, index=True)
    authority: str = Field(max_length=300)
    country: str = Field(max_length=2)
    valid_from: date
    valid_until: date = Field(index=True)
    # unverified until a register import says verified or not_found
    register_status: RegisterStatus = Field(default=RegisterStatus.unverified, sa_type=EnumString(RegisterStatus, 20))
    verified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class LicenceRegisterEntry(VettingModel, table=True):
    """A licence as a government register lists it (the last import of that country replaces the rest)."""

    __tablename__ = "licence_register_entry"
    __table_args__ = (UniqueConstraint("country", "number_key", name="uq_register_entry"),)

    id: uuid.UUID = Field(primary_key=True)
    country: str = Field(max_length=2)
    number_key: str = Field(max_length=100)
    authority: str = Field(max_length=300)
    holder_name: str = Field(max_length=300)
    valid_from: date | None = None
    valid_until: date | None = None
    imported_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
