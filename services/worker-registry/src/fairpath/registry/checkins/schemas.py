"""API models of the check-ins domain."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.reference import LanguageTag
from fairpath.common.text import prose


class CheckInStatus(StrEnum):
    scheduled = "scheduled"  # not due yet
    due = "due"  # due today
    overdue = "overdue"  # past its date, unanswered
    answered = "answered"


class CheckInAnswers(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "paid_in_full_and_on_time": True,
                    "passport_in_hand": False,
                    "contract_is_the_one_signed": True,
                    "paid_any_fee": False,
                    "want_to_talk": True,
                    "note": "The supervisor keeps our passports in the office.",
                    "language": "ne",
                }
            ]
        },
    )

    paid_in_full_and_on_time: bool
    passport_in_hand: bool
    contract_is_the_one_signed: bool
    paid_any_fee: bool
    want_to_talk: bool
    note: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), AfterValidator(prose)]
        | None
    ) = Field(default=None, description="anything the worker wants to add, in their words")
    language: LanguageTag | None = Field(default=None, description="the language the worker answered in")


class CheckInPublic(BaseModel):
    id: uuid.UUID
    contract_id: uuid.UUID
    worker_id: uuid.UUID
    week: int = Field(description="weeks after the placement's start")
    due_on: date
    status: CheckInStatus
    answered_at: datetime | None
    answers: CheckInAnswers | None = Field(
        default=None, description="to the worker and the operator's compliance officers only"
    )
    grievance_id: uuid.UUID | None = Field(
        default=None, description="the confidential grievance a worrying answer filed (worker and officers only)"
    )
    version: int
