"""API models of the licences domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from fairpath.common.reference import CountryCode
from fairpath.common.text import PastDate, Text


class RegisterStatus(StrEnum):
    """A licence checked against its country's government register: unverified until a register is imported."""

    unverified = "unverified"
    verified = "verified"
    not_found = "not_found"


class LicenceState(StrEnum):
    """Where a business stands on operating licences on a given day."""

    missing = "missing"
    expired = "expired"
    not_in_register = "not_in_register"
    valid_unverified = "valid_unverified"
    valid = "valid"


LicenceNumber = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LicenceText = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class LicenceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "number": "POEA-123-LB-0420",
                    "authority": "Department of Migrant Workers",
                    "country": "PH",
                    "valid_from": "2025-01-01",
                    "valid_until": "2027-12-31",
                }
            ]
        },
    )

    number: LicenceNumber
    authority: LicenceText
    country: CountryCode
    valid_from: PastDate = Field(description="the day the licence was issued: not before 1900, not in the future")
    valid_until: date = Field(description="the last day it is valid: after valid_from")

    @field_validator("valid_until")
    @classmethod
    def _period(cls, valid_until: date, info: ValidationInfo) -> date:
        valid_from = info.data.get("valid_from")
        if valid_from is not None and valid_until <= valid_from:
            raise PydanticCustomError("valid_period", "valid_until must be after valid_from")
        return valid_until


class LicencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    number: str
    authority: str
    country: str
    valid_from: date
    valid_until: date
    register_status: RegisterStatus
    verified_at: datetime | None


class RejectedLine(BaseModel):
    line: int = Field(description="the physical line the record starts on (a quoted field may span lines)")
    reason: str


class RegisterImportResult(BaseModel):
    country: str
    loaded: int
    rejected: list[RejectedLine] = Field(description="the first rejected records, with their lines and reasons")
    rejected_total: int = Field(description="every rejected record")
    licences_verified: int
    licences_not_found: int
