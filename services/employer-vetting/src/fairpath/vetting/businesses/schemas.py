"""API models of the businesses domain."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.common.reference import CountryCode, IsicSection


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class BusinessCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "employer", "legal_name": "Gulf Horizon Construction LLC", "country": "AE",
                 "registration_number": "CN-1234567", "sector": "F"}
            ]
        },
    )

    kind: BusinessKind
    legal_name: Name
    country: CountryCode
    registration_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./\-]*$")
    ]
    other_names: list[Name] = Field(default_factory=list, max_length=20)
    sector: IsicSection | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    organization_id: uuid.UUID | None = Field(
        default=None, description="the organisation whose users act for this business (operator only)"
    )


class BusinessPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: BusinessKind
    legal_name: str
    other_names: list[str]
    country: str
    registration_number: str
    sector: str | None
    address: str | None
    status: BusinessStatus
    organization_id: uuid.UUID | None
    owner_organization_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
