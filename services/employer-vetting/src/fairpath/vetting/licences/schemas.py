"""API models of the licences domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from fairpath.common.reference import CountryCode


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


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


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

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    authority: Text
    country: CountryCode
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _period(self) -> "LicenceCreate":
        if self.valid_until < self.valid_from:
            raise PydanticCustomError("valid_period", "valid_until is before valid_from")
        return self


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
    line: int
    reason: str


class RegisterImportResult(BaseModel):
    country: str
    loaded: int
    rejected: list[RejectedLine]
    licences_verified: int
    licences_not_found: int
