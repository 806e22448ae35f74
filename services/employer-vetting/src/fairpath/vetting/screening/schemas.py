"""API models of the screening domain."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.text import Prose


class HitStatus(StrEnum):
    potential = "potential"
    confirmed = "confirmed"
    dismissed = "dismissed"


class HitDecision(StrEnum):
    confirmed = "confirmed"
    dismissed = "dismissed"


class ScreeningTrigger(StrEnum):
    manual = "manual"  # a compliance officer asked for it
    case = "case"  # a vetting case was opened
    scheduled = "scheduled"  # approved businesses, re-screened on a schedule
    list_change = "list_change"  # an import changed entries of a list


class HitResolution(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "dismissed", "reason": "Different registration number and country; a namesake."},
                {"decision": "confirmed", "reason": "Same registration number and directors as the listed company."},
            ]
        },
    )

    decision: HitDecision
    reason: Annotated[Prose, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class ScreeningHitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    screening_id: uuid.UUID
    watchlist_id: uuid.UUID
    watchlist_kind: WatchlistKind
    entity_id: str = Field(description="the listed entity's id on its list")
    listed_name: str | None = Field(description="the listed entity's name as the list gave it when it matched")
    entry_content_hash: str = Field(description="the version of the entry that was matched")
    score: float
    explanation: dict[str, Any] = Field(description="logic-v2's features: score, weight, detail, compared values")
    status: HitStatus
    created_at: datetime
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
    resolution_reason: str | None
    version: int


class ScreeningPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    trigger: ScreeningTrigger
    import_id: uuid.UUID | None
    threshold: float
    candidates_scored: int
    hits_raised: int
    screened_at: datetime
    hits: list[ScreeningHitPublic] = Field(description="the hits this screening raised")
