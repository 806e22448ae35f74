"""Tables of the reference domain."""

import uuid
from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.registry.db import RegistryModel


class MinimumAgeRule(RegistryModel, table=True):
    """One row of the operator's minimum-age table; the row with neither country nor occupation is the default."""

    __tablename__ = "minimum_age_rule"
    __table_args__ = (UniqueConstraint("origin_country", "occupation", name="uq_minimum_age_rule"),)

    id: uuid.UUID = Field(primary_key=True)
    origin_country: str | None = Field(default=None, max_length=2)
    # An ISCO-08 group at any level: the rule covers every occupation under it.
    occupation: str | None = Field(default=None, max_length=4)
    minimum_age: int
    source: str | None = Field(default=None, max_length=500)
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
