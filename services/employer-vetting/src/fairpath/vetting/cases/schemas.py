"""API models of the cases domain."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from fairpath.common.text import Prose


class CaseStatus(StrEnum):
    open = "open"
    decided = "decided"


class Decision(StrEnum):
    approved = "approved"
    conditionally_approved = "conditionally_approved"
    rejected = "rejected"


class CaseOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = "initial vetting"


class DecisionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decision": "conditionally_approved",
                    "reason": "licence renewal pending",
                    "conditions": ["submit the renewed licence"],
                    "condition_deadline": "2027-03-01T00:00:00Z",
                }
            ]
        },
    )

    decision: Decision
    reason: Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    conditions: list[Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=20
    )
    condition_deadline: AwareDatetime | None = None

    @model_validator(mode="after")
    def _conditions_go_with_conditional_approval(self) -> "DecisionCreate":
        if self.decision == Decision.conditionally_approved:
            if not self.conditions:
                raise PydanticCustomError("conditions_required", "a conditional approval names its conditions")
            if self.condition_deadline is None:
                raise PydanticCustomError("deadline_required", "a conditional approval has a deadline")
        elif self.conditions or self.condition_deadline:
            raise PydanticCustomError("conditions_not_allowed", "only a conditional approval has conditions")
        return self


class CasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    status: CaseStatus
    opened_by: uuid.UUID | None
    opened_reason: str
    opened_at: datetime
    decision: Decision | None
    decision_reason: str | None
    conditions: list[str]
    condition_deadline: datetime | None
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    risk_at_decision: dict | None = None


class DecisionOnBusiness(BaseModel):
    """A decision on a business as its own users read it: what was decided, why, on which conditions and by when,
    and when. Not who decided, why the case was opened, nor the risk and screening it was decided on."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "decision": "conditionally_approved",
                    "reason": "licence renewal pending",
                    "conditions": ["submit the renewed licence"],
                    "condition_deadline": "2027-03-01T00:00:00Z",
                    "decided_at": "2026-11-02T09:30:00Z",
                }
            ]
        },
    )

    decision: Decision
    reason: str = Field(validation_alias="decision_reason")
    conditions: list[str]
    condition_deadline: datetime | None
    decided_at: datetime
