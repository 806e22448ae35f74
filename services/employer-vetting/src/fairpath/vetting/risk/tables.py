"""Tables of the risk domain: the operator's country and sector risk ratings."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import UtcDateTime
from fairpath.vetting.db import VettingModel


class CountryRisk(VettingModel, table=True):
    __tablename__ = "country_risk"
    # sector "" is the country's rating for every sector without a row of its own.
    __table_args__ = (UniqueConstraint("country", "sector", name="uq_country_risk"),)

    id: uuid.UUID = Field(primary_key=True)
    country: str = Field(max_length=2)
    sector: str = Field(default="", max_length=1)
    points: int
    source: str = Field(max_length=300)
    as_of: date
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
