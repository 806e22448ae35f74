"""API models of the job-orders domain."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from fairpath.common.reference import CountryCode, CurrencyCode, IsicSection, LanguageTag
from fairpath.contracts.contracts.terms import IscoUnitGroup, Provision, Text
from fairpath.contracts.reference.schemas import PayPeriod
from fairpath.contracts.values import SINGLE_LINE, plausible

Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SINGLE_LINE]


class ServiceAgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: uuid.UUID
    signed_on: Annotated[date, plausible(not_future=True)] = Field(description="a day from 2000 to today")
    employer_pays_all_costs: bool = Field(description="the employer bears every cost of recruitment (must be true)")
    reference: Reference | None = None


class OfferedTerms(BaseModel):
    """The least a contract for the position may offer."""

    model_config = ConfigDict(extra="forbid")

    pay_amount: int = Field(gt=0, lt=10**15, description="minor units per pay period")
    currency: CurrencyCode
    pay_period: PayPeriod
    normal_hours_per_day: float = Field(gt=0, le=24)
    normal_hours_per_week: float = Field(gt=0, le=168)
    weekly_rest_days: int = Field(ge=0, le=7)
    paid_annual_leave_days: int = Field(ge=0, le=366)
    duration_months: int | None = Field(default=None, ge=1, le=120)
    housing: Provision
    food: Provision


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation: IscoUnitGroup
    title: Text
    number_of_workers: int = Field(ge=1, le=100_000)
    offered: OfferedTerms
    languages: list[LanguageTag] = Field(
        default_factory=list,
        max_length=20,
        description="languages the work asks (BCP 47 tags, as the registry records a worker's), each once; "
        "matching weighs how well a worker speaks each",
    )
    min_years_experience: int | None = Field(
        default=None, ge=0, le=60, description="years of experience in the occupation the work asks, if any"
    )

    @field_validator("languages")
    @classmethod
    def _each_language_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("duplicate", "each language once")
        return value


class JobOrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "employer_id": "0192f0c4-5b6a-7e00-8000-000000000001",
                    "destination_country": "QA",
                    "sector": "F",
                    "reference": "DL-2026-117",
                    "service_agreements": [
                        {
                            "agency_id": "0192f0c4-5b6a-7e00-8000-000000000002",
                            "signed_on": "2026-10-01",
                            "employer_pays_all_costs": True,
                        }
                    ],
                    "positions": [
                        {
                            "occupation": "7112",
                            "title": "Mason",
                            "number_of_workers": 40,
                            "languages": ["en", "ar"],
                            "min_years_experience": 2,
                            "offered": {
                                "pay_amount": 180000,
                                "currency": "QAR",
                                "pay_period": "month",
                                "normal_hours_per_day": 8,
                                "normal_hours_per_week": 48,
                                "weekly_rest_days": 1,
                                "paid_annual_leave_days": 21,
                                "duration_months": 24,
                                "housing": "provided_free",
                                "food": "cash_allowance",
                            },
                        }
                    ],
                }
            ]
        },
    )

    employer_id: uuid.UUID
    destination_country: CountryCode
    sector: IsicSection
    reference: Reference | None = None
    service_agreements: list[ServiceAgreementIn] = Field(min_length=1, max_length=20)
    positions: list[PositionIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_agreement_per_agency(self) -> "JobOrderCreate":
        agencies = [a.agency_id for a in self.service_agreements]
        if len(set(agencies)) != len(agencies):
            raise ValueError("one service agreement per agency")
        return self


class ServiceAgreementPublic(BaseModel):
    """An agreement as recorded (the checks on what callers send do not apply to what was stored)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agency_id: uuid.UUID
    signed_on: date
    employer_pays_all_costs: bool
    reference: str | None = None


class PositionPublic(BaseModel):
    id: uuid.UUID
    occupation: str
    occupation_title: str
    title: str
    number_of_workers: int
    languages: list[str] = Field(description="languages the work asks (BCP 47 tags)")
    min_years_experience: int | None = Field(description="years of experience the work asks, if any")
    contracts_drafted: int = Field(description="contracts against this position that are not terminated")
    offered: OfferedTerms


class JobOrderPublic(BaseModel):
    id: uuid.UUID
    employer_id: uuid.UUID
    destination_country: str
    sector: str
    reference: str | None
    service_agreements: list[ServiceAgreementPublic]
    positions: list[PositionPublic]
    created_at: datetime
