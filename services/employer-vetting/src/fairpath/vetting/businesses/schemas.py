"""API models of the businesses domain."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field, model_validator
from pydantic_core import PydanticCustomError

from fairpath.common.domain_codes import BusinessKind, BusinessStatus
from fairpath.common.reference import CountryCode, IsicSection
from fairpath.common.text import Prose, Text

# What callers type is NFC and free of control characters (fairpath.common.text); an address may run over lines.
Name = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
RegistrationNumber = Annotated[
    Text,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./\-]*$"),
]
Address = Annotated[Prose, StringConstraints(strip_whitespace=True, max_length=500)]
# A search for part of a name (`?name=`).
NameSearch = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class BusinessCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "employer",
                    "legal_name": "Gulf Horizon Construction LLC",
                    "country": "AE",
                    "registration_number": "CN-1234567",
                    "sector": "F",
                }
            ]
        },
    )

    kind: BusinessKind
    legal_name: Name
    country: CountryCode
    registration_number: RegistrationNumber
    other_names: list[Name] = Field(default_factory=list, max_length=20)
    sector: IsicSection | None = None
    address: Address | None = None
    organization_id: uuid.UUID | None = Field(
        default=None, description="the organisation whose users act for this business (operator only)"
    )


class BusinessUpdate(BaseModel):
    """What may change after registration; kind, country and registration number identify the business."""

    model_config = ConfigDict(extra="forbid")

    legal_name: Name | None = None
    other_names: list[Name] | None = Field(default=None, max_length=20)
    sector: IsicSection | None = None
    address: Address | None = None
    organization_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> "BusinessUpdate":
        for name in ("legal_name", "other_names"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise PydanticCustomError("required", f"{name} cannot be removed")
        return self


class RecruiterLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: uuid.UUID
    sub_agent_of: uuid.UUID | None = Field(default=None, description="the agency this one recruits for, in a chain")


class RecruiterLinkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    employer_id: uuid.UUID
    agency_id: uuid.UUID
    sub_agent_of: uuid.UUID | None
    created_at: datetime


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
    approval_expires_at: datetime | None = None
    condition_deadline: datetime | None = None
    organization_id: uuid.UUID | None
    owner_organization_id: uuid.UUID | None
    open_case_id: uuid.UUID | None = Field(
        default=None,
        description="the vetting case open on the business, if any: a finding after a decision opens one, and an "
        "approved business stays approved (it may still contract) while it is reviewed",
    )
    created_at: datetime
    updated_at: datetime
    version: int

    @computed_field(
        description="whether vetting asks the business for an operating licence: a recruitment "
        "agency's (IRIS A); an employer needs none, and lacking one says nothing against it"
    )
    @property
    def licence_required(self) -> bool:
        return self.kind.needs_operating_licence

    @computed_field(description="whether a vetting case is open on the business (`open_case_id` names it)")
    @property
    def review_open(self) -> bool:
        return self.open_case_id is not None
