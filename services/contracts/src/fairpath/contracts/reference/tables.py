"""Tables of the reference domain: each row records where its value comes from and as of when."""

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from fairpath.common.db import EnumString, UtcDateTime
from fairpath.contracts.db import ContractsModel
from fairpath.contracts.reference.schemas import PayPeriod


class MinimumWage(ContractsModel, table=True):
    __tablename__ = "minimum_wage"
    __table_args__ = (UniqueConstraint("country", "sector", name="uq_minimum_wage_country_sector"),)

    id: uuid.UUID = Field(primary_key=True)
    country: str = Field(max_length=2, index=True)
    # An ISIC section; empty for the rate that applies to every sector without one of its own.
    sector: str = Field(default="", max_length=1)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False), description="minor units")
    currency: str = Field(max_length=3)
    period: PayPeriod = Field(sa_type=EnumString(PayPeriod, 10))
    source: str = Field(max_length=500)
    effective_from: date
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class WorkingTimeLimit(ContractsModel, table=True):
    __tablename__ = "working_time_limit"

    country: str = Field(primary_key=True, max_length=2)
    max_hours_per_week: float
    max_hours_per_day: float | None = None
    min_weekly_rest_days: int
    min_annual_leave_days: int
    source: str = Field(max_length=500)
    effective_from: date
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ExchangeRate(ContractsModel, table=True):
    __tablename__ = "exchange_rate"

    base_currency: str = Field(primary_key=True, max_length=3)
    quote_currency: str = Field(primary_key=True, max_length=3)
    # Units of the quote currency for one unit of the base currency, as a decimal string (exact).
    rate: str = Field(max_length=40)
    source: str = Field(max_length=500)
    as_of: date
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
