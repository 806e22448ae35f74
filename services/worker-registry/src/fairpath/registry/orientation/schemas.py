"""API models of the orientation domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fairpath.common.reference import LanguageTag
from fairpath.common.text import EARLIEST_PLAUSIBLE, plausible_date, single_line


class OrientationTopic(StrEnum):
    """What a pre-departure orientation covers: the migrant's rights, obligations and recourse channels."""

    contract_terms = "contract_terms"
    fees_never_paid_by_worker = "fees_never_paid_by_worker"
    keeping_your_passport = "keeping_your_passport"
    how_to_file_a_grievance = "how_to_file_a_grievance"
    embassy_contact = "embassy_contact"


class OrientationSessionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2026-04-20",
                    "place": "Kathmandu, Himalayan Manpower training hall",
                    "language": "ne",
                    "topics": ["contract_terms", "fees_never_paid_by_worker", "how_to_file_a_grievance"],
                },
                {"held_on": "2026-04-21", "online": True, "language": "ne", "topics": ["keeping_your_passport"]},
            ]
        },
    )

    held_on: Annotated[date, plausible_date(earliest=EARLIEST_PLAUSIBLE)]
    days: int = Field(default=1, ge=1, le=30, description="how many days it lasts")
    place: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(single_line)
        ]
        | None
    ) = Field(default=None, description="where it is held; none when online")
    online: bool = False
    language: LanguageTag = Field(description="the language it is held in (BCP 47)")
    topics: list[OrientationTopic] = Field(min_length=1, max_length=len(OrientationTopic))

    @model_validator(mode="after")
    def _place_or_online(self) -> "OrientationSessionCreate":
        if (self.place is None) == (not self.online):
            raise ValueError("give a place, or online: true (not both)")
        return self


class AttendanceCreate(BaseModel):
    """The agency names the worker who attended; the worker confirms their own attendance (no worker_id needed)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"worker_id": "0190b3c6-8a7e-7b6c-9d3e-2f1a0b9c8d7e"}, {}]}
    )

    worker_id: uuid.UUID | None = None


class AttendancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    worker_id: uuid.UUID
    recorded_at: datetime = Field(description="when the agency recorded the worker's attendance")
    confirmed_at: datetime | None = Field(description="when the worker confirmed it from their own login")


class OrientationSessionPublic(BaseModel):
    id: uuid.UUID
    agency_business_id: uuid.UUID | None
    held_on: date
    days: int
    place: str | None
    online: bool
    language: str
    topics: list[OrientationTopic]
    attendance: list[AttendancePublic] = Field(description="to a worker, their own attendance only")
    created_at: datetime
    version: int
