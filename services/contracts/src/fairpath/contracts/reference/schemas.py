"""API models of the reference domain."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from fairpath.common.reference import CountryCode, CurrencyCode, IsicSection
from fairpath.common.text import EARLIEST_PLAUSIBLE
from fairpath.contracts.values import SINGLE_LINE, plausible

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), SINGLE_LINE]
# A law or a rate may date from long ago, and a wage order may take effect ahead; an exchange rate is observed.
EffectiveFrom = Annotated[date, plausible(earliest=EARLIEST_PLAUSIBLE)]
ObservedOn = Annotated[date, plausible(earliest=EARLIEST_PLAUSIBLE, not_future=True)]


class PayPeriod(StrEnum):
    """How often pay is counted; every period pays at least monthly."""

    hour = "hour"
    day = "day"
    week = "week"
    fortnight = "fortnight"
    month = "month"


class MinimumWageRow(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "country": "QA",
                    "sector": None,
                    "amount": 100000,
                    "currency": "QAR",
                    "period": "month",
                    "source": "Qatar Law No. 17 of 2020 (minimum wage), Ministry of Labour",
                    "effective_from": "2021-03-20",
                }
            ]
        },
    )

    country: CountryCode
    sector: IsicSection | None = Field(default=None, description="an ISIC section; none: every sector")
    amount: int = Field(gt=0, lt=10**15, description="minor units of the currency")
    currency: CurrencyCode
    period: PayPeriod
    source: Source
    effective_from: EffectiveFrom

    @field_validator("sector", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None


class WorkingTimeLimitRow(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "country": "QA",
                    "max_hours_per_week": 48,
                    "max_hours_per_day": 8,
                    "min_weekly_rest_days": 1,
                    "min_annual_leave_days": 21,
                    "source": "Qatar Labour Law No. 14 of 2004, Arts. 73, 75, 79",
                    "effective_from": "2004-06-19",
                }
            ]
        },
    )

    country: CountryCode
    max_hours_per_week: float = Field(gt=0, le=84)
    max_hours_per_day: float | None = Field(default=None, gt=0, le=24)
    min_weekly_rest_days: int = Field(ge=0, le=7)
    min_annual_leave_days: int = Field(ge=0, le=366)
    source: Source
    effective_from: EffectiveFrom


class ExchangeRateRow(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "base_currency": "USD",
                    "quote_currency": "QAR",
                    "rate": "3.64",
                    "source": "Qatar Central Bank",
                    "as_of": "2026-11-01",
                }
            ]
        },
    )

    base_currency: CurrencyCode
    quote_currency: CurrencyCode
    rate: Decimal = Field(gt=0, description="units of the quote currency for one unit of the base currency")
    source: Source
    as_of: ObservedOn

    @model_validator(mode="after")
    def _two_currencies(self) -> "ExchangeRateRow":
        if self.base_currency == self.quote_currency:
            raise ValueError("an exchange rate converts between two different currencies")
        return self


def _unique(rows: list, key, what: str) -> list:  # noqa: ANN001
    seen = set()
    for row in rows:
        k = key(row)
        if k in seen:
            raise ValueError(f"{what} {k} appears twice")
        seen.add(k)
    return rows


class MinimumWageTable(BaseModel):
    """The whole table: a PUT replaces every row."""

    items: list[MinimumWageRow] = Field(max_length=5000)

    @field_validator("items")
    @classmethod
    def _one_row_per_key(cls, rows: list[MinimumWageRow]) -> list[MinimumWageRow]:
        return _unique(rows, lambda r: (r.country, r.sector or "*"), "the country and sector")


class WorkingTimeLimitTable(BaseModel):
    items: list[WorkingTimeLimitRow] = Field(max_length=500)

    @field_validator("items")
    @classmethod
    def _one_row_per_key(cls, rows: list[WorkingTimeLimitRow]) -> list[WorkingTimeLimitRow]:
        return _unique(rows, lambda r: r.country, "the country")


class ExchangeRateTable(BaseModel):
    items: list[ExchangeRateRow] = Field(max_length=5000)

    @field_validator("items")
    @classmethod
    def _one_row_per_key(cls, rows: list[ExchangeRateRow]) -> list[ExchangeRateRow]:
        return _unique(rows, lambda r: (r.base_currency, r.quote_currency), "the currency pair")
